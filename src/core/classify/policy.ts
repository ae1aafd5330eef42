// The moderation policy (DESIGN §8): which categories exist, how severe they are, which low-risk
// action (if any) may be taken without a human, and what the rules classifier looks for.
// Loaded from JSON and validated with zod so that a hand-edited policy fails at start with the file
// and the field named, instead of silently classifying with half a policy.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRawPattern } from 'obscenity';
import { z } from 'zod';
import { resourcesDir } from '../resources.js';
import { CATEGORY_IDS, Decision, Severity } from '../../shared/domain.js';

/** Actions low-risk enough to run without a human. A ban or an escalation never is (DESIGN §8). */
export const LOW_RISK_ACTIONS = ['warn', 'remove'] as const;
export const LowRiskAction = z.enum(LOW_RISK_ACTIONS);
export type LowRiskAction = z.infer<typeof LowRiskAction>;

const RegexSource = z.string().min(1).superRefine((src, ctx) => {
  try {
    new RegExp(src, 'gi');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
  }
});

const TermPattern = z.string().min(1).superRefine((src, ctx) => {
  try {
    parseRawPattern(src);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid obscenity pattern: ${(err as Error).message}` });
  }
});

const PatternRule = z.strictObject({
  /** Short name shown in the reasoning ("threat of violence"). */
  name: z.string().min(1),
  /** JavaScript regular expression, matched case-insensitively against the original text. */
  regex: RegexSource,
  severity: Severity.optional(),
  /** How much one hit contributes to the category's confidence (0..1). */
  weight: z.number().min(0).max(1).default(0.7),
  /** A supporting hit (e.g. a link) raises confidence and is highlighted, but cannot flag content alone. */
  supportOnly: z.boolean().default(false),
});
export type PatternRule = z.infer<typeof PatternRule>;

const CategoryPolicy = z.strictObject({
  description: z.string().min(1),
  severity: Severity.exclude(['none']),
  /** What the rules classifier suggests to the human reviewer. */
  suggestedAction: Decision.exclude(['approve']),
  /** The strongest action an AI may suggest to a human for this category. */
  maxSuggestedAction: Decision.exclude(['approve']).default('remove'),
  /** Actions allowed without a human ([] = review required). Only warn/remove can be listed. */
  autoActions: z.array(LowRiskAction).default([]),
  /** Word-level terms in obscenity pattern syntax ("|idiot" = word start); l33t/repeats/spacing tolerated. */
  terms: z.array(TermPattern).default([]),
  termWeight: z.number().min(0).max(1).default(0.6),
  termSeverity: Severity.optional(),
  patterns: z.array(PatternRule).default([]),
  /** Hits of this category count as support for these categories when they also match (phone in spam). */
  yieldsTo: z.array(z.enum(CATEGORY_IDS)).default([]),
});
export type CategoryPolicy = z.infer<typeof CategoryPolicy>;

export const Policy = z.strictObject({
  $comment: z.string().optional(),
  version: z.literal(1),
  /** Minimum rules confidence for an automatic action; below it the case goes to a human. */
  autoActionMinConfidence: z.number().min(0).max(1),
  profanity: z.strictObject({
    /** obscenity's built-in English word list; `none` uses only the category terms. */
    dataset: z.enum(['english', 'none']),
    /** Words of the dataset (its `originalWord`) not to flag at all. */
    ignore: z.array(z.string()).default([]),
    /** Dataset words that belong to a category other than `defaultCategory`. */
    categoryOf: z.partialRecord(z.enum(CATEGORY_IDS), z.array(z.string())).default({}),
    defaultCategory: z.enum(CATEGORY_IDS),
    severity: Severity.exclude(['none']),
    weight: z.number().min(0).max(1),
  }),
  categories: z.strictObject(
    Object.fromEntries(CATEGORY_IDS.map((id) => [id, CategoryPolicy])) as Record<
      (typeof CATEGORY_IDS)[number],
      typeof CategoryPolicy
    >,
  ),
});
export type Policy = z.infer<typeof Policy>;

export class PolicyError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`Invalid policy file ${file}: ${message}`);
    this.name = 'PolicyError';
  }
}

export { resourcesDir } from '../resources.js';

export function defaultPolicyFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(resourcesDir(env), 'policy.json');
}

/** Read and validate a policy file. Throws PolicyError naming the file and the first bad field. */
export function loadPolicy(file: string = defaultPolicyFile()): Policy {
  const abs = path.resolve(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (err) {
    throw new PolicyError(abs, (err as Error).message);
  }
  const parsed = Policy.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(root)';
    throw new PolicyError(abs, `${where}: ${issue.message}`);
  }
  return parsed.data;
}
