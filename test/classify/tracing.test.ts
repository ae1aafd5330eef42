// LangSmith tracing against a local server speaking its ingestion API, and a bounded flush when the
// endpoint is down. Also the structured log line per analysis.
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/ports.js';
import { createGroqClassifier } from '../../src/core/classify/groq.js';
import { createRulesClassifier } from '../../src/core/classify/rules.js';
import { instrumentClassifier } from '../../src/core/observability/instrument.js';
import { createTracing, flushTraces } from '../../src/core/observability/tracing.js';
import { refusedPortUrl, startFakeGroq, startFakeLangSmith, toolCallCompletion, type FakeServer } from './fakes.js';

const rules = createRulesClassifier();
const servers: FakeServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

function captureLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
  const logger: Logger = {
    debug: (obj, msg) => lines.push({ level: 'debug', obj: obj as Record<string, unknown>, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
    child: () => logger,
  };
  return { logger, lines };
}

const isRunPost = (r: { method: string; url: string }) => r.method === 'POST' && /^\/runs(\/multipart|\/batch)?\/?$/.test(r.url);

describe('LangSmith tracing', () => {
  it('posts a run of the analysis whose metadata carries the case id, and logs the analysis', async () => {
    const ls = await startFakeLangSmith();
    servers.push(ls);
    const tracing = createTracing({ tracing: true, apiKey: 'lsv2_test', endpoint: ls.url, project: 'guardian-test' });
    const { logger, lines } = captureLogger();
    const classifier = instrumentClassifier(rules, { logger, tracing });

    const r = await classifier.classify({ caseId: 'case-7f3a', contentId: 'content-1', authorId: 'a', text: 'I will kill you' });
    expect(r.violationType).toBe('violence');
    await expect(flushTraces(10_000)).resolves.toBe(true);

    const post = await ls.waitFor((req) => isRunPost(req) && req.body.includes('case-7f3a'));
    expect(post.headers['x-api-key']).toBe('lsv2_test');
    expect(post.body).toContain('guardian.analyze');
    expect(post.body).toMatch(/"caseId":"case-7f3a"/);
    expect(post.body).toContain('guardian-test');

    const line = lines.find((l) => l.msg === 'analysis')!;
    expect(line.level).toBe('info');
    expect(line.obj).toMatchObject({ caseId: 'case-7f3a', classifier: 'rules', verdict: 'review', violationType: 'violence' });
    expect(typeof line.obj.latencyMs).toBe('number');
  });

  it('nests the model call under the analysis run, with the case id on it too', async () => {
    const ls = await startFakeLangSmith();
    const groqServer = await startFakeGroq(() => ({
      body: toolCallCompletion({ verdict: 'ok', suggestedAction: 'approve', violationType: 'ok', severity: 'none', confidence: 0.9, reasoning: 'fine', keyPhrases: [] }),
    }));
    servers.push(ls, groqServer);
    const tracing = createTracing({ tracing: true, apiKey: 'lsv2_test', endpoint: ls.url, project: 'guardian-test' });
    const groq = createGroqClassifier({ apiKey: 'gsk_test', model: 'llama-3.3-70b-versatile', baseUrl: groqServer.url, timeoutMs: 5_000, fallback: rules });
    const classifier = instrumentClassifier(groq, { logger: captureLogger().logger, tracing });

    const r = await classifier.classify({ caseId: 'case-groq-1', contentId: 'c', authorId: 'a', text: 'hello friends' });
    expect(r.classifier).toBe('groq');
    await expect(tracing.flush(10_000)).resolves.toBe(true);
    const posted = ls.requests.filter(isRunPost).map((q) => q.body).join('\n');
    expect(posted).toContain('ChatGroq');
    // Every run of this analysis (root, model call, parser) carries the case id.
    expect((posted.match(/"caseId":"case-groq-1"/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it('does not trace when disabled', async () => {
    const tracing = createTracing({ tracing: false, project: 'p' });
    expect(tracing.enabled).toBe(false);
    expect(await tracing.traced('x', { caseId: 'c' }, {}, async () => 42)).toBe(42);
    expect(tracing.runConfig({ caseId: 'c' })).toEqual({ metadata: { caseId: 'c' } });
    await expect(tracing.flush(10)).resolves.toBe(true);
  });

  it('flushTraces returns within its bound when the endpoint refuses connections', async () => {
    const tracing = createTracing({ tracing: true, apiKey: 'lsv2_test', endpoint: await refusedPortUrl(), project: 'p' });
    const classifier = instrumentClassifier(rules, { logger: captureLogger().logger, tracing });
    // The analysis itself never waits for the trace endpoint.
    expect((await classifier.classify({ caseId: 'case-refused', contentId: 'c', authorId: 'a', text: 'hi' })).verdict).toBe('ok');
    await expect(flushTraces(300)).resolves.toBeTypeOf('boolean');
  });

  it('flushTraces returns within its bound when the endpoint accepts but never answers', async () => {
    const dead = await startFakeLangSmith({ hang: true });
    servers.push(dead);
    const tracing = createTracing({ tracing: true, apiKey: 'lsv2_test', endpoint: dead.url, project: 'p' });
    const classifier = instrumentClassifier(rules, { logger: captureLogger().logger, tracing });
    expect((await classifier.classify({ caseId: 'case-dead', contentId: 'c', authorId: 'a', text: 'hi' })).verdict).toBe('ok');
    await dead.waitFor(() => true); // the client did try to reach it
    await expect(tracing.flush(300)).resolves.toBe(false); // gave up at the bound: runs still pending
    await expect(flushTraces(300)).resolves.toBe(false);
  });
});
