import type {
  AppealOutcome,
  AuditEvent,
  CaseDetail,
  CaseStatus,
  CaseSummary,
  Decision,
  Moderator,
  Priority,
  Role,
  Severity,
  SupervisorMetrics,
} from '../shared/domain.js';

import type { CommandRequest, CommandTool } from '../shared/commands.js';
import type { Dashboard, DashboardWindow } from '../shared/dashboard.js';
import type { AddedPerson, PersonListing, PersonRecord, Whoami } from './services/people.js';
import type { DeadLetterAdmin } from './services/dead-letters.js';
import type { Bulk } from './services/bulk.js';
import type { BulkJob } from '../shared/bulk.js';

/** Where a state change came from (audit provenance; it grants nothing). */
export type Tool = CommandTool;

/**
 * A state change a person asks for. No actor: the database derives the person from the login
 * (DESIGN §10), so nothing a client sends can make it act as someone else.
 */
export type CommandInput = CommandRequest;
export type CommandType = CommandRequest['type'] | 'appeal_open';

export interface CommandResult {
  commandId: string;
  /** accepted: recorded and the case moved; execution follows asynchronously. */
  status: 'accepted' | 'applied';
  /** True when this command id had been seen before and the stored result is returned. */
  duplicate: boolean;
  case: CaseSummary;
}

export interface CommandStatus {
  commandId: string;
  status: 'accepted' | 'applied' | 'rejected' | 'failed';
  caseId: string | null;
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

export interface CaseQuery {
  status?: CaseStatus[];
  level?: number;
  limit?: number;
  offset?: number;
  search?: string;
  authorId?: string;
  claimedBy?: string;
  /** Only cases a moderator asked a supervisor to look at again. */
  escalationRequested?: boolean;
  /** Keyset paging: the sort key of the last row of the previous page; the rows after it in review order. */
  after?: { priority: Priority; severity?: Severity | null; slaDueAt?: string | null; createdAt: string; id: string };
  /** Incremental read: every case changed at or after this database time, whatever its status, each with `matches`. */
  updatedSince?: string;
  /** Put the change watermark (where the next `updatedSince` read starts) on every row. */
  withWatermark?: boolean;
}

/** A row of a case list: the summary, plus the incremental-read fields when they were asked for. */
export type CaseListRow = CaseSummary & { watermark?: string; matches?: boolean };

export interface AuditQuery {
  /** A whole case id, or its first 4+ hex digits (the short id the UI shows). */
  caseId?: string;
  /** The platform's content id of the case. */
  contentId?: string;
  /** Default oldest first (chain order); the audit view asks for newest first. */
  order?: 'newest' | 'oldest';
  actor?: string;
  type?: string;
  from?: string;
  to?: string;
  limit?: number;
}

export interface ConnectionState {
  database: 'up' | 'down' | 'embedded';
  broker: 'up' | 'down' | 'in-process';
}

export type CoreEvent =
  | { type: 'case.updated'; caseId: string; status: CaseStatus; version: number; level: number }
  | { type: 'connection.changed'; state: ConnectionState }
  /** A bulk job of this session moved on (issue 14): this session's listeners only. */
  | { type: 'bulk.progress'; job: BulkJob };

/** One person's session on the core, as the shell, the dev host and the CLI see it. */
export interface CoreApi {
  readonly mode: 'connected' | 'standalone';
  execute(cmd: CommandInput): Promise<CommandResult>;
  listCases(q?: CaseQuery): Promise<CaseListRow[]>;
  getCase(caseId: string): Promise<CaseDetail>;
  audit(q?: AuditQuery): Promise<AuditEvent[]>;
  /** Backlog now, and AI–human agreement, appeal overturns and automatic outcomes over the last `sinceDays` (default 7). */
  metrics(q?: { sinceDays?: number }): Promise<SupervisorMetrics>;
  /** The supervisor dashboard over a window (default 7d), aggregated by the database; forbidden below supervisor. */
  dashboard(q?: { window?: DashboardWindow }): Promise<Dashboard>;
  moderators(): Promise<Moderator[]>;
  /** Where a command stands in the shared database (undefined: never received). */
  commandStatus(commandId: string): Promise<CommandStatus | undefined>;
  /** The person this session's login is (api.whoami); refused (forbidden) for a login that is no active person. */
  whoami(): Promise<Whoami>;
  /** People admin (admins; the database refuses anyone else, and audits the refusal). */
  people: {
    list(): Promise<PersonListing[]>;
    add(input: { id: string; role: Role; displayName?: string }): Promise<AddedPerson>;
    disable(id: string): Promise<PersonRecord>;
    setRole(id: string, role: Role): Promise<PersonRecord>;
  };
  /** Dead letters (issue 15, admins; the database refuses anyone else): list, inspect, replay, discard. */
  deadLetters: DeadLetterAdmin;
  /** Bulk actions (issue 14, supervisors; the database refuses anyone else, up front and per case). */
  bulk?: Bulk;
  connection(): ConnectionState;
  onEvent(listener: (e: CoreEvent) => void): () => void;
}
