// The one server-side dispatcher of the IPC contract. Electron main (ipc/register.ts) and the dev host
// (src/devhost) both call it, so a command behaves the same whichever shell carries it.
// No electron import here: this file must also run under plain Node for the dev host and tests.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CaseQuery, CommandInput, CoreApi, Tool } from '../../core/api.js';
import type { OutboxEntry as CoreOutboxEntry } from '../../core/offline/local-store.js';
import type { CaseListRow } from '../../core/store/cases-repo.js';
import type { Submission, Workstation } from '../../core/offline/workstation.js';
import { decisionFormSchema } from '../../core/agent/decision-form.js';
import { GuardianError } from '../../core/errors.js';
import {
  commands,
  type CommandName,
  type CommandOutcome,
  type CommandOutput,
  type Commands,
  type ContractError,
  type OutboxEntry,
  type Result,
  type SessionUser,
} from '../../shared/contract.js';
import type { z } from 'zod';
import type { CaseSummary, ErrorCode } from '../../shared/domain.js';

export interface DispatchContext {
  /** The acting user: fixed by the shell (session), never taken from the renderer's input. */
  user: SessionUser;
  shell: 'electron' | 'devhost';
}

type Handler<K extends CommandName> = (input: z.infer<Commands[K]['input']>, ctx: DispatchContext) => Promise<CommandOutput<K>>;
export type Handlers = { [K in CommandName]: Handler<K> };

const TOOL: Tool = 'ui';

export interface DispatcherOptions {
  onError?: (name: string, err: unknown) => void;
  /**
   * The acting user's workstation (DESIGN §9): when present, decisions, rollbacks, appeal decisions and
   * notes go through its durable outbox instead of straight to the core. Claims stay direct (a lease
   * only means something on the server).
   */
  workstationFor?: (userId: string) => Workstation | undefined;
  /** How long a command waits for the outbox to deliver it before answering "pending" (saved). */
  settleMs?: number;
}

/** A case summary without a list answer's `watermark` / `matches` (cached rows may carry them). */
function summaryOnly({ watermark: _w, matches: _m, ...c }: CaseListRow): CaseSummary {
  return c;
}

/** A short description of an outbox command for people. */
function summarize(c: CommandInput): string {
  switch (c.type) {
    case 'decide':
      return `${c.decision} — ${c.reason}`;
    case 'appeal_decide':
      return `appeal ${c.outcome} — ${c.reason}`;
    case 'rollback':
      return `rollback — ${c.reason}`;
    case 'note':
      return `note — ${c.text}`;
    case 'request_escalation':
      return `escalation request — ${c.reason}`;
    default:
      return c.type;
  }
}

