// The one server-side dispatcher of the IPC contract. Electron main (ipc/register.ts) and the dev host
// (src/devhost) both call it, so a command behaves the same whichever shell carries it.
// No electron import here: this file must also run under plain Node for the dev host and tests.
import type { CommandInput, CoreApi } from '../../core/api.js';
import type { OutboxEntry as CoreOutboxEntry } from '../../core/offline/local-store.js';
import type { CaseListRow } from '../../core/store/cases-repo.js';
import type { Submission, Workstation } from '../../core/offline/workstation.js';
import type { SessionHost } from '../../core/session/session-host.js';
import { decisionFormSchema } from '../../core/agent/decision-form.js';
import { GuardianError } from '../../core/errors.js';
import { createActivity, type Activity } from '../../core/update/activity.js';
import { createUpdateController, type UpdateController } from '../../core/update/controller.js';
import { readMinimumVersion } from '../../core/update/minimum.js';
import { verifyAuditFor } from '../../core/services/queries.js';
import { readOwnWellbeing, recordReveal, setOwnWellbeing } from '../../core/services/wellbeing.js';
import { readPresence, touchPresence } from '../../core/services/presence.js';
import { deleteTemplate, listTemplates, saveTemplate } from '../../core/services/templates.js';
import { deleteView, listViews, saveView } from '../../core/services/views.js';
import { isConnectionError } from '../../core/store/db.js';
import { exportStatements } from '../../core/services/statements.js';
import type { Queryable } from '../../core/store/db.js';
import {
  commands,
  type CommandName,
  type AttentionInput,
  type CommandOutcome,
  type CommandOutput,
  type Commands,
  type ContractError,
  type ManagedView,
  type OutboxEntry,
  type Result,
  type Session,
} from '../../shared/contract.js';
import type { z } from 'zod';
import type { CaseSummary, ErrorCode } from '../../shared/domain.js';

export interface DispatchContext {
  /** The seat: who is signed in here (their login is their identity), never taken from the renderer's input. */
  host: SessionHost;
  shell: 'electron' | 'devhost';
}

type Handler<K extends CommandName> = (input: z.infer<Commands[K]['input']>, ctx: DispatchContext) => Promise<CommandOutput<K>>;
export type Handlers = { [K in CommandName]: Handler<K> };

export interface DispatcherOptions {
  onError?: (name: string, err: unknown) => void;
  /** How long a command waits for the outbox to deliver it before answering "pending" (saved). */
  settleMs?: number;
  /** The workstation's updates (src/core/update); default: none configured. */
  updates?: UpdateController;
  /** Held while a state-changing command is on its way, so a restart never interrupts it (issue 13). */
  activity?: Activity;
  /** The settings as resolved from the machine's policy file and the environment (src/core/managed). */
  settings?: () => ManagedView;
  /** Wellbeing defaults (config.wellbeing): the break point of a person who set none (default 25). */
  wellbeing?: { breakAfter: number };
  /** The shell's notifications and badge (Electron: src/main/notify.ts); none: the renderer shows its own. */
  attention?: (a: AttentionInput) => boolean;
}

/** helper V's typed refusal of an older client (details: minimumVersion, clientVersion). */
const UPDATE_REQUIRED = 'update_required';
const STATE_CHANGING = new Set<string>(['case:claim', 'case:release', 'case:decide', 'case:rollback', 'case:note', 'appeal:decide']);

/** The updates and activity a dispatcher uses, made once when the shell gave none (tests, old callers). */
function updatesOf(opts: DispatcherOptions): { updates: UpdateController; activity: Activity } {
  const activity = opts.activity ?? createActivity();
  const updates =
    opts.updates ??
    createUpdateController({ port: null, currentVersion: '0.0.0', verify: async () => ({ ok: false, problems: ['no update feed'] }), activity });
  return { updates, activity };
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

/** A pending entry the database refused for this build's version: it waits (same id) until the update. */
const heldForUpdate = (e: CoreOutboxEntry) => e.state === 'pending' && e.error?.code === UPDATE_REQUIRED;

/**
 * Waits until the outbox entry leaves "pending" (delivered, applied, conflict, …), is held for an update, or
 * the time is up.
 */
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
      if (e.id === id && (e.state !== 'pending' || heldForUpdate(e))) finish(e);
    });
    const timer = setTimeout(() => finish(current()), ms);
    const now = current();
    if (now && (now.state !== 'pending' || heldForUpdate(now))) finish(now);
  });
}

