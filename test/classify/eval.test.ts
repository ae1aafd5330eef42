// The evaluation on the shipped labelled sample: the report's public JSON shape (DESIGN §13
// `guardian eval --json`), the table, and clear errors for bad JSONL.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Label } from '../../src/shared/domain.js';
import { formatEvalTable, readEvalFile, runEval } from '../../src/core/classify/eval.js';
import { resourcesDir } from '../../src/core/classify/policy.js';
import { createRulesClassifier } from '../../src/core/classify/rules.js';

const SAMPLE = path.join(resourcesDir(), 'eval', 'sample.jsonl');
const score = z.strictObject({ precision: z.number().min(0).max(1), recall: z.number().min(0).max(1), f1: z.number().min(0).max(1), support: z.number().int().min(0) });
const byLabel = <T extends z.ZodType>(v: T) => z.strictObject(Object.fromEntries(Label.options.map((l) => [l, v])) as Record<Label, T>);
const ReportShape = z.strictObject({
  classifier: z.string(),
  n: z.number().int(),
  perCategory: byLabel(score),
  confusion: byLabel(byLabel(z.number().int().min(0))),
  autoActionRate: z.number().min(0).max(1),
  autoBans: z.number().int().min(0),
  // Added by issue 11 (the shape only grows): what the routing would do with each item.
  harmfulAutoResolved: z.strictObject({ count: z.number().int().min(0), rate: z.number().min(0).max(1), of: z.number().int().min(0) }),
  cleanFlagged: z.strictObject({ count: z.number().int().min(0), rate: z.number().min(0).max(1), of: z.number().int().min(0) }),
  routing: z.strictObject({ auto_resolve: z.number().int(), auto_action: z.number().int(), review: z.number().int() }),
  bands: z.strictObject({ cleanMinConfidence: z.number(), categories: z.record(z.string(), z.strictObject({ review: z.number(), autoAction: z.number().nullable() })) }).optional(),
  policyVersions: z.array(z.string()),
});

describe('evaluation', () => {
  it('ships a labelled sample covering every category, obfuscations and injection attempts', async () => {
    const lines = await readEvalFile(SAMPLE);
    expect(lines.length).toBeGreaterThanOrEqual(80);
    expect(lines.length).toBeLessThanOrEqual(150);
    for (const label of Label.options) expect(lines.filter((l) => l.label === label).length, label).toBeGreaterThanOrEqual(8);
    expect(lines.some((l) => /SYSTEM:|ignore (all )?previous instructions/i.test(l.text))).toBe(true);
    expect(lines.some((l) => /\b[a-z](?:[ .][a-z]){3,}\b|[a-z][0-9][a-z]/i.test(l.text))).toBe(true);
  });

  it('runs the rules classifier on the sample: report in the public shape, table with every category', async () => {
    const lines = await readEvalFile(SAMPLE);
    const progress: [number, number][] = [];
    const report = await runEval(lines, createRulesClassifier(), (done, total) => progress.push([done, total]));

    expect(ReportShape.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.classifier).toBe('rules');
    expect(report.n).toBe(lines.length);
    expect(progress).toHaveLength(lines.length);
    expect(progress.at(-1)).toEqual([lines.length, lines.length]);
    expect(report.autoBans).toBe(0);
    for (const label of Label.options) {
      expect(report.perCategory[label].support).toBe(lines.filter((l) => l.label === label).length);
      const row = Object.values(report.confusion[label]).reduce((a, b) => a + b, 0);
      expect(row).toBe(report.perCategory[label].support);
    }
    // The floor the shipped rules hold on their own sample (a regression guard, not a quality claim).
    const macroF1 = Label.options.reduce((s, l) => s + report.perCategory[l].f1, 0) / Label.options.length;
    expect(macroF1).toBeGreaterThan(0.8);

    const table = formatEvalTable(report);
    for (const label of Label.options) expect(table).toMatch(new RegExp(`^${label}\\s`, 'm'));
    expect(table).toMatch(/precision\s+recall\s+f1\s+support/);
    expect(table).toMatch(/expected \\ predicted/);
    expect(table).toMatch(/auto-action rate: \d+\.\d%/);
  });

  it('rejects a bad JSONL file naming the line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'guardian-eval-'));
    const file = (name: string, body: string) => {
      const p = path.join(dir, name);
      writeFileSync(p, body);
      return p;
    };
    const good = JSON.stringify({ text: 'hello', label: 'ok' });
    await expect(readEvalFile(file('json.jsonl', `${good}\n{oops\n`))).rejects.toThrow(/json\.jsonl:2: not valid JSON/);
    await expect(readEvalFile(file('label.jsonl', `${good}\n\n${JSON.stringify({ text: 'x', label: 'rude' })}\n`))).rejects.toThrow(
      /label\.jsonl:3: label: .*\(one of harassment, hate, violence, sexual, self_harm, spam, personal_data, ok\)/,
    );
    await expect(readEvalFile(file('text.jsonl', JSON.stringify({ label: 'ok' })))).rejects.toThrow(/text\.jsonl:1: text/);
    await expect(readEvalFile(file('empty.jsonl', '\n\n'))).rejects.toThrow(/no evaluation lines/);
    await expect(readEvalFile(path.join(dir, 'absent.jsonl'))).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
