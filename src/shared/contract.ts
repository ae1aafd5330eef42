// The typed IPC contract (STYLE "A typed IPC contract"): one schema map, three consumers — main and the
// dev host register one handler per entry (src/main/ipc/dispatcher.ts), preload builds one bridge method
// per entry, the renderer calls only lib/api.ts. Depends on zod and the domain DTOs alone.
import { z } from 'zod';
import {
  AuditEvent,
  SupervisorMetrics,
  CaseDetail,
  CaseStatus,
  CaseSummary,
  CategoryId,
  CommandId,
  ErrorCode,
  Moderator,
  Priority,
  Reason,
  Role,
  SENSITIVE_CATEGORIES,
  SensitiveCategory,
  RevealCategory,
  UserId,
  Severity,
} from './domain.js';
import { COMMAND_NAMES, EVENT_NAMES, type CommandName, type EventName } from './channels.js';
import { Dashboard, DashboardWindow } from './dashboard.js';
import { CaseId, ipcInput } from './commands.js';
import { BatchId, BulkJob, BulkPreview, BulkRunInput, BulkSelection, BulkUndoInput } from './bulk.js';
import { DeadLetterActionResult, DeadLetterDetail, DeadLetterIds, DeadLettersQuery, DeadLetterSummary } from './dead-letters.js';
import { StatementExportQuery, StatementExportRowSchema } from './statement.js';

export { COMMAND_NAMES, EVENT_NAMES, methodName, type CommandName, type EventName } from './channels.js';

export const ContractError = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ContractError = z.infer<typeof ContractError>;

export const ConnectionState = z.object({
  database: z.enum(['up', 'down', 'embedded']),
  broker: z.enum(['up', 'down', 'in-process']),
});
export type ConnectionState = z.infer<typeof ConnectionState>;

export const SessionUser = z.object({ id: z.string(), displayName: z.string(), role: Role });
export type SessionUser = z.infer<typeof SessionUser>;

/** How a person signs in here (DESIGN §10): their own login against the server shown; standalone needs none. */
export const SignInState = z.object({
  required: z.boolean(),
  /** host:port/database — never credentials. */
  server: z.string(),
  /** Whether a password can be kept: only with a real OS keychain (never with basic_text, never in plain text). */
  keeps: z.boolean(),
  login: z.string().nullable(),
  /** Signed in while the server was unreachable: the password is checked once it is back. */
  unverified: z.boolean(),
});
export type SignInState = z.infer<typeof SignInState>;

export const Session = z.object({
  /** Null until someone signs in (connected mode). */
  user: SessionUser.nullable(),
  mode: z.enum(['connected', 'standalone']),
  connection: ConnectionState,
  /** Which shell carries the contract: the Electron app or the test/dev-only browser host. */
  shell: z.enum(['electron', 'devhost']),
  /** Decisions go through the durable local outbox (DESIGN §9): "saved" once on disk, delivered later. */
  outbox: z.boolean(),
  signIn: SignInState,
  /** A corrupt local store found at this sign-in was moved aside to this file (kept for recovery); null: none. */
  storeMovedAside: z.string().nullable().optional(),
});
export type Session = z.infer<typeof Session>;

const CaseRef = z.object({ caseId: z.string().trim().min(1).max(100) }).strict();

export const SignInInput = z
  .object({
    login: z.string().trim().min(1, 'login: required').max(63),
    password: z.string().min(1, 'password: required').max(1024),
    /** Keep it for the next start (only where the OS keychain can encrypt it). */
    remember: z.boolean().optional(),
  })
  .strict();

export const CommandOutcome = z.object({
  commandId: z.string(),
  /**
   * applied / accepted: the core took it (execution may follow). pending: saved in the local outbox and
   * not delivered yet (servers unreachable) — it will be, once, by command id.
   */
  status: z.enum(['accepted', 'applied', 'pending']),
  duplicate: z.boolean(),
  /** The case after the command; null when it was only saved to the outbox. */
  case: CaseSummary.nullable(),
});
export type CommandOutcome = z.infer<typeof CommandOutcome>;