export function toOutboxDto(e: CoreOutboxEntry): OutboxEntry {
  return {
    id: e.id,
    caseId: e.caseId,
    type: e.type,
    summary: summarize(e.command).slice(0, 300),
    state: e.state,
    error: e.error ? { code: e.error.code as ErrorCode, message: e.error.message, details: e.error.details } : null,
    attempts: e.attempts,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

/** Waits until the outbox entry leaves "pending" (delivered, applied, conflict, …) or the time is up. */
function settle(ws: Workstation, id: string, ms: number): Promise<CoreOutboxEntry | undefined> {
  const current = () => ws.outbox().find((e) => e.id === id);
  return new Promise((resolve) => {
    let done = false;
    const finish = (e: CoreOutboxEntry | undefined) => {
      if (done) return;
      done = true;
      off();
      clearTimeout(timer);
      resolve(e);
    };
    const off = ws.onOutboxChange((e) => {
      if (e.id === id && e.state !== 'pending') finish(e);
    });
    const timer = setTimeout(() => finish(current()), ms);
    const now = current();
    if (now && now.state !== 'pending') finish(now);
  });
}

export function createHandlers(core: CoreApi, opts: DispatcherOptions = {}): Handlers {
  const meta = (ctx: DispatchContext, i: { commandId: string; expectedVersion?: number }) => ({
    actor: ctx.user.id,
    tool: TOOL,
    commandId: i.commandId,
    expectedVersion: i.expectedVersion,
  });
  const workstation = (ctx: DispatchContext) => opts.workstationFor?.(ctx.user.id);
  const requireWorkstation = (ctx: DispatchContext) => {
    const ws = workstation(ctx);
    if (!ws) throw new GuardianError('invalid_input', 'This shell has no local outbox.');
    return ws;
  };

  /** A state-changing command: through the outbox when there is one, else straight to the core. */
  async function submit(ctx: DispatchContext, cmd: Submission): Promise<CommandOutcome> {
    const ws = workstation(ctx);
    if (!ws) return core.execute({ ...cmd, actor: ctx.user.id, tool: TOOL } as CommandInput);
    const saved = ws.submit(cmd);
    // With the database known to be down nothing can be delivered now: answer "saved" (pending) at once.
    const wait = core.connection().database === 'down' ? 0 : (opts.settleMs ?? 4_000);
    const e = (wait ? await settle(ws, saved.id, wait) : saved) ?? saved;
    if (e.state === 'conflict' || e.state === 'rejected' || e.state === 'discarded') {
      const err = e.error ?? { code: 'conflict', message: `The command was ${e.state}.` };
      throw new GuardianError(err.code as ErrorCode, err.message, { ...err.details, outboxId: e.id, outboxState: e.state });
    }
    return { commandId: e.id, status: e.state === 'applied' ? 'applied' : e.state === 'delivered' ? 'accepted' : 'pending', duplicate: false, case: null };
  }

  return {
    'session:get': async (_i, ctx) => ({ user: ctx.user, mode: core.mode, connection: core.connection(), shell: ctx.shell, outbox: !!workstation(ctx) }),
    // Reads go through the workstation when there is one: the shared database when reachable (and the
    // answer cached), else the local cache marked stale with its sync time (DESIGN §9).
    'cases:list': async (i, ctx) => {
      const ws = workstation(ctx);
      if (!ws) return core.listCases(i);
      const r = await ws.listCases(i);
      // The cache knows no cursor and no watermark: a stale answer is the cached list from its start
      // (contract CasesQuery), without the live answer's fields it may have been cached with.
      return r.stale ? (r.value as CaseListRow[]).map((c) => ({ ...summaryOnly(c), stale: true, syncedAt: r.syncedAt })) : r.value;
    },
    'case:get': async ({ caseId }, ctx) => {
      const ws = workstation(ctx);
      const read = ws ? await ws.getCase(caseId) : { value: await core.getCase(caseId), stale: false, syncedAt: null };
      const c = read.value;
      const byAuthor = { authorId: c.authorId, limit: 50 };
      // Offline, the author's other cases are whatever the cache holds (none is not an error).
      let others: CaseSummary[];
      if (!ws) others = await core.listCases(byAuthor);
      else
        try {
          const r = await ws.listCases(byAuthor);
          others = (r.value as CaseListRow[]).map(summaryOnly);
        } catch (err) {
          if (!read.stale) throw err;
          others = [];
        }
      const authorCases = others.filter((o) => o.id !== c.id).reverse();
      const appeal = c.reviewKind === 'appeal';
      const decisionForm = c.allowedDecisions.length > 0 ? decisionFormSchema(c.allowedDecisions, appeal) : null;
      return { ...c, decisionForm, authorCases, ...(ws ? { stale: read.stale, syncedAt: read.syncedAt } : {}) };
    },
    'case:claim': (i, ctx) => core.execute({ type: 'claim', caseId: i.caseId, ...meta(ctx, i) }),
    'case:release': (i, ctx) => core.execute({ type: 'release', caseId: i.caseId, ...meta(ctx, i) }),
    'case:decide': (i, ctx) =>
      submit(ctx, {
        type: 'decide',
        caseId: i.caseId,
        decision: i.decision,
        reason: i.reason,
        policyIds: i.policyIds,
        durationHours: i.durationHours,
        commandId: i.commandId,
        expectedVersion: i.expectedVersion,
      }),
    'case:rollback': (i, ctx) => submit(ctx, { type: 'rollback', caseId: i.caseId, reason: i.reason, commandId: i.commandId, expectedVersion: i.expectedVersion }),
    'case:note': (i, ctx) => submit(ctx, { type: 'note', caseId: i.caseId, text: i.text, commandId: i.commandId }),
    'appeal:decide': (i, ctx) =>
      submit(ctx, { type: 'appeal_decide', caseId: i.caseId, outcome: i.outcome, reason: i.reason, commandId: i.commandId, expectedVersion: i.expectedVersion }),
    'audit:list': (i) => core.audit(i),
    'metrics:get': (i) => core.metrics(i),
    'moderators:list': () => core.moderators(),
    'outbox:list': async (_i, ctx) => (workstation(ctx)?.outbox() ?? []).map(toOutboxDto),
    'outbox:discard': async ({ id }, ctx) => toOutboxDto(requireWorkstation(ctx).discard(id)),
    'outbox:escalate': async ({ id, reason }, ctx) => toOutboxDto(requireWorkstation(ctx).requestEscalation(id, reason)),
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
export function createDispatcher(core: CoreApi, opts: DispatcherOptions = {}): Dispatcher {
  const handlers = createHandlers(core, opts);
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
export { localUserId } from '../../core/config.js';

/** Resolves a user id to the session user; throws forbidden for unknown users. */
export async function resolveUser(core: CoreApi, id: string): Promise<SessionUser> {
  const m = (await core.moderators()).find((x) => x.id === id);
  if (!m) throw new GuardianError('forbidden', `Unknown or inactive user "${id}".`);
  return { id: m.id, displayName: m.displayName, role: m.role };
}

/**
 * The session user, checked against the shared database. A user resolved once is remembered in
 * `rememberFile`, so the workstation still opens (read-only cache + outbox) while the database is
 * unreachable (DESIGN §9). A user the database does not know is always refused.
 */
export async function resolveSessionUser(core: CoreApi, id: string, rememberFile?: string): Promise<SessionUser> {
  const recall = () => (rememberFile && existsSync(rememberFile) ? (JSON.parse(readFileSync(rememberFile, 'utf8')) as SessionUser) : undefined);
  if (core.connection().database === 'down') {
    const u = recall();
    if (u?.id === id) return u;
  }
  try {
    const user = await resolveUser(core, id);
    if (rememberFile) {
      mkdirSync(dirname(rememberFile), { recursive: true });
      writeFileSync(rememberFile, JSON.stringify(user));
    }
    return user;
  } catch (err) {
    const u = err instanceof GuardianError && err.code === 'forbidden' ? undefined : recall();
    if (u?.id !== id) throw err;
    return u;
  }
}
