/**
 * worker.begin_analysis (resources/db/functions/worker/begin_analysis.sql): an analysis job counts an attempt
 * on a case still in analyzing and returns the row; any other case is returned as it is (the job was only a
 * hint); an unknown case returns no row. It writes no audit event.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, caseRow, expectPeopleRefused, expectWorkerFunction, ingest, toReview, type WorkerWorld, workerWorld } from './support.js';

let w: WorkerWorld;
beforeAll(async () => {
  w = await workerWorld();
});
afterAll(() => w?.inst.drop());

const BEGIN = 'SELECT * FROM worker.begin_analysis($1)';

describe('worker.begin_analysis', () => {
  it('counts each attempt on a case being analysed and returns the updated row, without touching its version or audit', async () => {
    const { caseId } = await ingest(w);
    const first = await w.worker.query(BEGIN, [caseId]);
    expect(first.rows).toHaveLength(1);
    expect(first.rows[0]).toMatchObject({ id: caseId, status: 'analyzing', analysis_attempts: 1, version: 1 });
    const second = await w.worker.query(BEGIN, [caseId]);
    expect(second.rows[0].analysis_attempts).toBe(2);
    expect(await caseRow(w, caseId)).toMatchObject({ analysis_attempts: 2, version: 1, status: 'analyzing' });
    expect((await audit(w, caseId)).map((e) => e.type)).toEqual(['case.created']);
  });

  it('returns a case that is past analysis as it is (no attempt counted)', async () => {
    const { caseId } = await ingest(w);
    await w.worker.query(BEGIN, [caseId]);
    await toReview(w, caseId);
    const before = await caseRow(w, caseId);
    const { rows } = await w.worker.query(BEGIN, [caseId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: caseId, status: 'awaiting_review', analysis_attempts: 1, version: before.version });
    expect(await caseRow(w, caseId)).toEqual(before);
  });

  it('returns no row for an unknown case (or none named)', async () => {
    expect((await w.worker.query(BEGIN, [randomUUID()])).rows).toEqual([]);
    expect((await w.worker.query(BEGIN, [null])).rows).toEqual([]);
  });

  it('is the worker\'s only: moderator, supervisor and admin logins get 42501 and count nothing', async () => {
    const { caseId } = await ingest(w);
    await expectPeopleRefused(w, BEGIN, [caseId]);
    expect((await caseRow(w, caseId)).analysis_attempts).toBe(0);
    await expectWorkerFunction(w, 'worker.begin_analysis(uuid)');
  });
});
