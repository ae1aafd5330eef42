/**
 * An edited post (issue 12, must show 1): `content.submitted` again for a contentId, with another text, from a
 * plain publisher. It is recorded as an edit in the audit (content.edited, with the text it replaced) and, while
 * the case is undecided, analysed again on the new text through the worker's runner (the thread restarts); a
 * decided case keeps its decision and shows that the text changed after it. A stub classifier makes the
 * routes certain and records what it was asked to analyse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/shared/domain.js';
import type { Classifier } from '../../src/core/classify/classifier.js';
import { verifyAudit } from '../../src/core/audit/verify.js';
import { waitFor } from '../support/isolation.js';
import { contentMessage, plainPublisher, startHarness, USERS, type Harness } from '../support/harness.js';

const THREAT = 'THREAT: I will hurt you';
const CLEAN = 'A photo of my garden in spring';

/** What the classifier was asked, per case. */
const asked = new Map<string, string[]>();
const classifier: Classifier = {
  name: 'stub',
  classify: async (c) => {
    asked.set(c.caseId, [...(asked.get(c.caseId) ?? []), c.text]);
    const base = { confidence: 0.95, reasoning: 'stub', keyPhrases: [], classifier: 'stub' };
    return (
      c.text.startsWith('THREAT')
        ? { ...base, verdict: 'review', suggestedAction: 'remove_and_ban', violationType: 'violence', severity: 'high' }
        : { ...base, verdict: 'ok', suggestedAction: 'approve', violationType: 'ok', severity: 'none' }
    ) satisfies AnalysisResult;
  },
};

let h: Harness;
let pub: Awaited<ReturnType<typeof plainPublisher>>;
beforeAll(async () => {
  h = await startHarness({ classifier });
  pub = await plainPublisher(h.vhost.url);
});
afterAll(async () => {
  await pub?.close();
  await h?.close();
});

let clock = Date.parse('2026-03-01T10:00:00Z');
/** content.submitted with a submittedAt later than every earlier one (an edit is a later message). */
const message = (contentId: string, text: string) => ({ ...contentMessage(contentId, text), authorId: `author-${contentId}`, submittedAt: new Date((clock += 60_000)).toISOString() });

const row = async (caseId: string) => (await h.core.db.query('SELECT * FROM cases WHERE id = $1', [caseId])).rows[0];
const edits = async (caseId: string) => (await (await h.api()).getCase(caseId)).timeline.filter((e) => e.type === 'content.edited');

