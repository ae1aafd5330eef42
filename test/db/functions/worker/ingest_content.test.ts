/**
 * worker.ingest_content (resources/db/functions/worker/ingest_content.sql): content.submitted relayed by the
 * worker login creates one case per contentId, with its case.created event (actor: the platform). And
 * worker.edit_content (below): the same contentId with another text is an edit.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../support/isolation.js';
import { actioned, audit, caseRow, expectPeopleRefused, expectWorkerFunction, refusal, toReview, type WorkerWorld, workerWorld } from './support.js';

let w: WorkerWorld;
beforeAll(async () => {
  w = await workerWorld();
});
afterAll(() => w?.inst.drop());

const INGEST = `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => $3, p_text => $4, p_url => $5,
  p_reported_by => $6, p_report_reason => $7, p_priority => $8, p_submitted_at => $9) AS r`;
const args = (caseId: string, contentId: string, o: { text?: string; priority?: string | null; author?: string } = {}) => [
  caseId, contentId, o.author ?? 'author-1', o.text ?? 'reported text', 'https://example.test/x', 'reporter-9', 'spam',
  o.priority === undefined ? 'urgent' : o.priority, '2025-02-03T04:05:06.789Z',
];

describe('worker.ingest_content', () => {
  it('creates the case in analyzing, returns its summary and audits case.created as the platform (written by the worker login)', async () => {
    const caseId = randomUUID(), contentId = `c-${caseId}`;
    const long = 'x'.repeat(150) + 'ü'.repeat(100);
    const { rows } = await w.worker.query(INGEST, args(caseId, contentId, { text: long }));
    const r = rows[0].r;
    expect(r.created).toBe(true);
    expect(r.case).toMatchObject({
      id: caseId, content_id: contentId, author_id: 'author-1', status: 'analyzing', priority: 'urgent', level: 1,
      version: 1, analysis_attempts: 0, last_decision: null, claim_active: false, text: long.slice(0, 200),
    });
    expect(r.case).not.toHaveProperty('analysis');

    const row = await caseRow(w, caseId);
    expect(row).toMatchObject({
      content_id: contentId, author_id: 'author-1', text: long, url: 'https://example.test/x', reported_by: 'reporter-9',
      report_reason: 'spam', priority: 'urgent', status: 'analyzing', level: 1, version: 1, excluded_deciders: [],
      last_decision: null, claimed_by: null, interrupt_id: null,
    });
    expect(row.submitted_at.toISOString()).toBe('2025-02-03T04:05:06.789Z');

    expect(await audit(w, caseId)).toEqual([{
      seq: 1, type: 'case.created', actor: 'platform', tool: 'ingest', db_login: w.inst.workerLogin,
      payload: { contentId, authorId: 'author-1', priority: 'urgent', reportedBy: 'reporter-9' },
    }]);
  });

  it('a redelivery (same contentId, any case id) returns the existing case unchanged and audits nothing', async () => {
    const caseId = randomUUID(), contentId = `c-${caseId}`;
    await w.worker.query(INGEST, args(caseId, contentId));
    const again = await w.worker.query(INGEST, args(randomUUID(), contentId, { text: 'different text', priority: 'normal', author: 'someone-else' }));
    expect(again.rows[0].r.created).toBe(false);
    expect(again.rows[0].r.case).toMatchObject({ id: caseId, text: 'reported text', priority: 'urgent', author_id: 'author-1', version: 1 });
    const { rows } = await w.inst.dba('SELECT id FROM cases WHERE content_id = $1', [contentId]);
    expect(rows).toEqual([{ id: caseId }]);
    expect(await audit(w, caseId)).toHaveLength(1);
  });

  it('two concurrent deliveries of one contentId make one case and one event (the second waits, then returns it)', async () => {
    const contentId = `c-${randomUUID()}`;
    const first = await w.worker.connect();
    const second = await w.worker.connect();
    try {
      const secondPid = (await second.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await first.query('BEGIN');
      const a = await first.query(INGEST, args(randomUUID(), contentId));
      expect(a.rows[0].r.created).toBe(true);
      const b = second.query(INGEST, args(randomUUID(), contentId));
      // The second insert waits on the first's uncommitted row (the unique index on content_id).
      await waitFor(async () => (await w.inst.dba('SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1', [secondPid])).rows[0]?.wait_event_type === 'Lock',
        { message: 'the second delivery to wait for the first' });
      await first.query('COMMIT');
      const r = (await b).rows[0].r;
      expect(r.created).toBe(false);
      expect(r.case.id).toBe(a.rows[0].r.case.id);
    } finally {
      await first.query('ROLLBACK').catch(() => {});
      first.release();
      second.release();
    }
    const { rows } = await w.inst.dba(
      `SELECT count(*)::int AS cases, (SELECT count(*)::int FROM audit_events e WHERE e.case_id = c.id) AS events
         FROM cases c WHERE content_id = $1 GROUP BY c.id`, [contentId]);
    expect(rows).toEqual([{ cases: 1, events: 1 }]);
  });

  it('refuses an unknown or missing priority (GWINV) and writes nothing', async () => {
    for (const priority of ['high', 'URGENT', null]) {
      const caseId = randomUUID();
      const e = await refusal(w.worker.query(INGEST, args(caseId, `c-${caseId}`, { priority })));
      expect({ priority, code: e.code }).toEqual({ priority, code: 'GWINV' });
      expect(e.message).toBe('priority: must be normal or urgent');
      expect(await caseRow(w, caseId)).toBeUndefined();
      expect(await audit(w, caseId)).toEqual([]);
    }
  });

  it('a case id already used by another content is refused, and that case is left as it was', async () => {
    const caseId = randomUUID();
    await w.worker.query(INGEST, args(caseId, `c-${caseId}`));
    const e = await refusal(w.worker.query(INGEST, args(caseId, `other-${caseId}`)));
    expect(e.code).toBe('23505');
    expect(await caseRow(w, caseId)).toMatchObject({ content_id: `c-${caseId}`, version: 1 });
    expect(await audit(w, caseId)).toHaveLength(1);
    const { rows } = await w.inst.dba('SELECT count(*)::int AS n FROM cases WHERE content_id = $1', [`other-${caseId}`]);
    expect(rows[0].n).toBe(0);
  });

  it('is the worker\'s only: moderator, supervisor and admin logins get 42501 and create nothing', async () => {
    const caseId = randomUUID();
    await expectPeopleRefused(w, INGEST, args(caseId, `c-${caseId}`));
    expect(await caseRow(w, caseId)).toBeUndefined();
    await expectWorkerFunction(w, 'worker.ingest_content(uuid, text, text, text, text, text, text, text, timestamptz)');
  });
});

// worker.edit_content (resources/db/functions/worker/edit_content.sql): content.submitted again for a known
// contentId. The ingest handler calls it whenever ingest_content found the case already there.
const EDIT = `SELECT worker.edit_content(p_content_id => $1, p_author_id => $2, p_text => $3, p_submitted_at => $4) AS r`;
const LATER = '2025-02-03T05:00:00.000Z';

describe('worker.edit_content', () => {
  async function fresh(o: { text?: string } = {}) {
    const caseId = randomUUID(), contentId = `c-${caseId}`;
    await w.worker.query(INGEST, args(caseId, contentId, o));
    return { caseId, contentId };
  }

  it('an undecided case gets the new text and is analysed again: analyzing, attempts afresh, one content.edited with the old text', async () => {
    const { caseId, contentId } = await fresh();
    const interrupt = await toReview(w, caseId);
    await w.worker.query('SELECT * FROM worker.begin_analysis($1)', [caseId]);
    const before = await caseRow(w, caseId);
    const { rows } = await w.worker.query(EDIT, [contentId, 'author-1', 'edited text', LATER]);
    expect(rows[0].r.outcome).toBe('edited');
    expect(rows[0].r.case).toMatchObject({ id: caseId, status: 'analyzing', text: 'edited text', text_edits: 1, version: before.version + 1 });
    const row = await caseRow(w, caseId);
    expect(row).toMatchObject({ text: 'edited text', status: 'analyzing', interrupt_id: null, analysis_attempts: 0, sla_due_at: null, text_edits: 1, edited_after_decision_at: null });
    expect(row.text_submitted_at.toISOString()).toBe(LATER);
    expect(row.text_edited_at).toBeInstanceOf(Date);
    expect(interrupt).not.toBe(row.interrupt_id);
    const events = await audit(w, caseId);
    expect(events.at(-1)).toEqual({
      seq: events.length, type: 'content.edited', actor: 'platform', tool: 'ingest', db_login: w.inst.workerLogin,
      payload: { contentId, edit: 1, submittedAt: '2025-02-03T05:00:00+00:00', previousText: 'reported text', chars: 11, previousStatus: 'awaiting_review', afterDecision: false, reanalysis: true },
    });
  });

  it('a decided case keeps its status and decision, takes the text, and says it changed after the decision', async () => {
    const c = await actioned(w, w.mod, 'remove');
    const before = await caseRow(w, c.caseId);
    const { rows } = await w.worker.query(EDIT, [c.contentId, c.authorId, 'now something else', LATER]);
    expect(rows[0].r.outcome).toBe('edited_after_decision');
    const row = await caseRow(w, c.caseId);
    expect(row).toMatchObject({ status: 'actioned', text: 'now something else', last_decision: before.last_decision, analysis: before.analysis, version: before.version + 1, text_edits: 1 });
    expect(row.edited_after_decision_at).toBeInstanceOf(Date);
    expect((await audit(w, c.caseId)).at(-1)).toMatchObject({
      type: 'content.edited',
      payload: { afterDecision: true, reanalysis: false, previousStatus: 'actioned', previousText: 'some reported text', decision: 'remove', decidedBy: w.alice.id },
    });
  });

  it('the same text (a redelivery), an older message and another author change nothing and audit nothing', async () => {
    const { caseId, contentId } = await fresh();
    await w.worker.query(EDIT, [contentId, 'author-1', 'second text', LATER]);
    const after = await caseRow(w, caseId);
    const n = (await audit(w, caseId)).length;
    for (const [author, text, at, outcome] of [
      ['author-1', 'second text', '2026-01-01T00:00:00Z', 'unchanged'],
      ['author-1', 'reported text', '2025-02-03T04:05:06.789Z', 'stale'], // the original, redelivered late
      ['someone-else', 'third text', '2026-01-01T00:00:00Z', 'other_author'],
    ] as const) {
      const { rows } = await w.worker.query(EDIT, [contentId, author, text, at]);
      expect({ text, outcome: rows[0].r.outcome }).toEqual({ text, outcome });
    }
    expect(await caseRow(w, caseId)).toEqual(after);
    expect(await audit(w, caseId)).toHaveLength(n);
  });

  it('waits for the worker\'s run on the case (its advisory lock) before it edits', async () => {
    const { caseId, contentId } = await fresh();
    const runner = await w.worker.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`case:${caseId}`]);
      const editor = await w.worker.connect();
      try {
        const pid = (await editor.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        const edit = editor.query(EDIT, [contentId, 'author-1', 'edited while analysing', LATER]);
        await waitFor(async () => (await w.inst.dba('SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0]?.wait_event_type === 'Lock',
          { message: 'the edit to wait for the run' });
        expect((await caseRow(w, caseId)).text).toBe('reported text');
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`case:${caseId}`]);
        expect((await edit).rows[0].r.outcome).toBe('edited');
      } finally {
        editor.release();
      }
    } finally {
      runner.release();
    }
  });

  it('an unknown contentId is GWNFD; is the worker\'s only', async () => {
    const e = await refusal(w.worker.query(EDIT, [`nope-${randomUUID()}`, 'a', 't', LATER]));
    expect(e.code).toBe('GWNFD');
    const { contentId } = await fresh();
    await expectPeopleRefused(w, EDIT, [contentId, 'author-1', 'edited by a person', LATER]);
    await expectWorkerFunction(w, 'worker.edit_content(text, text, text, timestamp with time zone)');
  });
});
