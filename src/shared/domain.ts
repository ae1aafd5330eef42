// Domain vocabulary shared by the core, the IPC contract and the UI. Depends on zod alone.
import { z } from 'zod';
import { StatementOfReasons } from './statement.js';

export const CATEGORY_IDS = [
  'harassment',
  'hate',
  'violence',
  'sexual',
  'self_harm',
  'spam',
  'personal_data',
] as const;
export const CategoryId = z.enum(CATEGORY_IDS);
export type CategoryId = z.infer<typeof CategoryId>;
/**
 * The categories a moderator may opt out of seeing at once (issue 15, wellbeing): shown blurred with a
 * label until revealed, each reveal audited. The same list is checked in the database
 * (resources/db/functions/api/set_wellbeing.sql, record_reveal.sql).
 */
export const SENSITIVE_CATEGORIES = ['violence', 'self_harm', 'sexual', 'hate'] as const;
export const SensitiveCategory = z.enum(SENSITIVE_CATEGORIES);
export type SensitiveCategory = z.infer<typeof SensitiveCategory>;
/**
 * What a person may reveal (audited by api.record_reveal): a blurred sensitive category, or the masked
 * personal data of a case (issue 14: card numbers, SSNs, IBANs, e-mail addresses, phone numbers).
 */
export const REVEAL_CATEGORIES = [...SENSITIVE_CATEGORIES, 'personal_data'] as const;
export const RevealCategory = z.enum(REVEAL_CATEGORIES);
export type RevealCategory = z.infer<typeof RevealCategory>;
/** A category id or `ok` for clean content (evaluation labels, violationType). */
export const Label = z.enum([...CATEGORY_IDS, 'ok']);
export type Label = z.infer<typeof Label>;