/** The signed-in person's session, or a refusal: nothing but sign-in works before it. */
function seatOf(ctx: DispatchContext): { api: CoreApi; workstation?: Workstation } {
  const seat = ctx.host.current();
  if (!seat) throw new GuardianError('forbidden', 'Sign in first.', { reason: 'signed_out' });
  return seat;
}

export function sessionOf(ctx: DispatchContext): Session {
  const info = ctx.host.info();
  const seat = ctx.host.current();
  return {
    user: info.user,
    mode: seat?.api.mode ?? (info.required ? 'connected' : 'standalone'),
    connection: seat?.api.connection() ?? { database: 'down', broker: 'down' },
    shell: ctx.shell,
    outbox: !!seat?.workstation,
    signIn: { required: info.required, server: info.server, keeps: info.keeps, login: info.login, unverified: info.unverified },
    storeMovedAside: seat?.workstation?.storeMovedAside ?? null,
  };
}

export function createHandlers(opts: DispatcherOptions = {}): Handlers {
  const { updates, activity } = updatesOf(opts);
  const requireWorkstation = (ctx: DispatchContext) => {
    const ws = seatOf(ctx).workstation;
    if (!ws) throw new GuardianError('invalid_input', 'This shell has no local outbox.');
    return ws;
  };

  /** A state-changing command: through the outbox when there is one, else straight to the core. */
  async function submit(ctx: DispatchContext, cmd: Submission): Promise<CommandOutcome> {
    const { api, workstation: ws } = seatOf(ctx);
    if (!ws) return onItsWay(() => api.execute({ ...cmd, tool: 'ui' } as CommandInput));
    // Durable once submit returns (the outbox fsyncs it, synchronously): no restart can come in between, and
    // a saved entry is delivered after one. Only commands sent straight to the core hold the gate (onItsWay).
    const saved = ws.submit(cmd);
    // With the database known to be down nothing can be delivered now: answer "saved" (pending) at once.
    const wait = api.connection().database === 'down' ? 0 : (opts.settleMs ?? 4_000);
    const e = (wait ? await settle(ws, saved.id, wait) : saved) ?? saved;
    // Saved, but the database refuses this build: say so now (it stays in the outbox and goes once updated).
    if (heldForUpdate(e) && e.error)
      throw new GuardianError(UPDATE_REQUIRED as ErrorCode, e.error.message, { ...e.error.details, outboxId: e.id, outboxState: e.state });
    if (e.state === 'conflict' || e.state === 'rejected' || e.state === 'discarded') {
      const err = e.error ?? { code: 'conflict', message: `The command was ${e.state}.` };
      throw new GuardianError(err.code as ErrorCode, err.message, { ...err.details, outboxId: e.id, outboxState: e.state });
    }
    return { commandId: e.id, status: e.state === 'applied' ? 'applied' : e.state === 'delivered' ? 'accepted' : 'pending', duplicate: false, case: null };
  }
  const direct = (ctx: DispatchContext, cmd: Submission) => {
    const { api } = seatOf(ctx);
    return onItsWay(() => api.execute({ ...cmd, tool: 'ui' } as CommandInput));
  };
  const defaultBreakAfter = opts.wellbeing?.breakAfter ?? 25;
  /** The signed-in person's own database session (wellbeing and the audit check use it directly). */
  const dbOf = (ctx: DispatchContext, what: string): Queryable => {
    const { api } = seatOf(ctx);
    const db = (api as Partial<{ db: Queryable }>).db;
    if (!db || api.connection().database === 'down') throw new GuardianError('unavailable', `${what} needs the server, which cannot be reached now.`);
    return db;
  };
  /** A lost connection while the call was on its way says so in the same words. */
  const needsServer = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (isConnectionError(err)) throw new GuardianError('unavailable', `${what} needs the server, which cannot be reached now.`);
      throw err;
    }
  };
  /** Reads the team's minimum version with the signed-in person's login (unreadable now: left as it was). */
  async function syncMinimum(ctx: DispatchContext): Promise<void> {
    const db = (seatOf(ctx).api as Partial<{ db: Queryable }>).db;
    const min = db ? await readMinimumVersion(db) : undefined;
    if (min !== undefined) updates.noteMinimum(min.minimumVersion, min.current);
  }
  const bulkOf = (ctx: DispatchContext) => {
    const b = seatOf(ctx).api.bulk;
    if (!b) throw new GuardianError('unavailable', 'Bulk actions need the database.');
    return b;
  };
  /** A command sent straight to the core is lost by a restart until the core answered. */
  async function onItsWay<T>(fn: () => Promise<T>): Promise<T> {
    const release = activity.hold('a command is on its way to the server');
    try {
      return await fn();
    } finally {
      release();
    }
  }

  return {
    'session:get': async (_i, ctx) => sessionOf(ctx),
    'session:signIn': async (i, ctx) => {
      await ctx.host.signIn(i);
      return sessionOf(ctx);
    },
    'session:signOut': async (_i, ctx) => {
      seatOf(ctx);
      await ctx.host.signOut();
      return sessionOf(ctx);
    },
    // Reads go through the workstation when there is one: the shared database when reachable (and the
    // answer cached), else the local cache marked stale with its sync time (DESIGN §9).
    'cases:list': async (i, ctx) => {
      const { api, workstation: ws } = seatOf(ctx);
      if (!ws) return api.listCases(i);
      const r = await ws.listCases(i);
      // The cache knows no cursor and no watermark: a stale answer is the cached list from its start
      // (contract CasesQuery), without the live answer's fields it may have been cached with.
      return r.stale ? (r.value as CaseListRow[]).map((c) => ({ ...summaryOnly(c), stale: true, syncedAt: r.syncedAt })) : r.value;
    },
    'case:get': async ({ caseId }, ctx) => {
      const { api, workstation: ws } = seatOf(ctx);
      const read = ws ? await ws.getCase(caseId) : { value: await api.getCase(caseId), stale: false, syncedAt: null };
      const c = read.value;
      const byAuthor = { authorId: c.authorId, limit: 50 };
      // Offline, the author's other cases are whatever the cache holds (none is not an error).
      let others: CaseSummary[];
      if (!ws) others = await api.listCases(byAuthor);
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
    // Claims stay direct (a lease only means something on the server).
    'case:claim': (i, ctx) => direct(ctx, { type: 'claim', caseId: i.caseId, commandId: i.commandId }),
    'case:release': (i, ctx) => direct(ctx, { type: 'release', caseId: i.caseId, commandId: i.commandId }),
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
    'audit:list': (i, ctx) => seatOf(ctx).api.audit(i),
    // The same check as `guardian audit verify`, with the signed-in person's own login.
    'audit:verify': async (i, ctx) => {
      const db = (seatOf(ctx).api as Partial<{ db: Queryable }>).db;
      if (!db) throw new GuardianError('unavailable', 'Verifying the audit needs the database.');
      return verifyAuditFor(db, i ?? {});
    },
    // Transparency reporting with the signed-in person's own login (what they may read), as the CLI does.
    'statements:export': async (i, ctx) => {
      const db = (seatOf(ctx).api as Partial<{ db: Queryable }>).db;
      if (!db) throw new GuardianError('unavailable', 'Exporting statements needs the database.');
      return exportStatements(db, i);
    },
    'metrics:get': (i, ctx) => seatOf(ctx).api.metrics(i),
    'dashboard:get': (i, ctx) => seatOf(ctx).api.dashboard(i),
    'deadLetters:list': (i, ctx) => seatOf(ctx).api.deadLetters.list(i ?? {}),
    'deadLetters:get': ({ id }, ctx) => seatOf(ctx).api.deadLetters.get(id),
    'deadLetters:replay': ({ ids, commandId }, ctx) => seatOf(ctx).api.deadLetters.replay(ids, commandId),
    'deadLetters:discard': ({ ids, commandId }, ctx) => seatOf(ctx).api.deadLetters.discard(ids, commandId),
    'bulk:preview': (i, ctx) => bulkOf(ctx).preview(i),
    'bulk:run': (i, ctx) => bulkOf(ctx).run(i),
    'bulk:undo': (i, ctx) => bulkOf(ctx).undo(i),
    'bulk:get': async ({ batchId }, ctx) => bulkOf(ctx).get(batchId),
    'moderators:list': (_i, ctx) => seatOf(ctx).api.moderators(),
    // People admin: straight to the database functions with the signed-in login (no role check here: the
    // database refuses a non-admin and audits the refusal; its answer is the error shown).
    'people:list': (_i, ctx) => seatOf(ctx).api.people.list(),
    'people:add': (i, ctx) => {
      const { api } = seatOf(ctx);
      return onItsWay(() => api.people.add({ id: i.id, role: i.role, displayName: i.displayName }));
    },
    'people:disable': ({ id }, ctx) => {
      const { api } = seatOf(ctx);
      return onItsWay(() => api.people.disable(id));
    },
    'people:setRole': ({ id, role }, ctx) => {
      const { api } = seatOf(ctx);
      return onItsWay(() => api.people.setRole(id, role));
    },
    'outbox:list': async (_i, ctx) => (seatOf(ctx).workstation?.outbox() ?? []).map(toOutboxDto),
    'outbox:discard': async ({ id }, ctx) => toOutboxDto(requireWorkstation(ctx).discard(id)),
    'outbox:escalate': async ({ id, reason }, ctx) => toOutboxDto(requireWorkstation(ctx).requestEscalation(id, reason)),
    // The workstation's own updates and settings: any person signed in here may see them and update it.
    'update:get': async (_i, ctx) => (await syncMinimum(ctx), updates.status()),
    'update:check': async (_i, ctx) => (await syncMinimum(ctx), updates.check()),
    'update:download': async (_i, ctx) => {
      seatOf(ctx);
      // Answers once the download started; progress and the outcome arrive as update:changed.
      const started = updates.download();
      const now = updates.status();
      if (now.state.phase !== 'downloading') return started;
      started.catch(() => {});
      return now;
    },
    'update:restart': async (_i, ctx) => (seatOf(ctx), updates.restart()),
    'shell:attention': async (i, ctx) => (seatOf(ctx), { shown: opts.attention?.(i) ?? false }),
    'settings:get': async (_i, ctx) => (seatOf(ctx), opts.settings?.() ?? { file: null, settings: [] }),
    // Wellbeing (issue 15): the person is the login's; the renderer keeps the last answer for offline reading.
    'wellbeing:get': async (_i, ctx) => {
      const db = dbOf(ctx, 'Reading your wellbeing settings');
      return { ...(await needsServer('Reading your wellbeing settings', () => readOwnWellbeing(db))), defaultBreakAfter };
    },
    'wellbeing:set': async (i, ctx) => {
      const db = dbOf(ctx, 'Saving your wellbeing settings');
      const saved = await needsServer('Saving your wellbeing settings', () => setOwnWellbeing(db, { ...i, tool: 'ui' }));
      return { ...saved, defaultBreakAfter };
    },
    // Direct, never through the outbox: the text is shown only once the reveal is recorded, so a reveal
    // needs the server (offline the content stays blurred and the moderator is told why).
    'case:reveal': async (i, ctx) => {
      const what = 'Revealing blurred content (each reveal is recorded in the audit)';
      const db = dbOf(ctx, what);
      return needsServer(what, () => recordReveal(db, { ...i, tool: 'ui' }));
    },
    // Presence (issue 14): straight to the database with the signed-in login (the person is session_user's),
    // never queued offline — it is only true while it is fresh.
    'presence:touch': async ({ caseId, state }, ctx) => {
      const what = 'Showing who is on this case';
      const db = dbOf(ctx, what);
      return needsServer(what, () => touchPresence(db, caseId, state));
    },
    'presence:list': async ({ caseIds }, ctx) => {
      const what = 'Showing who is on these cases';
      const db = dbOf(ctx, what);
      return needsServer(what, () => readPresence(db, caseIds));
    },
    // Reason templates (issue 14): who may change which is the database's decision (own vs team).
    'templates:list': async (_i, ctx) => {
      const db = dbOf(ctx, 'Reading reason templates');
      return needsServer('Reading reason templates', () => listTemplates(db));
    },
    'templates:save': async (i, ctx) => {
      const db = dbOf(ctx, 'Saving a reason template');
      return needsServer('Saving a reason template', () => saveTemplate(db, { ...i, tool: 'ui' }));
    },
    'templates:delete': async (i, ctx) => {
      const db = dbOf(ctx, 'Deleting a reason template');
      return needsServer('Deleting a reason template', () => deleteTemplate(db, { ...i, tool: 'ui' }));
    },
    // Saved views (issue 14): likewise, own vs team is the database's decision.
    'views:list': async (_i, ctx) => {
      const db = dbOf(ctx, 'Reading saved views');
      return needsServer('Reading saved views', () => listViews(db));
    },
    'views:save': async (i, ctx) => {
      const db = dbOf(ctx, 'Saving a view');
      return needsServer('Saving a view', () => saveView(db, { ...i, tool: 'ui' }));
    },
    'views:delete': async (i, ctx) => {
      const db = dbOf(ctx, 'Deleting a saved view');
      return needsServer('Deleting a saved view', () => deleteView(db, { ...i, tool: 'ui' }));
    },
  };
}

