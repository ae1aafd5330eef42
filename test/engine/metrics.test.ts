import { afterAll, beforeAll, expect, it } from 'vitest';
import { appealMessage, contentMessage, plainPublisher, startHarness, TEXT, USERS, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

/**
 * Supervisor metrics (DESIGN §11), computed by the core from what actually happened: the backlog, how
 * often moderators agreed with the AI's suggestion, how often appeals overturned a decision, and what
 * the agent settled alone. Each number below is produced by real cases through the real pipeline.
 */
let h: Harness;
let pub: Awaited<ReturnType<typeof plainPublisher>>;

beforeAll(async () => {
  h = await startHarness();
  pub = await plainPublisher(h.vhost.url);
});
afterAll(async () => {
  await pub?.close();
  await h?.close();
});

async function post(tag: string, text: string, status: 'awaiting_review' | 'auto_resolved' | 'actioned', extra: Record<string, unknown> = {}) {
  const contentId = `${tag}-${h.cmdId()}`;
  await pub.publish('content.submitted', contentMessage(contentId, text, extra));
  return h.waitForCase(contentId, status);
}

it('counts the backlog, AI–human agreement, appeal overturns and automatic outcomes', async () => {
  const empty = await (await h.api()).metrics();
  expect(empty).toMatchObject({
    backlog: { waiting: 0, urgent: 0, slaBreached: 0, escalated: 0, oldestCreatedAt: null },
    window: { days: 7 },
    agreement: { decided: 0, agreed: 0, rate: null },
    appeals: { decided: 0, overturned: 0, rate: null },
  });

  // What the agent settles alone: two clean posts and one spam post (an allowed automatic removal).
  await post('clean-a', TEXT.clean, 'auto_resolved');
  await post('clean-b', TEXT.clean, 'auto_resolved');
  await post('spam', TEXT.spam, 'actioned');

  // Three reviews: one decided as the AI suggested, one otherwise, one escalated (not counted).
  const [agree, differ, escalate] = [await post('agree', TEXT.threat, 'awaiting_review'), await post('differ', TEXT.threat, 'awaiting_review'), await post('esc', TEXT.threat, 'awaiting_review')];
  const suggested = (await (await h.api()).getCase(agree.id)).analysis!.suggestedAction;
  const other = suggested === 'warn' ? 'remove' : 'warn';
  await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: agree.id, decision: suggested, reason: 'as suggested', tool: 'cli', commandId: h.cmdId() });
  await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: differ.id, decision: other, reason: 'milder than suggested', tool: 'cli', commandId: h.cmdId() });
  await (await h.as(USERS.mod2)).execute({ type: 'decide', caseId: escalate.id, decision: 'escalate', reason: 'not sure', tool: 'cli', commandId: h.cmdId() });
  await h.waitForStatus(agree.id, suggested === 'approve' ? 'closed' : 'actioned');
  await h.waitForStatus(differ.id, 'actioned');
  await waitFor(async () => {
    const c = await (await h.api()).getCase(escalate.id);
    return c.status === 'awaiting_review' && c.level === 2;
  }, { message: 'the escalated case back in review at level 2' });
  // And one urgent case still waiting.
  await post('urgent', TEXT.threat, 'awaiting_review', { priority: 'urgent' });

  // Two appeals: one overturned, one upheld.
  for (const [c, outcome] of [
    [agree, 'overturn'],
    [differ, 'uphold'],
  ] as const) {
    const detail = await (await h.api()).getCase(c.id);
    await pub.publish('appeal.submitted', appealMessage(detail, 'please look again'));
    await h.waitForStatus(c.id, 'awaiting_review');
    await (await h.as(USERS.sup1)).execute({ type: 'appeal_decide', caseId: c.id, outcome, reason: `appeal: ${outcome}`, tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'closed');
  }

  const m = await (await h.api()).metrics();
  expect(m.backlog).toMatchObject({ waiting: 2, urgent: 1, slaBreached: 0, escalated: 1, oldestCreatedAt: expect.any(String) });
  expect(m.agreement).toEqual({ decided: 2, agreed: 1, rate: 0.5 });
  expect(m.appeals).toEqual({ decided: 2, overturned: 1, rate: 0.5 });
  expect(m.automatic).toEqual({ resolved: 2, actioned: 1 });

  // The window bounds the decision metrics, not the backlog.
  const none = await (await h.api()).metrics({ sinceDays: 1 });
  expect(none.window.days).toBe(1);
  expect(none.agreement.decided).toBe(2);
  await h.inst.dba(`UPDATE commands SET created_at = created_at - interval '3 days'`);
  const older = await (await h.api()).metrics({ sinceDays: 1 });
  expect(older.agreement).toEqual({ decided: 0, agreed: 0, rate: null });
  expect(older.appeals.decided).toBe(0);
  expect(older.backlog.waiting).toBe(2);
});