/**
 * Where a read came from (DESIGN §9). Optional, so callers that ignore it keep working: stale is true when
 * the shared database could not be reached and the workstation answered from its local cache; syncedAt is
 * when that copy was last read from the database.
 */
export const Freshness = {
  stale: z.boolean().optional(),
  syncedAt: z.string().nullable().optional(),
};

/**
 * A queue row: a case summary; only rows served from the local cache carry `stale: true` + `syncedAt`.
 * Live answers to a query with `withWatermark` or `updatedSince` carry `watermark` on every row, and
 * answers to `updatedSince` carry `matches` (see CasesQuery).
 */
export const CaseListItem = CaseSummary.extend({
  ...Freshness,
  /**
   * Database time before which every change to a case is visible in this answer: pass it as the next
   * `updatedSince` (the same value on every row of an answer).
   */
  watermark: z.string().optional(),
  /** Only in answers to `updatedSince`: false when the case no longer matches the query's filters (drop it). */
  matches: z.boolean().optional(),
});
export type CaseListItem = z.infer<typeof CaseListItem>;

export const CaseView = CaseDetail.extend({
  ...Freshness,
  /** JSON Schema of the decision form (DESIGN §4), null when nothing can be decided now. */
  decisionForm: z.record(z.string(), z.unknown()).nullable(),
  /** The author's other cases, newest first. */
  authorCases: z.array(CaseSummary),
});
export type CaseView = z.infer<typeof CaseView>;

/**
 * A position in the review order — urgent first, then oldest first, then by id — given as the sort key of
 * the last row of the previous page. `createdAt` is that row's as listed; the server resolves the exact
 * (sub-millisecond) value by `id`.
 */
/**
 * The last loaded row's place in the review order (priority order: urgency, severity, SLA deadline,
 * created_at, id — src/core/store/cases-repo.ts). severity and slaDueAt are optional for older clients
 * (the server then takes the row's current ones).
 */
export const QueueCursor = z
  .object({
    priority: Priority,
    severity: Severity.nullable().optional(),
    slaDueAt: z.string().datetime({ offset: true }).nullable().optional(),
    createdAt: z.string().datetime({ offset: true }),
    id: z.string().uuid(),
  })
  .strict();
export type QueueCursor = z.infer<typeof QueueCursor>;

/**
 * Which cases `cases:list` answers. An answer from the workstation's cache (`stale`, database unreachable)
 * ignores `after` and `updatedSince` and has no `watermark`: it is the cached list from its start.
 */
export const CasesQuery = z
  .object({
    status: z.array(CaseStatus).max(8).optional(),
    level: z.number().int().min(1).max(9).optional(),
    search: z.string().trim().max(200).optional(),
    authorId: z.string().trim().max(100).optional(),
    claimedBy: z.string().trim().max(64).optional(),
    limit: z.number().int().min(1).max(100_000).optional(),
    /**
     * Keyset paging: the rows after this one in the review order. With a single status it is a range scan
     * of the queue-order index, however deep the page.
     */
    after: QueueCursor.optional(),
    /**
     * Incremental read: every case changed at or after this database time (a `watermark` of an earlier
     * answer), whatever its status, oldest change first, each with `matches` saying whether it still
     * matches the filters. An answer of `limit` rows may be cut short: read the whole list again then.
     */
    updatedSince: z.string().datetime({ offset: true }).optional(),
    /** Put the database's change `watermark` on every row (for a later `updatedSince`). */
    withWatermark: z.boolean().optional(),
  })
  .strict()
  .refine((q) => !(q.after && q.updatedSince), { message: '`after` and `updatedSince` cannot be combined', path: ['after'] });
export type CasesQuery = z.infer<typeof CasesQuery>;

