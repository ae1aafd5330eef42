// Offline evaluation of a classifier on labelled JSONL (`guardian eval FILE.jsonl [--json]`,
// DESIGN §13). The report's JSON shape is a public contract that scripts read: add, never rename.
// The predicted label is the result's violationType ('ok' for clean). Besides accuracy per category,
// it counts how often the classifier would act without a human, and any automatic ban (must be 0).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { Label, Priority, type AnalysisResult } from '../../shared/domain.js';
import { invalidInput } from '../errors.js';
import { holdUrgentForHuman } from './bands.js';
import type { Classifier } from './classifier.js';
import { bandsOf, type Policy } from './policy.js';

export const EvalLine = z
  .object({
    text: z.string().min(1, 'must be a non-empty string'),
    label: Label,
    // As the ingestion message would carry them: the routing holds urgent or reported content.
    priority: Priority.optional(),
    reportReason: z.string().optional(),
  })
  .passthrough();
export type EvalLine = { text: string; label: Label; priority?: Priority; reportReason?: string };

export interface CategoryScore {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvalReport {
  classifier: string;
  n: number;
  perCategory: Record<Label, CategoryScore>;
  /** confusion[expected][predicted] = count. */
  confusion: Record<Label, Record<Label, number>>;
  /** Share of items whose verdict was auto_action. */
  autoActionRate: number;
  /** Items auto-actioned with remove_and_ban: a policy breach, must be 0. */
  autoBans: number;
  /** Harmful items (label ≠ ok) the routing would auto-resolve: nobody would ever see them. */
  harmfulAutoResolved: { count: number; rate: number; of: number };
  /** Clean items (label ok) the routing would send to a human or act on. */
  cleanFlagged: { count: number; rate: number; of: number };
  /** How each item was routed, by band outcome. */
  routing: { auto_resolve: number; auto_action: number; review: number };
  /** The bands the policy applied (when the policy is known) and the policy versions seen. */
  bands?: { cleanMinConfidence: number; categories: Record<string, { review: number; autoAction: number | null }> };
  policyVersions: string[];
}

const LABELS = Label.options;

/** Parse a JSONL file of `{ text, label }` lines; an invalid line fails with its line number. */
export async function readEvalFile(path: string): Promise<EvalLine[]> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    throw invalidInput(`cannot read ${path}: ${(err as Error).message}`);
  }
  const lines: EvalLine[] = [];
  raw.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw invalidInput(`${path}:${i + 1}: not valid JSON (${(err as Error).message})`, { line: i + 1 });
    }
    const parsed = EvalLine.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || '(line)';
      const hint = field === 'label' ? ` (one of ${LABELS.join(', ')})` : '';
      throw invalidInput(`${path}:${i + 1}: ${field}: ${issue.message}${hint}`, { line: i + 1 });
    }
    const { text, label, priority, reportReason } = parsed.data;
    lines.push({ text, label, ...(priority ? { priority } : {}), ...(reportReason ? { reportReason } : {}) });
  });
  if (lines.length === 0) throw invalidInput(`${path}: no evaluation lines`);
  return lines;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** Score results against labels (pure: the CLI and the tests share it). */
export function scoreEval(classifier: string, lines: EvalLine[], results: AnalysisResult[], policy?: Policy): EvalReport {
  const confusion = Object.fromEntries(
    LABELS.map((a) => [a, Object.fromEntries(LABELS.map((b) => [b, 0]))]),
  ) as Record<Label, Record<Label, number>>;
  let auto = 0;
  let autoBans = 0;
  const routing = { auto_resolve: 0, auto_action: 0, review: 0 };
  let harmfulAuto = 0;
  let cleanFlagged = 0;
  const versions = new Set<string>();
  lines.forEach((line, i) => {
    const r = results[i]!;
    confusion[line.label][r.violationType]++;
    // The route as the agent takes it: the verdict after the bands, and the analyze node's urgent hold.
    const routed = holdUrgentForHuman(r, line).verdict;
    routing[routed === 'ok' ? 'auto_resolve' : routed]++;
    if (line.label !== 'ok' && routed === 'ok') harmfulAuto++;
    if (line.label === 'ok' && routed !== 'ok') cleanFlagged++;
    if (r.policyVersion) versions.add(r.policyVersion);
    if (r.verdict === 'auto_action') {
      auto++;
      if (r.suggestedAction === 'remove_and_ban') autoBans++;
    }
  });
  const perCategory = Object.fromEntries(
    LABELS.map((label) => {
      const tp = confusion[label][label];
      const support = LABELS.reduce((s, p) => s + confusion[label][p], 0);
      const predicted = LABELS.reduce((s, e) => s + confusion[e][label], 0);
      const precision = predicted ? tp / predicted : 0;
      const recall = support ? tp / support : 0;
      const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
      return [label, { precision: round(precision), recall: round(recall), f1: round(f1), support }];
    }),
  ) as Record<Label, CategoryScore>;
  const harmful = lines.filter((l) => l.label !== 'ok').length;
  const clean = lines.length - harmful;
  return {
    classifier,
    n: lines.length,
    perCategory,
    confusion,
    autoActionRate: lines.length ? round(auto / lines.length) : 0,
    autoBans,
    harmfulAutoResolved: { count: harmfulAuto, rate: harmful ? round(harmfulAuto / harmful) : 0, of: harmful },
    cleanFlagged: { count: cleanFlagged, rate: clean ? round(cleanFlagged / clean) : 0, of: clean },
    routing,
    ...(policy ? { bands: bandsReport(policy) } : {}),
    policyVersions: [...versions].sort(),
  };
}

