// Issue 11 through the pipeline: content published over RabbitMQ, analysed by the worker's agent on a
// real installation. An urgent credible threat ends awaiting_review, never auto_resolved; the case's
// analysis carries the band and the policy version; and the routing holds urgent content for a human
// even when a classifier (here a stand-in that calls everything clean) says "ok".
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Classifier } from '../../src/core/classify/classifier.js';
import { contentMessage, plainPublisher, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let naive: Harness;

const alwaysClean: Classifier = {
  name: 'always-clean',
  async classify() {
    return { verdict: 'ok', suggestedAction: 'approve', violationType: 'ok', severity: 'none', confidence: 0.99, reasoning: 'looks fine', keyPhrases: [], classifier: 'always-clean' };
  },
};

beforeAll(async () => {
  h = await startHarness();
  naive = await startHarness({ classifier: alwaysClean });
});
afterAll(async () => {
  await h?.close();
  await naive?.close();
});

it('an urgent credible threat ingested over RabbitMQ ends awaiting_review with its band; clean content is auto-resolved with "confidence ≥ threshold"', async () => {
  const pub = await plainPublisher(h.vhost.url);
  await pub.publish(
    'content.submitted',
    contentMessage('threat-urgent', 'I have a gun and I am going to kill everyone at the station at noon today.', { priority: 'urgent', reportedBy: 'user-9', reportReason: 'threat' }),
  );
  await pub.publish('content.submitted', contentMessage('rifle', "Bringing my dad's rifle to campus on Monday. Nobody in that lecture hall is walking out."));
  await pub.publish('content.submitted', contentMessage('pills', "I can't do this anymore, I have the pills counted out and tonight is the night"));
  await pub.publish('content.submitted', contentMessage('bug', 'Can someone help me kill this bug? The build fails on import.'));
  await pub.close();

  for (const id of ['threat-urgent', 'rifle', 'pills']) {
    const c = await h.waitForCase(id, ['awaiting_review', 'auto_resolved']);
    expect(c.status, id).toBe('awaiting_review');
  }
  const threat = await h.waitForCase('threat-urgent', 'awaiting_review');
  const detail = await (await h.api()).getCase(threat.id);
  expect(detail.analysis).toMatchObject({ verdict: 'review', violationType: 'violence', band: { outcome: 'review' }, policyVersion: expect.stringMatching(/\+[0-9a-f]{12}$/) });

  const bug = await h.waitForCase('bug', ['awaiting_review', 'auto_resolved']);
  expect(bug.status).toBe('auto_resolved');
  const bugDetail = await (await h.api()).getCase(bug.id);
  expect(bugDetail.analysis!.band!.explanation).toMatch(/^auto-resolved: confidence 0\.\d\d ≥ 0\.90$/);
});

it('the routing holds urgent content for a human even when the classifier calls it clean', async () => {
  const pub = await plainPublisher(naive.vhost.url);
  await pub.publish('content.submitted', contentMessage('urgent-clean', 'meet me at the station at noon', { priority: 'urgent' }));
  await pub.publish('content.submitted', contentMessage('normal-clean', 'meet me at the station at noon'));
  await pub.close();
  expect((await naive.waitForCase('urgent-clean', ['awaiting_review', 'auto_resolved'])).status).toBe('awaiting_review');
  expect((await naive.waitForCase('normal-clean', ['awaiting_review', 'auto_resolved'])).status).toBe('auto_resolved');
  const c = await naive.waitForCase('urgent-clean', 'awaiting_review');
  const detail = await (await naive.api()).getCase(c.id);
  expect(detail.analysis).toMatchObject({ verdict: 'review', band: { held: 'urgent content', explanation: 'review: urgent content is never auto-resolved' } });
});
