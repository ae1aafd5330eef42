// The statement of reasons an affected author receives for a carried-out decision (EU DSA Art. 17; issue 15).
// One shape for the webhook's additive `statement` field, the case view and the bulk export. Depends on zod alone.
import { z } from 'zod';
import { csvLines } from './csv.js';

/** What a decision restricts, one entry per platform action it takes (Art. 17(3)(a)). */
export const StatementRestriction = z.object({
  /** The platform action that carries it out. */
  action: z.enum(['warn_user', 'remove_content', 'ban_user']),
  /** The DSA's kind of restriction: visibility of the content, the account, or none (a warning). */
  type: z.enum(['content_removed', 'account_suspended', 'warning']),
  /** Hours, for a temporary suspension; null: until further notice (removal, indefinite ban) or not applicable. */
  durationHours: z.number().int().positive().nullable(),
  /** When a temporary suspension ends (ISO 8601), else null. */
  endsAt: z.string().nullable(),
});
export type StatementRestriction = z.infer<typeof StatementRestriction>;

/** A policy the decision relies on (Art. 17(3)(e): the contractual ground and why). */
export const StatementGround = z.object({
  /** Our policy's category id (`violence`, `spam`, …). */
  policyId: z.string(),
  /** The policy's own wording (resources/policy.json `categories.<id>.description`). */
  policyText: z.string(),
});
export type StatementGround = z.infer<typeof StatementGround>;

export const StatementOfReasons = z.object({
  schemaVersion: z.literal(1),
  /** The statement's id: the decision's command id (`auto:<caseId>` for the agent's own decision). */
  id: z.string(),
  caseId: z.string(),
  contentId: z.string(),
  authorId: z.string(),
  /** When the decision was made (ISO 8601). */
  decidedAt: z.string(),
  decision: z.enum(['warn', 'remove', 'remove_and_ban']),
  restrictions: z.array(StatementRestriction).min(1),
  /** Where the restriction applies: the whole service, everywhere it is offered (actions are platform-wide). */
  territorialScope: z.literal('worldwide'),
  /** Art. 17(3)(b): the facts and circumstances relied on. */
  facts: z.string(),
  /** How the content came to us: a user's report (a notice) or our own initiative (automated scanning). */
  source: z.enum(['notice', 'own_initiative']),
  /** Art. 17(3)(c): the content was detected or identified by automated means. */
  automatedDetection: z.boolean(),
  /** Art. 17(3)(c): `fully` — the agent decided alone; `not_automated` — a person decided. */
  automatedDecision: z.enum(['fully', 'not_automated']),
  /** We apply our terms (the policy), not a finding of illegality: `incompatible_with_terms`. */
  groundType: z.literal('incompatible_with_terms'),
  grounds: z.array(StatementGround),
  /** The policy edition the analysis ran under (revision+hash), when known. */
  policyVersion: z.string().nullable(),
  /** The decider's explanation of why the content breaks the policy. */
  explanation: z.string(),
  /** Art. 17(3)(f): the redress possibilities. */
  redress: z.object({
    internalAppeal: z.string(),
    outOfCourt: z.string(),
    judicial: z.string(),
  }),
  /** The whole statement as plain text, what the author is shown. */
  text: z.string(),
});
export type StatementOfReasons = z.infer<typeof StatementOfReasons>;

/** The columns of the bulk export (`guardian statements export`), one row per decision, in this order. */
export const STATEMENT_EXPORT_COLUMNS = [
  'statement_id',
  'case_id',
  'content_id',
  'author_id',
  'decided_at',
  'decision',
  'restrictions',
  'duration_hours',
  'ends_at',
  'territorial_scope',
  'source',
  'automated_detection',
  'automated_decision',
  'ground_type',
  'policy_ids',
  'policy_version',
  'facts',
  'explanation',
  'redress',
  'reversed',
] as const;
export type StatementExportColumn = (typeof STATEMENT_EXPORT_COLUMNS)[number];
export type StatementExportRow = Record<StatementExportColumn, string | number | boolean | null>;
export const StatementExportRowSchema = z.object(
  Object.fromEntries(STATEMENT_EXPORT_COLUMNS.map((c) => [c, z.union([z.string(), z.number(), z.boolean(), z.null()])])) as Record<
    StatementExportColumn,
    z.ZodUnion<[z.ZodString, z.ZodNumber, z.ZodBoolean, z.ZodNull]>
  >,
);
/** The export's window: statements recorded at or after `from`, before `to` (ISO 8601). */
export const StatementExportQuery = z
  .object({ from: z.string().datetime({ offset: true }).optional(), to: z.string().datetime({ offset: true }).optional() })
  .strict();

/**
 * RFC 4180 CSV with a header row: fields quoted when they hold a comma, quote or line break. A text field
 * starting with = + - @ (user text: a report reason, an explanation) gets a leading ' so a spreadsheet
 * shows it rather than running it as a formula (OWASP "CSV injection").
 */
export function statementsCsv(rows: StatementExportRow[]): string {
  return `${csvLines([[...STATEMENT_EXPORT_COLUMNS], ...rows.map((r) => STATEMENT_EXPORT_COLUMNS.map((c) => r[c]))])}\r\n`;
}
