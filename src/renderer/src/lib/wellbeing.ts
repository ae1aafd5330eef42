// Wellbeing rules (issue 15), pure so they are unit-tested without a browser: which of a case's categories
// are sensitive, which of them this person shows blurred, the session's exposure count and when a break is
// suggested.
import { SENSITIVE_CATEGORIES, type SensitiveCategory } from '../../../shared/domain.js';

export { SENSITIVE_CATEGORIES, type SensitiveCategory };

export const CATEGORY_NAMES: Record<SensitiveCategory, string> = {
  violence: 'violence',
  self_harm: 'self-harm',
  sexual: 'sexual content',
  hate: 'hate',
};

const isSensitive = (c: unknown): c is SensitiveCategory => typeof c === 'string' && (SENSITIVE_CATEGORIES as readonly string[]).includes(c);

/**
 * The sensitive categories a case is in: the analysis's violation type and the categories of its key
 * phrases (a threat the classifier files under harassment can still carry a violence phrase), in the
 * fixed order of SENSITIVE_CATEGORIES.
 */
export function sensitiveCategoriesOf(c: {
  violationType?: string | null;
  analysis?: { violationType?: string | null; keyPhrases?: Array<{ category?: string | null }> } | null;
}): SensitiveCategory[] {
  const found = new Set<string>();
  for (const v of [c.violationType, c.analysis?.violationType, ...(c.analysis?.keyPhrases ?? []).map((p) => p.category)]) if (isSensitive(v)) found.add(v);
  return SENSITIVE_CATEGORIES.filter((x) => found.has(x));
}

/** The categories this case is shown blurred for: its sensitive ones the person opted out of seeing at once. */
export function blurredCategories(categories: SensitiveCategory[], hidden: readonly SensitiveCategory[]): SensitiveCategory[] {
  return categories.filter((x) => hidden.includes(x));
}

/** The label over blurred content, naming its categories. */
export function blurLabel(categories: SensitiveCategory[]): string {
  const names = categories.map((x) => CATEGORY_NAMES[x]);
  const list = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `Hidden: ${list}`;
}

/** The break point in force: the person's own, else the installation's default; 0 means never. */
export function effectiveBreakAfter(s: { breakAfter: number | null; defaultBreakAfter: number }): number {
  return s.breakAfter ?? s.defaultBreakAfter;
}

export interface Exposure {
  /** Distinct cases in sensitive categories opened this session. */
  opened: string[];
  /** The count when the person last dismissed the suggestion (0: never dismissed). */
  dismissedAt: number;
}

export const NO_EXPOSURE: Exposure = { opened: [], dismissedAt: 0 };

/** Opening a case: counted once per session, and only when it is in a sensitive category. */
export function noteOpened(e: Exposure, caseId: string, categories: SensitiveCategory[]): Exposure {
  if (categories.length === 0 || e.opened.includes(caseId)) return e;
  return { ...e, opened: [...e.opened, caseId] };
}

/**
 * Whether a break is suggested now: from the break point on, and after a dismissal again only once as many
 * more sensitive cases were opened (dismissed at 5 with a point of 5: suggested again at 10).
 */
export function breakDue(e: Exposure, breakAfter: number): boolean {
  if (breakAfter <= 0) return false;
  const n = e.opened.length;
  return n >= breakAfter && n >= e.dismissedAt + breakAfter;
}

export function dismissBreak(e: Exposure): Exposure {
  return { ...e, dismissedAt: e.opened.length };
}
