import { randomUUID } from 'node:crypto';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLocalLock } from '../../src/core/agent/case-lock.js';
import { buildGraph } from '../../src/core/agent/graph.js';
import { AgentRunner } from '../../src/core/agent/runner.js';
import { createRulesClassifier } from '../../src/core/classify/rules.js';
import { silentLogger } from '../../src/core/log.js';
import { createSimulatorPlatform } from '../../src/core/platform/simulator.js';
import { createActionService } from '../../src/core/services/actions.js';
import { createDb, type Db } from '../../src/core/store/db.js';
import { migrate } from '../../src/core/store/migrate.js';
import { TEXT } from '../support/harness.js';
import { createTestDatabase, type TestDatabase } from '../support/isolation.js';

/** The process "dies" right after a node's writes were saved and before the step's checkpoint. */
class CrashingSaver extends PostgresSaver {
  armedAt: number | undefined;
  override async put(...args: Parameters<PostgresSaver['put']>) {
    if (this.armedAt !== undefined && args[2].source === 'loop' && args[2].step === this.armedAt) {
      this.armedAt = undefined;
      throw new Error('simulated crash between putWrites and put');
    }
    return super.put(...args);
  }
}

let tdb: TestDatabase;
let db: Db;
beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDb({ connectionString: tdb.url, max: 5 });
  await migrate(db, silentLogger);
});
afterAll(async () => {
  await db?.close();
  await tdb?.drop();
});

it.each([0, 1, 2, 3])("a run cut after a node's writes were saved but before step %i's checkpoint is finished on redelivery", async (step) => {
  const saver = new CrashingSaver(db.pool);
  await saver.setup();
  const classifier = createRulesClassifier();
  const graph = buildGraph(
    {
      analyze: (c) => classifier.classify(c),
      store: { saveAnalysis: async () => {} },
      actions: createActionService(db, createSimulatorPlatform(db)),
    },
    saver,
  );
  const runner = new AgentRunner({ db, graph, lock: createLocalLock(), logger: silentLogger, slaMinutes: 60, onCaseChanged: () => {} });
  for (const [text, final] of [
    [TEXT.threat, 'awaiting_review'],
    [TEXT.spam, 'actioned'],
    [TEXT.clean, 'auto_resolved'],
  ] as const) {
    const caseId = randomUUID();
    await db.query(`INSERT INTO cases (id, content_id, author_id, text, submitted_at, status) VALUES ($1, $2, 'a-1', $3, now(), 'analyzing')`, [caseId, `cw-${caseId}`, text]);
    saver.armedAt = step;
    // The first delivery dies (if the path has that step); the redelivered job must finish the case.
    await runner.analyze(caseId).catch((err: Error) => expect(err.message).toMatch(/simulated crash/));
    saver.armedAt = undefined;
    await runner.analyze(caseId);
    const { rows } = await db.query('SELECT status FROM cases WHERE id = $1', [caseId]);
    expect([text.slice(0, 12), rows[0].status]).toEqual([text.slice(0, 12), final]);
  }
});

it('a run whose node failed (e.g. the database hiccuped) is retried by the redelivered job, not left "analyzing"', async () => {
  const saver = new CrashingSaver(db.pool);
  await saver.setup();
  const classifier = createRulesClassifier();
  let failures = 1;
  const graph = buildGraph(
    {
      analyze: (c) => classifier.classify(c),
      store: {
        saveAnalysis: async () => {
          if (failures-- > 0) throw new Error('timeout exceeded when trying to connect');
        },
      },
      actions: createActionService(db, createSimulatorPlatform(db)),
    },
    saver,
  );
  const runner = new AgentRunner({ db, graph, lock: createLocalLock(), logger: silentLogger, slaMinutes: 60, onCaseChanged: () => {} });
  const caseId = randomUUID();
  await db.query(`INSERT INTO cases (id, content_id, author_id, text, submitted_at, status) VALUES ($1, $2, 'a-1', $3, now(), 'analyzing')`, [caseId, `nf-${caseId}`, TEXT.threat]);
  await expect(runner.analyze(caseId)).rejects.toThrow(/timeout exceeded/);
  await runner.analyze(caseId);
  const { rows } = await db.query('SELECT status FROM cases WHERE id = $1', [caseId]);
  expect(rows[0].status).toBe('awaiting_review');
});
