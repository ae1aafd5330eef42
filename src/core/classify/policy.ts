// The moderation policy (DESIGN §8): which categories exist, how severe they are, which low-risk
// action (if any) may be taken without a human, and what the rules classifier looks for.
// Loaded from JSON and validated with zod so that a hand-edited policy fails at start with the file
// and the field named, instead of silently classifying with half a policy.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
  /**
   * Confidence bands (issue 11, as Hive's per-class thresholds): below `review` a rules signal of this
   * category is too weak to name the category (it still lowers the clean confidence); from `review` a
   * human looks; from `autoAction` (null = never) one of `autoActions` may run without a human.
   * Omitted: review 0.3 and autoAction = autoActionMinConfidence when autoActions is not empty.
   */
  bands: z
    .strictObject({
      review: z.number().min(0).max(1),
      autoAction: z.number().min(0).max(1).nullable(),
    })
    .optional(),
});
export type CategoryPolicy = z.infer<typeof CategoryPolicy>;

export const Policy = z.strictObject({
  $comment: z.string().optional(),
  version: z.literal(1),
  /** The policy author's name for this edition; recorded (with the file's hash) on every analysis. */
  revision: z.string().min(1).max(64).default('unversioned'),
  /** Minimum rules confidence for an automatic action; below it the case goes to a human. */
  autoActionMinConfidence: z.number().min(0).max(1),
  /** What decides auto-resolve vs a human, for every classifier (rules and Groq). */
  routing: z
    .strictObject({
      /** Only an `ok` verdict at least this confident is auto-resolved; a less sure one goes to review. */
      cleanMinConfidence: z.number().min(0).max(1),
      /** Content with one of these priorities is never settled without a human. */
      holdPriorities: z.array(z.enum(['normal', 'urgent'])).default(['urgent']),
      /** A report reason with a word starting with one of these holds the content for a human. */
      holdReportedFor: z.array(z.string().min(2)).default([]),
    })
    .default({ cleanMinConfidence: 0.9, holdPriorities: ['urgent'], holdReportedFor: [] }),
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
export type Policy = z.infer<typeof Policy> & {
  /** `revision+hash`: set by loadPolicy; recorded on every analysis so a policy change shows per case. */
  readonly policyVersion?: string;
};

export interface CategoryBands {
  review: number;
  autoAction: number | null;
}

/** A category's effective bands (the policy's, or the defaults documented on `bands`). */
export function bandsOf(policy: Policy, category: (typeof CATEGORY_IDS)[number]): CategoryBands {
  const cat = policy.categories[category];
  if (cat.bands) return cat.bands;
  return { review: 0.3, autoAction: cat.autoActions.length ? policy.autoActionMinConfidence : null };
}

/** Cross-field rules zod cannot express per field; each names the field it is about. */
function checkBands(policy: z.infer<typeof Policy>): { path: string; message: string } | null {
  for (const id of CATEGORY_IDS) {
    const b = policy.categories[id].bands;
    if (!b) continue;
    const at = `categories.${id}.bands`;
    if (b.autoAction !== null && b.autoAction <= b.review)
      return { path: `${at}.autoAction`, message: `must be above review (${b.review}), got ${b.autoAction}` };
    if (b.autoAction !== null && policy.categories[id].autoActions.length === 0)
      return { path: `${at}.autoAction`, message: 'set but the category lists no autoActions (use null)' };
    if (b.autoAction !== null && b.autoAction < policy.autoActionMinConfidence)
      return { path: `${at}.autoAction`, message: `below autoActionMinConfidence (${policy.autoActionMinConfidence})` };
  }
  return null;
}

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
  const bad = checkBands(parsed.data);
  if (bad) throw new PolicyError(abs, `${bad.path}: ${bad.message}`);
  return withVersion(parsed.data);
}

/** Stamp a parsed policy with `revision+hash` of its content (an unbumped edit still shows). */
export function withVersion(policy: z.infer<typeof Policy>): Policy {
  const { $comment: _c, ...content } = policy;
  const hash = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12);
  return { ...policy, policyVersion: `${policy.revision}+${hash}` };
}
