// The one server-side dispatcher of the IPC contract. Electron main (ipc/register.ts) and the dev host
// (src/devhost) both call it, so a command behaves the same whichever shell carries it.
// No electron import here: this file must also run under plain Node for the dev host and tests.
import os from 'node:os';
import type { CoreApi, Tool } from '../../core/api.js';
import { decisionFormSchema } from '../../core/agent/decision-form.js';
import { GuardianError } from '../../core/errors.js';
import {
  commands,
  type CommandName,
  type CommandOutput,
  type Commands,
  type ContractError,
  type Result,
  type SessionUser,
} from '../../shared/contract.js';
import type { z } from 'zod';

export interface DispatchContext {
  /** The acting user: fixed by the shell (session), never taken from the renderer's input. */
  user: SessionUser;
  shell: 'electron' | 'devhost';
}

type Handler<K extends CommandName> = (input: z.infer<Commands[K]['input']>, ctx: DispatchContext) => Promise<CommandOutput<K>>;
export type Handlers = { [K in CommandName]: Handler<K> };

const TOOL: Tool = 'ui';

export function createHandlers(core: CoreApi): Handlers {
  const meta = (ctx: DispatchContext, i: { commandId: string; expectedVersion?: number }) => ({
    actor: ctx.user.id,
    tool: TOOL,
    commandId: i.commandId,
    expectedVersion: i.expectedVersion,
  });
  return {
    'session:get': async (_i, ctx) => ({ user: ctx.user, mode: core.mode, connection: core.connection(), shell: ctx.shell }),
    'cases:list': (i) => core.listCases(i),
    'case:get': async ({ caseId }) => {
      const c = await core.getCase(caseId);
      const authorCases = (await core.listCases({ authorId: c.authorId, limit: 50 })).filter((o) => o.id !== c.id).reverse();
      const appeal = c.reviewKind === 'appeal';
      const decisionForm = c.allowedDecisions.length > 0 ? decisionFormSchema(c.allowedDecisions, appeal) : null;
      return { ...c, decisionForm, authorCases };
    },
    'case:claim': (i, ctx) => core.execute({ type: 'claim', caseId: i.caseId, ...meta(ctx, i) }),
    'case:release': (i, ctx) => core.execute({ type: 'release', caseId: i.caseId, ...meta(ctx, i) }),
    'case:decide': (i, ctx) =>
      core.execute({
        type: 'decide',
        caseId: i.caseId,
        decision: i.decision,
        reason: i.reason,
        policyIds: i.policyIds,
        durationHours: i.durationHours,
        ...meta(ctx, i),
      }),
    'case:rollback': (i, ctx) => core.execute({ type: 'rollback', caseId: i.caseId, reason: i.reason, ...meta(ctx, i) }),
    'appeal:decide': (i, ctx) => core.execute({ type: 'appeal_decide', caseId: i.caseId, outcome: i.outcome, reason: i.reason, ...meta(ctx, i) }),
    'audit:list': (i) => core.audit(i),
    'moderators:list': () => core.moderators(),
  };
}

export function toContractError(err: unknown): ContractError {
  if (err instanceof GuardianError) return { code: err.code, message: err.message, details: err.details };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

export interface Dispatcher {
  readonly handlers: Handlers;
  dispatch(name: string, input: unknown, ctx: DispatchContext): Promise<Result<unknown>>;
}

/** Parse, call, catch: every outcome is a Result value; nothing is thrown across the boundary. */
export function createDispatcher(core: CoreApi, opts: { onError?: (name: string, err: unknown) => void } = {}): Dispatcher {
  const handlers = createHandlers(core);
  return {
    handlers,
    async dispatch(name, input, ctx) {
      if (!Object.hasOwn(commands, name)) return { ok: false, error: { code: 'invalid_input', message: `Unknown command "${name}".` } };
      const key = name as CommandName;
      const parsed = commands[key].input.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        const first = issues[0];
        return {
          ok: false,
          error: {
            code: 'invalid_input',
            message: `Invalid input for ${name}${first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}` : ''}`,
            details: { issues },
          },
        };
      }
      try {
        const handler = handlers[key] as (i: unknown, c: DispatchContext) => Promise<unknown>;
        return { ok: true, value: await handler(parsed.data, ctx) };
      } catch (err) {
        const error = toContractError(err);
        if (error.code === 'internal') opts.onError?.(name, err);
        return { ok: false, error };
      }
    },
  };
}

/** The standalone local user id, derived exactly as the core derives it (core.ts ensureLocalUser). */
export function localUserId(configured?: string): string {
  return (configured ?? os.userInfo().username ?? 'local').replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 64) || 'local';
}

/** Resolves a user id to the session user; throws forbidden for unknown users. */
export async function resolveUser(core: CoreApi, id: string): Promise<SessionUser> {
  const m = (await core.moderators()).find((x) => x.id === id);
  if (!m) throw new GuardianError('forbidden', `Unknown or inactive user "${id}".`);
  return { id: m.id, displayName: m.displayName, role: m.role };
}