export const Severity = z.enum(['none', 'low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof Severity>;
export const SEVERITY_RANK: Record<Severity, number> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };

export const CaseStatus = z.enum([
  'analyzing',
  'auto_resolved',
  'awaiting_review',
  'executing',
  'actioned',
  'reversing',
  'closed',
  'failed',
]);
export type CaseStatus = z.infer<typeof CaseStatus>;

export const Priority = z.enum(['normal', 'urgent']);
export type Priority = z.infer<typeof Priority>;

export const Role = z.enum(['moderator', 'supervisor', 'admin']);
export type Role = z.infer<typeof Role>;
export const ROLE_RANK: Record<Role, number> = { moderator: 1, supervisor: 2, admin: 3 };

/** Why a case is (or was) in human review. */
export const ReviewKind = z.enum(['initial', 'escalation', 'rollback', 'appeal']);
export type ReviewKind = z.infer<typeof ReviewKind>;

export const Decision = z.enum(['approve', 'warn', 'remove', 'remove_and_ban', 'escalate']);
export type Decision = z.infer<typeof Decision>;
export const AppealOutcome = z.enum(['uphold', 'overturn']);
export type AppealOutcome = z.infer<typeof AppealOutcome>;

export const ActionKind = z.enum(['remove_content', 'restore_content', 'ban_user', 'unban_user', 'warn_user']);
export type ActionKind = z.infer<typeof ActionKind>;

export const Verdict = z.enum(['ok', 'review', 'auto_action']);
export type Verdict = z.infer<typeof Verdict>;

export const KeyPhrase = z.object({
  text: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  category: Label.optional(),
});
export type KeyPhrase = z.infer<typeof KeyPhrase>;

/**
 * Which confidence band of the policy decided the route (issue 11): auto-resolve only above the clean
 * threshold, auto-action only above the category's auto-action band, everything else a human.
 */
export const AnalysisBand = z.object({
  outcome: z.enum(['auto_resolve', 'auto_action', 'review']),
  /** The category the band belongs to (`ok` for the clean threshold). */
  category: Label,
  confidence: z.number().min(0).max(1),
  /** The threshold compared against (null: none applies, e.g. a human is required whatever the score). */
  threshold: z.number().min(0).max(1).nullable(),
  /** Set when the content is held for a human regardless of the score (urgent, reported for a threat…). */
  held: z.string().optional(),
  /** One line a moderator reads: "auto-resolved: confidence 0.97 ≥ 0.95". */
  explanation: z.string(),
});
export type AnalysisBand = z.infer<typeof AnalysisBand>;

/** DESIGN §8: what every classifier adapter produces. */
export const AnalysisResult = z.object({
  verdict: Verdict,
  suggestedAction: Decision,
  violationType: Label,
  severity: Severity,
  confidence: z.number().min(0).max(1),
  reasoning: z.string(),
  keyPhrases: z.array(KeyPhrase),
  classifier: z.string(),
  model: z.string().optional(),
  /** Set when the preferred classifier could not answer and another one did. */
  fallbackFrom: z.string().optional(),
  fallbackReason: z.string().optional(),
  /** The policy's revision and content hash when this analysis was made (a policy change is visible per case). */
  policyVersion: z.string().optional(),
  band: AnalysisBand.optional(),
});
export type AnalysisResult = z.infer<typeof AnalysisResult>;

export const Reason = z.string().trim().min(3, 'a reason of at least 3 characters is required').max(2000);
export const UserId = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');
/** A person's command id (the idempotency key). `appeal:` and `auto:` are the database's own (DESIGN §10). */
export const CommandId = z
  .string()
  .trim()
  .min(8)
  .max(128)
  .refine((id) => !/^(appeal|auto):/i.test(id), 'the prefixes appeal: and auto: are reserved');

export const CaseSummary = z.object({
  id: z.string(),
  contentId: z.string(),
  authorId: z.string(),
  status: CaseStatus,
  level: z.number().int(),
  reviewKind: ReviewKind.nullable(),
  version: z.number().int(),
  severity: Severity.nullable(),
  violationType: Label.nullable(),
  verdict: Verdict.nullable(),
  priority: Priority,
  claimedBy: z.string().nullable(),
  claimUntil: z.string().nullable(),
  textPreview: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  slaDueAt: z.string().nullable(),
  /** A moderator asked a supervisor to look at this case again. */
  escalationRequest: z.object({ by: z.string(), at: z.string(), reason: z.string() }).nullable(),
});
export type CaseSummary = z.infer<typeof CaseSummary>;

export const DecisionRecord = z.object({
  commandId: z.string(),
  decision: z.union([Decision, AppealOutcome]),
  reason: z.string(),
  policyIds: z.array(z.string()),
  actor: z.string(),
  level: z.number().int(),
  reviewKind: ReviewKind,
  durationHours: z.number().int().positive().optional(),
  at: z.string(),
});
export type DecisionRecord = z.infer<typeof DecisionRecord>;

export const ActionRecord = z.object({
  id: z.string(),
  kind: ActionKind,
  status: z.enum(['pending', 'done', 'failed', 'not_reversible']),
  reversible: z.boolean(),
  reverses: z.string().nullable(),
  commandId: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  durationHours: z.number().nullable(),
  createdAt: z.string(),
  executedAt: z.string().nullable(),
});
export type ActionRecord = z.infer<typeof ActionRecord>;

export const AuditEvent = z.object({
  id: z.number().int(),
  caseId: z.string().nullable(),
  type: z.string(),
  actor: z.string(),
  tool: z.string(),
  payload: z.record(z.string(), z.unknown()),
  hash: z.string(),
  prevHash: z.string().nullable(),
  at: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const CaseDetail = CaseSummary.extend({
  text: z.string(),
  url: z.string().nullable(),
  reportedBy: z.string().nullable(),
  reportReason: z.string().nullable(),
  analysis: AnalysisResult.nullable(),
  excludedDeciders: z.array(z.string()),
  lastDecision: DecisionRecord.nullable(),
  failureReason: z.string().nullable(),
  /** The platform edited the text after the case was decided (the decision was made on the earlier text). */
  editedAfterDecisionAt: z.string().nullable().optional(),
  actions: z.array(ActionRecord),
  /** The statements of reasons sent to the author, one per carried-out restricting decision, oldest first (issue 15). */
  statements: z.array(StatementOfReasons).optional(),
  timeline: z.array(AuditEvent),
  allowedDecisions: z.array(z.union([Decision, AppealOutcome])),
});
export type CaseDetail = z.infer<typeof CaseDetail>;

export const Moderator = z.object({
  id: z.string(),
  displayName: z.string(),
  role: Role,
  createdAt: z.string(),
});
export type Moderator = z.infer<typeof Moderator>;

/** Error codes a UI or a script can act on; the CLI maps them to exit codes (DESIGN §13). */
export const ErrorCode = z.enum(['invalid_input', 'not_found', 'conflict', 'forbidden', 'unavailable', 'internal', 'update_required']);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** What supervisors watch (DESIGN §11): the backlog now, and how decisions went over a recent window. */
export const SupervisorMetrics = z.object({
  backlog: z.object({
    waiting: z.number().int(),
    urgent: z.number().int(),
    slaBreached: z.number().int(),
    /** level-2 reviews (escalations, rollbacks, appeals) still open */
    escalated: z.number().int(),
    oldestCreatedAt: z.string().nullable(),
  }),
  window: z.object({ days: z.number().int(), from: z.string() }),
  /** Human first-level decisions compared with the AI's suggested action (escalations not counted). */
  agreement: z.object({ decided: z.number().int(), agreed: z.number().int(), rate: z.number().nullable() }),
  /** Appeal reviews decided, and how many overturned the decision. */
  appeals: z.object({ decided: z.number().int(), overturned: z.number().int(), rate: z.number().nullable() }),
  /** Cases the agent settled without a human (clean, or an allowed automatic action). */
  automatic: z.object({ resolved: z.number().int(), actioned: z.number().int() }),
});
export type SupervisorMetrics = z.infer<typeof SupervisorMetrics>;
