// Issue 11: the same bands apply to Groq's verdicts. Against a local server speaking Groq's
// chat-completions API (never the network): a low-confidence "ok" goes to review, a sure one is
// auto-resolved, an auto_action below the category's band goes to review, urgent content is held, and
// `runEval` reports the Groq path's routing (harmfulAutoResolved, cleanFlagged).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EvalLine } from '../../src/core/classify/eval.js';
import { runEval } from '../../src/core/classify/eval.js';
import { createGroqClassifier, type GroqClassifier } from '../../src/core/classify/groq.js';
import { createRulesClassifier } from '../../src/core/classify/rules.js';
import { startFakeGroq, toolCallCompletion, type FakeServer, type ModelSays } from './fakes.js';

const clean = (confidence: number): ModelSays => ({ verdict: 'ok', suggestedAction: 'approve', violationType: 'ok', severity: 'none', confidence, reasoning: 'Nothing wrong.', keyPhrases: [] });
const spam = (confidence: number): ModelSays => ({ verdict: 'auto_action', suggestedAction: 'warn', violationType: 'spam', severity: 'low', confidence, reasoning: 'Advertising.', keyPhrases: [] });

// The fake model answers by a marker in the text, so one server serves every case.
// (The "unsure-" markers first: they contain the "sure-" ones.)
const answers: Record<string, ModelSays> = {
  'unsure-clean': clean(0.7),
  'unsure-spam': spam(0.82),
  'sure-clean': clean(0.97),
  'sure-spam': spam(0.95),
};

let server: FakeServer;
let groq: GroqClassifier;
beforeAll(async () => {
  server = await startFakeGroq((_n, req) => {
    const key = Object.keys(answers).find((k) => req.body.includes(k))!;
    return { body: toolCallCompletion(answers[key]!) };
  });
  groq = createGroqClassifier({ apiKey: 'gsk_test_key', model: 'llama-test', baseUrl: server.url, timeoutMs: 5_000, fallback: createRulesClassifier(), retries: 0 });
});
afterAll(async () => {
  await server?.close();
});

const classify = (text: string, priority?: 'urgent') => groq.classify({ caseId: 'c', contentId: 'x', authorId: 'a', text, ...(priority ? { priority } : {}) });

it('a sure "ok" is auto-resolved, an unsure one goes to review, and the band says which threshold', async () => {
  expect(await classify('sure-clean')).toMatchObject({ classifier: 'groq', verdict: 'ok', band: { outcome: 'auto_resolve', explanation: 'auto-resolved: confidence 0.97 ≥ 0.90' } });
  expect(await classify('unsure-clean')).toMatchObject({ verdict: 'review', band: { outcome: 'review', explanation: 'review: clean confidence 0.70 < 0.90' } });
});

it("Groq's automatic action obeys the category's auto-action band, and urgent content is held", async () => {
  expect(await classify('sure-spam')).toMatchObject({ verdict: 'auto_action', band: { outcome: 'auto_action', threshold: 0.85 } });
  expect(await classify('unsure-spam')).toMatchObject({ verdict: 'review', band: { outcome: 'review', threshold: 0.85 } });
  expect(await classify('sure-clean', 'urgent')).toMatchObject({ verdict: 'review', band: { held: 'urgent content' } });
  expect(await classify('sure-spam', 'urgent')).toMatchObject({ verdict: 'review', band: { held: 'urgent content' } });
});

it("guardian eval's routing figures for the Groq path", async () => {
  const lines: EvalLine[] = [
    { text: 'sure-clean: a harmful text the model missed', label: 'violence' },
    { text: 'unsure-clean: a harmful text the model was unsure about', label: 'self_harm' },
    { text: 'unsure-clean: a clean text', label: 'ok' },
    { text: 'sure-clean: another clean text', label: 'ok' },
    { text: 'sure-clean: urgent', label: 'violence', priority: 'urgent' },
  ];
  const report = await runEval(lines, groq);
  expect(report.classifier).toBe('groq');
  expect(report.harmfulAutoResolved).toEqual({ count: 1, rate: 0.3333, of: 3 });
  expect(report.cleanFlagged).toEqual({ count: 1, rate: 0.5, of: 2 });
  expect(report.routing).toEqual({ auto_resolve: 2, auto_action: 0, review: 3 });
  expect(report.autoBans).toBe(0);
});
