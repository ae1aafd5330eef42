/**
 * worker.open_appeal (resources/db/functions/worker/open_appeal.sql): appeal.submitted, relayed by the worker,
 * opens a level-2 appeal review of a carried-out decision. The platform is the actor; whoever made the
 * appealed decision is excluded from deciding it (four-eyes).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actioned, agentDecision, audit, caseRow, commandId, commandRow, expectPeopleRefused, expectWorkerFunction, ingest,
  lastDecision, refusal, toReview, type WorkerWorld, workerWorld,
} from './support.js';

let w: WorkerWorld;
beforeAll(async () => {
  w = await workerWorld();
});
afterAll(() => w?.inst.drop());

const OPEN = `SELECT worker.open_appeal(p_command_id => $1, p_content_id => $2, p_author_id => $3, p_reason => $4, p_submitted_at => $5) AS r`;
const SUBMITTED = '2025-03-01T10:00:00.000Z';
/** The command id the ingest handler derives (src/core/services/ingest.ts). */
const appealId = (contentId: string) => `appeal:${contentId}:${SUBMITTED}`;
const open = (contentId: string, authorId: string, id = appealId(contentId)) =>
  w.worker.query(OPEN, [id, contentId, authorId, 'I was not spamming', SUBMITTED]).then((r) => r.rows[0].r);