describe('an edited post', () => {
  it('awaiting review: recorded as an edit and analysed again on the new text (the thread restarts), then resolved', async () => {
    const contentId = `edit-review-${h.cmdId()}`;
    await pub.publish('content.submitted', message(contentId, THREAT));
    const c = await h.waitForCase(contentId, 'awaiting_review');
    const firstInterrupt = (await row(c.id)).interrupt_id;

    await pub.publish('content.submitted', message(contentId, CLEAN));
    await h.waitForStatus(c.id, 'auto_resolved');

    expect(asked.get(c.id)).toEqual([THREAT, CLEAN]);
    const detail = await (await h.api()).getCase(c.id);
    expect(detail.analysis).toMatchObject({ verdict: 'ok', violationType: 'ok' });
    expect(await edits(c.id)).toEqual([
      expect.objectContaining({ actor: 'platform', tool: 'ingest', payload: expect.objectContaining({ edit: 1, previousText: THREAT, previousStatus: 'awaiting_review', afterDecision: false, reanalysis: true }) }),
    ]);
    const types = detail.timeline.map((e) => e.type);
    expect(types.slice(types.indexOf('content.edited'))).toEqual(['content.edited', 'case.auto_resolved']);
    expect(await row(c.id)).toMatchObject({ text: CLEAN, text_edits: 1, edited_after_decision_at: null, interrupt_id: null });
    // The checkpoint holds the new text: the agent ran again, not a projection of the old run.
    const state = await h.core.worker!.graph.getState({ configurable: { thread_id: c.id } });
    expect(state.values.content.text).toBe(CLEAN);
    expect(firstInterrupt).toEqual(expect.any(String));
    expect((await verifyAudit((await h.api()).db, { caseId: c.id })).ok).toBe(true);
  });

  it('auto-resolved, then edited into a violation: analysed again and sent to review', async () => {
    const contentId = `edit-clean-${h.cmdId()}`;
    await pub.publish('content.submitted', message(contentId, CLEAN));
    const c = await h.waitForCase(contentId, 'auto_resolved');
    await pub.publish('content.submitted', message(contentId, THREAT));
    await h.waitForStatus(c.id, 'awaiting_review');
    expect(asked.get(c.id)).toEqual([CLEAN, THREAT]);
    const detail = await (await h.api()).getCase(c.id);
    expect(detail).toMatchObject({ level: 1, reviewKind: 'initial', analysis: expect.objectContaining({ verdict: 'review', violationType: 'violence' }) });
    expect(detail.allowedDecisions).toContain('remove_and_ban');
    expect((await edits(c.id)).map((e) => e.payload)).toEqual([expect.objectContaining({ previousText: CLEAN, previousStatus: 'auto_resolved', reanalysis: true })]);
    // Decided on the new text, carried out as any review.
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'edited into a threat', tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'actioned');
    expect(h.kinds(c.id)).toEqual(['remove_content']);
  });

  it('decided: the decision stands, the case shows that the text changed after it, and it is not re-routed by the agent', async () => {
    const contentId = `edit-decided-${h.cmdId()}`;
    await pub.publish('content.submitted', message(contentId, THREAT));
    const c = await h.waitForCase(contentId, 'awaiting_review');
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'approve', reason: 'a quote from a film', tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'actioned');
    const decided = await row(c.id);

    await pub.publish('content.submitted', message(contentId, 'THREAT: and now I mean it'));
    const [edit] = await waitFor(async () => {
      const e = await edits(c.id);
      return e.length ? e : undefined;
    }, { message: 'the content.edited event' });
    expect(edit!.payload).toMatchObject({ afterDecision: true, reanalysis: false, previousStatus: 'actioned', previousText: THREAT, decision: 'approve', decidedBy: USERS.mod1 });
    const after = await row(c.id);
    expect(after).toMatchObject({ status: 'actioned', text: 'THREAT: and now I mean it', last_decision: decided.last_decision, version: decided.version + 1 });
    expect(after.edited_after_decision_at).not.toBeNull();
    expect(new Date(after.edited_after_decision_at).getTime()).toBeGreaterThan(new Date(decided.last_decision.at).getTime());
    // The case a moderator opens says so.
    const detail = await (await h.as(USERS.mod1)).getCase(c.id);
    expect(detail).toMatchObject({ text: 'THREAT: and now I mean it', editedAfterDecisionAt: new Date(after.edited_after_decision_at).toISOString() });
    expect(asked.get(c.id)).toEqual([THREAT]);
    expect(h.kinds(c.id)).toEqual([]);
    expect((await verifyAudit((await h.api()).db, { caseId: c.id })).ok).toBe(true);
  });

  it('the same text again is one case and no edit', async () => {
    const contentId = `edit-same-${h.cmdId()}`;
    await pub.publish('content.submitted', message(contentId, CLEAN));
    const c = await h.waitForCase(contentId, 'auto_resolved');
    await pub.publish('content.submitted', message(contentId, CLEAN));
    // Then an edit: once it is recorded, the duplicate before it (same queue, processed first or alongside) was too.
    await pub.publish('content.submitted', message(contentId, THREAT));
    await h.waitForStatus(c.id, 'awaiting_review');
    expect((await edits(c.id)).map((e) => e.payload.previousText)).toEqual([CLEAN]);
    expect(asked.get(c.id)).toEqual([CLEAN, THREAT]);
  });
});
