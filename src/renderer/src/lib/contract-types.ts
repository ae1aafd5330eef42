// Types only: the renderer uses the contract's and the domain's types, never the core.
export type {
  CaseView,
  CasesQuery,
  AuditQuery,
  CommandOutcome,
  OutboxEntry,
  ConnectionState,
  ContractError,
  Session,
  SessionUser,
  SignInState,
  UpdateStatus,
  ManagedView,
  WellbeingSettings,
  ReasonTemplate,
  SavedView,
  PersonEntry,
  PersonAdded,
  PresenceEntry,
} from '../../../shared/contract';
export type { DeadLetterActionResult, DeadLetterDetail, DeadLetterSummary } from '../../../shared/dead-letters';
export type {
  ActionRecord,
  AuditEvent,
  CaseStatus,
  CaseSummary,
  Decision,
  AppealOutcome,
  Moderator,
  Role,
  Severity,
  Label,
  KeyPhrase,
  SupervisorMetrics,
} from '../../../shared/domain';
export { SEVERITY_RANK } from '../../../shared/domain';
export type { Dashboard, DashboardBucket, DashboardModerator, DashboardWindow } from '../../../shared/dashboard';