describe('worker.open_appeal', () => {
  it('opens a level-2 appeal review of the carried-out decision, excluding its decider, as the platform', async () => {
    const c = await actioned(w, w.sup, 'remove'); // sam (a supervisor) decided at level 1
    const appealed = await lastDecision(w, c.caseId);
    const before = await caseRow(w, c.caseId);
    const r = await open(c.contentId, c.authorId);
    expect(r).toMatchObject({ outcome: 'opened', caseId: c.caseId, case: { status: 'executing', level: 2, review_kind: 'appeal' } });
    expect(await caseRow(w, c.caseId)).toMatchObject({
      status: 'executing', level: 2, review_kind: 'appeal', version: before.version + 1, last_command_id: appealId(c.contentId),
      excluded_deciders: ['sam'], last_decision: appealed,
    });
    expect(await commandRow(w, appealId(c.contentId))).toMatchObject({
      type: 'appeal_open', case_id: c.caseId, actor: 'platform', tool: 'ingest', status: 'accepted',
      payload: { reason: 'I was not spamming', submittedAt: expect.any(String), authorId: c.authorId, appealed },
    });
    // A timestamptz in jsonb: the same instant, in the session's time zone.
    expect(new Date((await commandRow(w, appealId(c.contentId))).payload.submittedAt).toISOString()).toBe(SUBMITTED);
    expect((await audit(w, c.caseId)).at(-1)).toMatchObject({
      type: 'appeal.opened', actor: 'platform', tool: 'ingest', db_login: w.inst.workerLogin,
      payload: { reason: 'I was not spamming', authorId: c.authorId, appealed },
    });

    // Four-eyes downstream: the review is up (the command applied), sam may not decide it, sue may.
    await toReview(w, c.caseId, { level: 2, kind: 'appeal', commandId: appealId(c.contentId) });
    expect(await commandRow(w, appealId(c.contentId))).toMatchObject({ status: 'applied' });
    const decideAppeal = (pool: typeof w.sup) => pool.query(
      `SELECT api.decide_appeal(p_case_id => $1, p_command_id => $2, p_outcome => 'uphold', p_reason => 'stands', p_tool => 'cli') AS r`,
      [c.caseId, commandId('appeal-decide')]).then((x) => x.rows[0].r);
    const bySam = await decideAppeal(w.sup);
    expect(bySam).toMatchObject({ outcome: 'rejected', error: { code: 'forbidden' } });
    expect(bySam.error.message).toMatch(/^Four-eyes: sam /);
    expect(await decideAppeal(w.sup2)).toMatchObject({ outcome: 'accepted' });
  });

  it('the appeal of the agent\'s automatic decision excludes the agent', async () => {
    const c = await ingest(w);
    await w.worker.query('SELECT * FROM worker.sync_outcome($1, $2, NULL, $3)', [c.caseId, 'actioned', JSON.stringify(agentDecision(c.caseId, 'remove'))]);
    expect(await open(c.contentId, c.authorId)).toMatchObject({ outcome: 'opened' });
    expect((await caseRow(w, c.caseId)).excluded_deciders).toEqual(['agent']);
  });

  it('a redelivery is "redelivered" while the appeal is accepted and "duplicate" once applied, and changes nothing', async () => {
    const c = await actioned(w, w.mod, 'warn');
    await open(c.contentId, c.authorId);
    const opened = await caseRow(w, c.caseId);
    const events = (await audit(w, c.caseId)).length;
    expect(await open(c.contentId, c.authorId)).toMatchObject({ outcome: 'redelivered', caseId: c.caseId, case: { version: opened.version } });
    await toReview(w, c.caseId, { level: 2, kind: 'appeal', commandId: appealId(c.contentId) });
    const reviewing = await caseRow(w, c.caseId);
    expect(await open(c.contentId, c.authorId)).toMatchObject({ outcome: 'duplicate', caseId: c.caseId });
    expect(await caseRow(w, c.caseId)).toEqual(reviewing);
    expect((await audit(w, c.caseId)).length).toBe(events + 1); // only the review.requested in between
    const { rows } = await w.inst.dba(`SELECT count(*)::int AS n FROM commands WHERE case_id = $1 AND type = 'appeal_open'`, [c.caseId]);
    expect(rows[0].n).toBe(1);
  });

  it('refuses an appeal of unknown content (GWNFD) or by someone who is not its author (GWINV)', async () => {
    const unknown = `content-${randomUUID()}`;
    expect((await refusal(open(unknown, 'author-x'))).code).toBe('GWNFD');
    expect(await commandRow(w, appealId(unknown))).toBeUndefined();

    const c = await actioned(w, w.mod, 'remove');
    const before = await caseRow(w, c.caseId);
    const e = await refusal(open(c.contentId, 'someone-else'));
    expect(e.code).toBe('GWINV');
    expect(await caseRow(w, c.caseId)).toEqual(before);
    expect(await commandRow(w, appealId(c.contentId))).toBeUndefined();
  });

  it('refuses (GWCON) when there is no carried-out decision to appeal, writing nothing', async () => {
    const reviewing = await ingest(w);
    await toReview(w, reviewing.caseId);
    const resolved = await ingest(w);
    await w.worker.query('SELECT * FROM worker.sync_outcome($1, $2)', [resolved.caseId, 'auto_resolved']);
    const approved = await actioned(w, w.mod, 'approve');
    for (const c of [reviewing, resolved, approved]) {
      const before = await caseRow(w, c.caseId);
      const events = (await audit(w, c.caseId)).length;
      const e = await refusal(open(c.contentId, c.authorId));
      expect({ status: before.status, code: e.code }).toEqual({ status: before.status, code: 'GWCON' });
      expect(await caseRow(w, c.caseId)).toEqual(before);
      expect(await audit(w, c.caseId)).toHaveLength(events);
      expect(await commandRow(w, appealId(c.contentId))).toBeUndefined();
    }
  });

  it('refuses a second appeal (another command id) while one is open (GWCON)', async () => {
    const c = await actioned(w, w.mod, 'remove');
    await open(c.contentId, c.authorId);
    const e = await refusal(open(c.contentId, c.authorId, `appeal:${c.contentId}:2025-03-02T00:00:00.000Z`));
    expect(e.code).toBe('GWCON');
  });

  it('a person cannot take an appeal\'s id first (reserved prefix, GWINV), and an id used by another command is a conflict (GWCON), not a "duplicate" that drops the appeal', async () => {
    // The appeal's id is derived from the message (appeal:<contentId>:<submittedAt>); a person's command
    // ids are chosen by the client. alice (who decided) tries to take that id first, for a note.
    const c = await actioned(w, w.mod, 'remove');
    for (const id of [appealId(c.contentId), ` APPEAL:${c.contentId}:x`, `auto:${c.caseId}`]) {
      const e = await refusal(w.mod.query(`SELECT api.add_note($1, $2, 'a note', 'cli') AS r`, [c.caseId, id]), `a note with id ${id}`);
      expect({ id, code: e.code, message: e.message }).toEqual({ id, code: 'GWINV', message: 'commandId: the prefixes appeal: and auto: are reserved' });
      expect(await commandRow(w, id.trim())).toBeUndefined();
    }
    // Had another command taken the id anyway (arranged here by the DBA), the appeal is refused, not dropped.
    await w.inst.dba(`INSERT INTO commands (id, type, case_id, actor, tool, payload, status) VALUES ($1, 'note', $2, 'alice', 'cli', '{}', 'applied')`,
      [appealId(c.contentId), c.caseId]);
    const before = await caseRow(w, c.caseId);
    const outcome = await open(c.contentId, c.authorId).then((r) => r.outcome, (e: { code?: string }) => e.code);
    expect(outcome, 'the appeal must not be acknowledged as a duplicate of alice\'s note').toBe('GWCON');
    expect(await caseRow(w, c.caseId)).toEqual(before);
  });

  it('is the worker\'s only: moderator, supervisor and admin logins get 42501 and open nothing', async () => {
    const c = await actioned(w, w.mod, 'remove');
    await expectPeopleRefused(w, OPEN, [appealId(c.contentId), c.contentId, c.authorId, 'r', SUBMITTED]);
    expect(await commandRow(w, appealId(c.contentId))).toBeUndefined();
    expect((await caseRow(w, c.caseId)).status).toBe('actioned');
    await expectWorkerFunction(w, 'worker.open_appeal(text, text, text, text, timestamptz)');
  });
});