function bandsReport(policy: Policy): NonNullable<EvalReport['bands']> {
  const categories = Object.fromEntries((Object.keys(policy.categories) as Array<keyof Policy['categories']>).map((c) => [c, bandsOf(policy, c)]));
  return { cleanMinConfidence: policy.routing.cleanMinConfidence, categories };
}

/**
 * Classify every line (one at a time: a rate-limited model is the usual case) and score it.
 * `onProgress(done, total)` lets the CLI report progress on stderr.
 */
export async function runEval(
  lines: EvalLine[],
  classifier: Classifier,
  onProgress?: (done: number, total: number) => void,
  policy?: Policy,
): Promise<EvalReport> {
  const results: AnalysisResult[] = [];
  for (const [i, line] of lines.entries()) {
    results.push(
      await classifier.classify({
        caseId: `eval-${i + 1}`,
        contentId: `eval-${i + 1}`,
        authorId: 'eval',
        text: line.text,
        ...(line.priority ? { priority: line.priority } : {}),
        ...(line.reportReason ? { reportReason: line.reportReason } : {}),
      }),
    );
    onProgress?.(i + 1, lines.length);
  }
  return scoreEval(classifier.name, lines, results, policy ?? (classifier as { policy?: Policy }).policy);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

/** Human-readable report: per-category P/R/F1/support, the confusion matrix, auto-action rate. */
export function formatEvalTable(report: EvalReport): string {
  const pct = (x: number) => x.toFixed(3);
  const scores = table([
    ['category', 'precision', 'recall', 'f1', 'support'],
    ...LABELS.map((l) => {
      const s = report.perCategory[l];
      return [l, pct(s.precision), pct(s.recall), pct(s.f1), String(s.support)];
    }),
  ]);
  const short = (l: string) => l.replace('personal_data', 'pers_data');
  const confusion = table([
    ['expected \\ predicted', ...LABELS.map(short)],
    ...LABELS.map((e) => [e, ...LABELS.map((p) => String(report.confusion[e][p]))]),
  ]);
  return [
    `classifier: ${report.classifier}   items: ${report.n}`,
    '',
    scores,
    '',
    confusion,
    '',
    `auto-action rate: ${(report.autoActionRate * 100).toFixed(1)}%   automatic bans: ${report.autoBans}`,
    `harmful auto-resolved: ${report.harmfulAutoResolved.count}/${report.harmfulAutoResolved.of} (${(report.harmfulAutoResolved.rate * 100).toFixed(1)}%)   clean flagged: ${report.cleanFlagged.count}/${report.cleanFlagged.of} (${(report.cleanFlagged.rate * 100).toFixed(1)}%)`,
    `routing: auto-resolved ${report.routing.auto_resolve}, auto-action ${report.routing.auto_action}, human review ${report.routing.review}`,
    ...(report.bands ? ['', formatBands(report.bands)] : []),
    ...(report.policyVersions.length ? [`policy: ${report.policyVersions.join(', ')}`] : []),
  ].join('\n');
}

/** The bands and what they do, as `guardian eval` prints them. */
function formatBands(b: NonNullable<EvalReport['bands']>): string {
  const rows = table([
    ['band', 'review from', 'auto-action from'],
    ...Object.entries(b.categories).map(([c, v]) => [c, v.review.toFixed(2), v.autoAction === null ? 'never' : v.autoAction.toFixed(2)]),
  ]);
  return `auto-resolve only when clean confidence ≥ ${b.cleanMinConfidence.toFixed(2)} (urgent or threat/self-harm reports: always a human)\n${rows}`;
}
