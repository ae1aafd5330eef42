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
  SupervisorMetrics,
} from '../shared/domain.js';

/** Where a state change came from (audit provenance). */
export type Tool = 'cli' | 'ui' | 'agent' | 'ingest' | 'worker' | 'api';

export interface CommandMeta {
  /** Client-chosen idempotency key; the same id twice returns the stored result. */
  commandId: string;
  /** The user (moderators.id) acting. */
  actor: string;
  tool: Tool;
  /** The case version the actor saw; a different current version is a conflict. */
  expectedVersion?: number;
}

export type CommandInput =
  | ({ type: 'claim'; caseId: string } & CommandMeta)
  | ({ type: 'release'; caseId: string } & CommandMeta)
  | ({
      type: 'decide';
      caseId: string;
      decision: Decision;
      reason: string;
      policyIds?: string[];
      durationHours?: number;
    } & CommandMeta)
  | ({ type: 'rollback'; caseId: string; reason: string } & CommandMeta)
  | ({ type: 'appeal_decide'; caseId: string; outcome: AppealOutcome; reason: string } & CommandMeta)
  /** A note on the case's timeline. */
  | ({ type: 'note'; caseId: string; text: string } & CommandMeta)
  /** Asks a supervisor to look at the case again (e.g. after an offline decision lost a conflict). */
  | ({ type: 'request_escalation'; caseId: string; reason: string } & CommandMeta);

export type CommandType = CommandInput['type'] | 'appeal_open';

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
  after?: { priority: Priority; createdAt: string; id: string };
  /** Incremental read: every case changed at or after this database time, whatever its status, each with `matches`. */
  updatedSince?: string;
  /** Put the change watermark (where the next `updatedSince` read starts) on every row. */
  withWatermark?: boolean;
}

/** A row of a case list: the summary, plus the incremental-read fields when they were asked for. */
export type CaseListRow = CaseSummary & { watermark?: string; matches?: boolean };

export interface AuditQuery {
  caseId?: string;
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
  | { type: 'connection.changed'; state: ConnectionState };

/** The core as the shell, the worker and the CLI see it. */
export interface CoreApi {
  readonly mode: 'connected' | 'standalone';
  execute(cmd: CommandInput): Promise<CommandResult>;
  listCases(q?: CaseQuery): Promise<CaseListRow[]>;
  getCase(caseId: string): Promise<CaseDetail>;
  audit(q?: AuditQuery): Promise<AuditEvent[]>;
  /** Backlog now, and AI–human agreement, appeal overturns and automatic outcomes over the last `sinceDays` (default 7). */
  metrics(q?: { sinceDays?: number }): Promise<SupervisorMetrics>;
  moderators(): Promise<Moderator[]>;
  /** Where a command stands in the shared database (undefined: never received). */
  commandStatus(commandId: string): Promise<CommandStatus | undefined>;
  addModerator(input: { id: string; role: Role; displayName?: string; actor: string; tool: Tool }): Promise<Moderator>;
  connection(): ConnectionState;
  onEvent(listener: (e: CoreEvent) => void): () => void;
}