/**
 * The database refused the signed-in login itself (28000: NOLOGIN, an admin disabled the person; 28P01: the
 * password no longer matches) — on a read or a command, as a raw pg error or a typed one. Said as what it
 * means for the person at the seat, with PostgreSQL's words kept; reason `login_refused` lets the UI say it
 * once for the whole seat.
 */
function loginRefused(err: unknown): ContractError | undefined {
  const sqlstate = err instanceof GuardianError ? err.details?.sqlstate : (err as { code?: unknown } | null)?.code;
  if (sqlstate !== '28000' && sqlstate !== '28P01') return undefined;
  const said = err instanceof Error ? err.message : String(err);
  return {
    code: 'forbidden',
    message: `Your login can no longer connect (the database says: ${said}): an admin has disabled you, or your password changed. Sign out; an admin can enable you again with a new one-time password.`,
    details: { reason: 'login_refused', sqlstate },
  };
}

export function toContractError(err: unknown): ContractError {
  const refused = loginRefused(err);
  if (refused) return refused;
  if (err instanceof GuardianError) return { code: err.code, message: err.message, details: err.details };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

export interface Dispatcher {
  readonly handlers: Handlers;
  dispatch(name: string, input: unknown, ctx: DispatchContext): Promise<Result<unknown>>;
}

/** Parse, call, catch: every outcome is a Result value; nothing is thrown across the boundary. */
export function createDispatcher(opts: DispatcherOptions = {}): Dispatcher {
  const shared = updatesOf(opts);
  const { updates } = shared;
  const handlers = createHandlers({ ...opts, ...shared });
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
        const value = await handler(parsed.data, ctx);
        // The database took a change from this build (not merely saved in the outbox): its minimum is met.
        const status = (value as Partial<CommandOutcome> | undefined)?.status;
        if (STATE_CHANGING.has(key) && (status === 'accepted' || status === 'applied')) updates.clearRequired();
        return { ok: true, value };
      } catch (err) {
        const error = toContractError(err);
        if (error.code === 'internal') opts.onError?.(name, err);
        if (String(error.code) === UPDATE_REQUIRED && typeof error.details?.minimumVersion === 'string') updates.markRequired(error.details.minimumVersion);
        return { ok: false, error };
      }
    },
  };
}
