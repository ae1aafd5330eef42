// Reason templates (issue 14): which come first for a case and how their placeholders are filled. Pure
// (shared by the renderer's picker and its tests).
import type { ReasonTemplate } from './contract.js';

export interface TemplateContext {
  /** The case's policy category (the analysis' violation type), if any. */
  category?: string | null;
  authorId: string;
  contentId: string;
  /** The policies ticked in the form. */
  policyIds?: readonly string[];
}

export const PLACEHOLDERS = ['{category}', '{author}', '{policy}', '{content}'] as const;

const words = (id: string) => id.replace(/_/g, ' ');

/** The case's category's templates first (team before own, as the database lists them), then the rest. */
export function orderTemplates(list: readonly ReasonTemplate[], category?: string | null): ReasonTemplate[] {
  const first = list.filter((t) => category && t.category === category);
  return [...first, ...list.filter((t) => !first.includes(t))];
}

/** Fills {category}, {author}, {policy} and {content}; unknown placeholders are left as written. */
export function fillTemplate(body: string, ctx: TemplateContext): string {
  const category = ctx.category && ctx.category !== 'ok' ? words(ctx.category) : 'policy';
  const policy = ctx.policyIds?.length ? ctx.policyIds.map(words).join(', ') : category;
  const values: Record<string, string> = { category, author: ctx.authorId, policy, content: ctx.contentId };
  return body.replace(/\{(category|author|policy|content)\}/g, (_m, k: string) => values[k]!);
}