export const AuditQuery = z
  .object({
    /** A whole case id, or its first 4+ hex digits (the short id the UI shows). */
    caseId: z.string().trim().max(100).optional(),
    /** The platform's content id of the case. */
    contentId: z.string().trim().max(200).optional(),
    actor: z.string().trim().max(64).optional(),
    type: z.string().trim().max(64).optional(),
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
    /** Default oldest first (chain order); the audit view asks for newest first. */
    order: z.enum(['newest', 'oldest']).optional(),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuery>;

/** "Verify chain": the whole log, or one case's chain (the case given as the audit filters take it). */
export const AuditVerifyInput = z
  .object({ caseId: z.string().trim().max(100).optional(), contentId: z.string().trim().max(200).optional() })
  .strict()
  .optional();
export const AuditVerification = z.object({
  ok: z.boolean(),
  caseId: z.string().nullable(),
  streams: z.number().int(),
  events: z.number().int(),
  problems: z.number().int(),
  /** The broken event with the lowest id (src/core/audit/verify.ts); eventId null when the problem is a missing tail or stream. */
  firstBroken: z
    .object({
      eventId: z.number().int().nullable(),
      stream: z.string(),
      seq: z.number().int().nullable(),
      caseId: z.string().nullable(),
      type: z.string().nullable(),
      kind: z.string(),
      message: z.string(),
    })
    .nullable(),
  checkedAt: z.string(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

const Empty = z.object({}).strict().optional();

/**
 * People admin (admins; issue 15). The database decides who may (api.list_people, api.add_person,
 * api.disable_person, api.set_person_role) and audits every change and refusal with the signed-in login as
 * actor; nothing here names an actor.
 */
export const PersonEntry = z.object({
  id: z.string(),
  displayName: z.string(),
  role: Role,
  login: z.string().nullable(),
  active: z.boolean(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
  /** The person's newest audit event as actor, or null: nothing yet. */
  lastActivity: z.object({ at: z.string(), type: z.string(), caseId: z.string().nullable() }).nullable(),
});
export type PersonEntry = z.infer<typeof PersonEntry>;
export const PersonChanged = z.object({ id: z.string(), displayName: z.string(), role: Role, login: z.string(), active: z.boolean().optional() });
const PersonRef = z.object({ id: UserId }).strict();
export const PersonAddInput = z
  .object({ id: UserId, role: Role, displayName: z.string().trim().max(200, 'at most 200 characters').optional() })
  .strict();
export const PersonAdded = PersonChanged.extend({
  /** Shown once, to the admin who added the person; only its SCRAM verifier reached the server. */
  oneTimePassword: z.string(),
});
export type PersonAdded = z.infer<typeof PersonAdded>;

export const OutboxState = z.enum(['pending', 'delivered', 'applied', 'conflict', 'rejected', 'discarded']);
export const OutboxEntry = z.object({
  id: z.string(),
  caseId: z.string(),
  type: z.string(),
  /** A short human description: "remove — credible threat". */
  summary: z.string(),
  state: OutboxState,
  error: ContractError.nullable(),
  attempts: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;
const OutboxRef = z.object({ id: z.string().trim().min(1).max(200) }).strict();

/** The update state the header shows (src/core/update/controller.ts): what the feed offers and how far it got. */
export const UpdateState = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('idle') }),
  z.object({ phase: z.literal('checking') }),
  z.object({ phase: z.literal('none'), checkedAt: z.string() }),
  z.object({ phase: z.literal('available'), version: z.string() }),
  z.object({ phase: z.literal('downloading'), version: z.string(), percent: z.number().int().min(0).max(100) }),
  z.object({ phase: z.literal('verifying'), version: z.string() }),
  z.object({ phase: z.literal('ready'), version: z.string() }),
  z.object({ phase: z.literal('error'), message: z.string(), version: z.string().optional() }),
]);
export const UpdateStatus = z.object({
  currentVersion: z.string(),
  /** False when this installation has no update feed. */
  enabled: z.boolean(),
  channel: z.string().nullable(),
  state: UpdateState,
  /** The team's minimum version, once a command was refused with `update_required`; reading still works. */
  required: z.object({ minimumVersion: z.string() }).nullable(),
  /** Whether "Restart now" would interrupt nothing in the shell (a command on its way refuses it). */
  restart: z.object({ allowed: z.boolean(), reason: z.string().nullable() }),
});
export type UpdateStatus = z.infer<typeof UpdateStatus>;

/** One setting as the machine-wide policy file and the environment resolve it (src/core/managed). */
export const ManagedSetting = z.object({
  key: z.string(),
  value: z.unknown(),
  /** enforced: the admin's policy file decides, a person cannot change it. */
  source: z.enum(['enforced', 'user', 'default', 'built-in']),
  locked: z.boolean(),
});
export const ManagedView = z.object({
  /** The policy file read at start, or null when there is none. */
  file: z.string().nullable(),
  settings: z.array(ManagedSetting),
});
export type ManagedView = z.infer<typeof ManagedView>;

/** A person's own wellbeing settings (issue 15), with the installation's default break point. */
export const WellbeingSettings = z.object({
  hiddenCategories: z.array(SensitiveCategory),
  /** The person's own break point (cases in sensitive categories per session; 0: never), or null: the default. */
  breakAfter: z.number().int().nullable(),
  /** GUARDIAN_BREAK_AFTER: the break point of a person who set none. */
  defaultBreakAfter: z.number().int(),
});
export type WellbeingSettings = z.infer<typeof WellbeingSettings>;
export const WellbeingInput = z
  .object({
    commandId: CommandId,
    hiddenCategories: z.array(SensitiveCategory).max(SENSITIVE_CATEGORIES.length),
    breakAfter: z.number().int().min(0, 'at least 0 (0: never)').max(1000, 'at most 1000').nullable(),
  })
  .strict();
export const RevealInput = z.object({ caseId: CaseId, commandId: CommandId, category: RevealCategory }).strict();
export const RevealOutcome = z.object({ commandId: z.string(), duplicate: z.boolean(), auditEventId: z.number().int().nullable() });
// Presence (issue 14): ephemeral, ids only; the person is the login's (the database derives it).
export const PresenceEntry = z.object({ caseId: z.string(), personId: z.string(), state: z.enum(['viewing', 'typing']), since: z.string() });
export type PresenceEntry = z.infer<typeof PresenceEntry>;
export const PresenceTouchInput = z.object({ caseId: CaseId, state: z.enum(['viewing', 'typing', 'left']) }).strict();
export const PresenceListInput = z.object({ caseIds: z.array(CaseId).max(500, 'at most 500 cases') }).strict();
/** Reason templates (issue 14): the team's (supervisors and admins keep them) and one's own. */
export const ReasonTemplate = z.object({
  id: z.number().int(),
  scope: z.enum(['own', 'team']),
  title: z.string(),
  body: z.string(),
  category: CategoryId.nullable(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export const TemplateSaveInput = z
  .object({
    commandId: CommandId,
    id: z.number().int().positive().optional(),
    scope: z.enum(['own', 'team']),
    title: z.string().trim().min(1).max(80),
    body: z.string().trim().min(1).max(2000),
    category: CategoryId.nullable().optional(),
  })
  .strict();
export type ReasonTemplate = z.infer<typeof ReasonTemplate>;
export const TemplateDeleteInput = z.object({ commandId: CommandId, id: z.number().int().positive() }).strict();
/** Saved views of the queue (issue 14): filters and sort under a name, one's own or the team's (supervisors and admins keep those). */
export const ViewSort = z.enum(['priority', 'waiting', 'severity']);
export const ViewFilters = z.record(z.string().max(40), z.union([z.string().max(200), z.number()])).refine((f) => Object.keys(f).length <= 20, 'at most 20 filters');
export const SavedView = z.object({
  id: z.number().int(),
  scope: z.enum(['own', 'team']),
  name: z.string(),
  filters: z.record(z.string(), z.unknown()),
  sort: ViewSort,
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type SavedView = z.infer<typeof SavedView>;
export const ViewSaveInput = z
  .object({ commandId: CommandId, id: z.number().int().positive().optional(), scope: z.enum(['own', 'team']), name: z.string().trim().min(1).max(80), filters: ViewFilters, sort: ViewSort })
  .strict();
export const ViewDeleteInput = z.object({ commandId: CommandId, id: z.number().int().positive() }).strict();
const DeadLetterAction = z.object({ ids: DeadLetterIds, commandId: z.string().trim().min(8).max(128) }).strict();

export const AttentionInput = z
  .object({
    /** Unseen urgent, role-routed and conflict items: the dock/taskbar badge (0 clears it). */
    badge: z.number().int().min(0).max(99_999),
    notice: z
      .object({ kind: z.enum(['urgent', 'routed', 'conflict']), title: z.string().min(1).max(200), body: z.string().max(500) })
      .strict()
      .optional(),
  })
  .strict();
export type AttentionInput = z.infer<typeof AttentionInput>;

export const commands = {
  'session:get': { input: Empty, output: Session },
  'cases:list': { input: CasesQuery, output: z.array(CaseListItem) },
  'case:get': { input: CaseRef, output: CaseView },
  'session:signIn': { input: SignInInput, output: Session },
  'session:signOut': { input: Empty, output: Session },
  // Every state-changing command carries a client-chosen id: retries with the same id apply once. The
  // shapes are the shared command schemas (src/shared/commands.ts), as the core and the database use them.
  'case:claim': { input: ipcInput('claim'), output: CommandOutcome },
  'case:release': { input: ipcInput('release'), output: CommandOutcome },
  'case:decide': { input: ipcInput('decide'), output: CommandOutcome },
  'case:rollback': { input: ipcInput('rollback'), output: CommandOutcome },
  'case:note': { input: ipcInput('note'), output: CommandOutcome },
  'appeal:decide': { input: ipcInput('appeal_decide'), output: CommandOutcome },
  'audit:list': { input: AuditQuery, output: z.array(AuditEvent) },
  'audit:verify': { input: AuditVerifyInput, output: AuditVerification },
  /** Transparency reporting (issue 15): one row per decision's statement of reasons, as `guardian statements export`. */
  'statements:export': { input: StatementExportQuery, output: z.array(StatementExportRowSchema) },
  'metrics:get': {
    input: z.object({ sinceDays: z.number().int().min(1, 'at least 1 day').max(365, 'at most 365 days').optional() }).strict(),
    output: SupervisorMetrics,
  },
  /** The supervisor dashboard (supervisors and admins; the database refuses a moderator: forbidden). */
  'dashboard:get': { input: z.object({ window: DashboardWindow.optional() }).strict(), output: Dashboard },
  'moderators:list': { input: Empty, output: z.array(Moderator) },
  'people:list': { input: Empty, output: z.array(PersonEntry) },
  /** Adds (or resets, when the id exists) a person with a one-time password, which the answer carries once. */
  'people:add': { input: PersonAddInput, output: PersonAdded },
  'people:disable': { input: PersonRef, output: PersonChanged },
  'people:setRole': { input: PersonRef.extend({ role: Role }).strict(), output: PersonChanged },
  'outbox:list': { input: Empty, output: z.array(OutboxEntry) },
  /** Gives up on a conflicted or rejected command (it never applied). */
  'outbox:discard': { input: OutboxRef, output: OutboxEntry },
  /** Resolves a conflicted or rejected command by asking a supervisor to look at the case again. */
  'outbox:escalate': { input: OutboxRef.extend({ reason: Reason.optional() }).strict(), output: OutboxEntry },
  // Updates and settings belong to the workstation, not to whoever is signed in: they work before sign-in.
  'update:get': { input: Empty, output: UpdateStatus },
  'update:check': { input: Empty, output: UpdateStatus },
  /** Downloads what the last check found (refused with `conflict` when there is nothing to download). */
  'update:download': { input: Empty, output: UpdateStatus },
  /** Installs the verified update now; refused with `conflict` naming what a restart would interrupt. */
  'update:restart': { input: Empty, output: UpdateStatus },
  'settings:get': { input: Empty, output: ManagedView },
  // Wellbeing (issue 15): the signed-in person's own settings only (the database derives the person).
  'wellbeing:get': { input: Empty, output: WellbeingSettings },
  'wellbeing:set': { input: WellbeingInput, output: WellbeingSettings },
  /** Records the reveal of blurred content (audited); the renderer shows the text only once it answered. */
  'case:reveal': { input: RevealInput, output: RevealOutcome },
  'templates:list': { input: Empty, output: z.array(ReasonTemplate) },
  'templates:save': { input: TemplateSaveInput, output: ReasonTemplate },
  'templates:delete': { input: TemplateDeleteInput, output: z.object({ id: z.number().int() }) },
  'views:list': { input: Empty, output: z.array(SavedView) },
  'views:save': { input: ViewSaveInput, output: SavedView },
  'views:delete': { input: ViewDeleteInput, output: z.object({ id: z.number().int() }) },
  // Dead letters (issue 15, admins; the database refuses anyone else). Replay/discard carry a client-chosen id.
  'deadLetters:list': { input: DeadLettersQuery.optional(), output: z.array(DeadLetterSummary) },
  'deadLetters:get': { input: z.object({ id: z.number().int().positive() }).strict(), output: DeadLetterDetail },
  'deadLetters:replay': { input: DeadLetterAction, output: DeadLetterActionResult },
  'deadLetters:discard': { input: DeadLetterAction, output: DeadLetterActionResult },
  /** Presence (issue 14): the signed-in person is viewing / typing on a case, or left it; answers the case's presence. */
  'presence:touch': { input: PresenceTouchInput, output: z.array(PresenceEntry) },
  /** Who is viewing or typing on these cases now (unexpired; the caller included). */
  'presence:list': { input: PresenceListInput, output: z.array(PresenceEntry) },
  /**
   * Notifications (issue 14), the Electron shell's half of the renderer's notification port
   * (src/renderer/src/lib/notify.ts): the badge count, and a desktop notification when `notice` is given.
   * `shown` is false where the shell has none (the dev host: the browser shows its own).
   */
  'shell:attention': { input: AttentionInput, output: z.object({ shown: z.boolean() }) },
  // Bulk actions (issue 14, supervisors; the database refuses anyone else). Preview reads; run and undo start
  // a job in the core (progress as bulk:progress events), each case through the normal command path.
  'bulk:preview': { input: BulkSelection, output: BulkPreview },
  'bulk:run': { input: BulkRunInput, output: BulkJob },
  'bulk:undo': { input: BulkUndoInput, output: BulkJob },
  'bulk:get': { input: z.object({ batchId: BatchId }).strict(), output: BulkJob },
} as const satisfies Record<CommandName, { input: z.ZodType; output: z.ZodType }>;

export type Commands = typeof commands;
export type CommandInput<K extends CommandName> = z.input<Commands[K]['input']>;
export type CommandOutput<K extends CommandName> = z.infer<Commands[K]['output']>;

export const CaseUpdated = z.object({ caseId: z.string(), status: CaseStatus, version: z.number().int(), level: z.number().int() });
export const events = {
  'case:updated': CaseUpdated,
  /** Something in the queue changed (coalesced): read what changed (`cases:list` with `updatedSince`). */
  'queue:changed': z.object({ at: z.string() }),
  'connection:changed': ConnectionState,
  /** Someone signed in or out at this seat (or the kept session opened): read session:get. */
  'session:changed': z.object({ signedIn: z.boolean() }),
  /** One of the acting user's outbox entries changed state. */
  'outbox:changed': OutboxEntry,
  /** The update state changed (progress, ready, required, whether a restart is safe now). */
  'update:changed': UpdateStatus,
  /** A bulk job of the signed-in person moved on (issue 14): per-case results so far. */
  'bulk:progress': BulkJob,
} as const satisfies Record<EventName, z.ZodType>;
export type EventPayload<K extends EventName> = z.infer<(typeof events)[K]>;


/** Errors cross the boundary as values, never as thrown exceptions. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };

/** What lib/api.ts, the preload bridge and the dev host client all provide. */
export type Bridge = {
  invoke<K extends CommandName>(name: K, input: CommandInput<K>): Promise<Result<CommandOutput<K>>>;
  on<K extends EventName>(name: K, cb: (payload: EventPayload<K>) => void): () => void;
};

// Compile-time completeness: the plain channel lists and the schema maps name the same things.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _commandsComplete: Same<keyof Commands, CommandName> = true;
const _eventsComplete: Same<keyof typeof events, EventName> = true;
void _commandsComplete;
void _eventsComplete;
void COMMAND_NAMES;
void EVENT_NAMES;
