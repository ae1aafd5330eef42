import { randomUUID } from 'node:crypto';
import { END, START, StateGraph } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { BatchingPostgresSaver } from '../../src/core/agent/saver.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalLock } from '../../src/core/agent/case-lock.js';
import { buildGraph } from '../../src/core/agent/graph.js';
import { humanReviewNode } from '../../src/core/agent/nodes/human-review.js';
import { routeAfterAnalysis } from '../../src/core/agent/nodes/route.js';
import { autoResolveNode } from '../../src/core/agent/nodes/simple.js';
import { AgentRunner } from '../../src/core/agent/runner.js';
import { CaseState } from '../../src/core/agent/state.js';
import { createRulesClassifier } from '../../src/core/classify/rules.js';
import { silentLogger } from '../../src/core/log.js';
import { createSimulatorPlatform } from '../../src/core/platform/simulator.js';
import { createActionService } from '../../src/core/services/actions.js';
import { createDb, type Db } from '../../src/core/store/db.js';
import { createMemoryBus } from '../../src/core/queue/memory-bus.js';
import { createEventHub } from '../../src/core/runtime/events.js';
import { openPersonSession, type PersonSession } from '../../src/core/session/person-session.js';
import { TEXT } from '../support/harness.js';
import { createTestInstallation, type TestInstallation } from '../support/installation.js';
import { waitFor } from '../support/isolation.js';

/**
 * The process "dies" right after a node's writes were saved and before the step's checkpoint. On the saver
 * the worker runs (the batching subclass, src/core/agent/saver.ts), so the crash window is its own.
 */
class CrashingSaver extends BatchingPostgresSaver {
  armedAt: number | undefined;
  override async put(...args: Parameters<PostgresSaver['put']>) {
    if (this.armedAt !== undefined && args[2].source === 'loop' && args[2].step === this.armedAt) {
      this.armedAt = undefined;
      throw new Error('simulated crash between putWrites and put');
    }
    return super.put(...args);
  }
}

// The runner and the graph run as the worker login, as in `guardian worker`; cases come in through the
// worker's ingest function (as content.submitted would), decisions through a moderator's own session.
// The checkpoint tables are `guardian setup`'s (the worker login may use them, not create them).
let inst: TestInstallation;
let db: Db;
let mod1: PersonSession;
beforeAll(async () => {
  inst = await createTestInstallation();
  db = createDb({ connectionString: inst.workerUrl, max: 5 });
  const p = await inst.person('mod-1', 'moderator');
  mod1 = await openPersonSession({
    mode: 'connected',
    connectionString: p.url,
    bus: createMemoryBus({ logger: silentLogger }),
    hub: createEventHub(silentLogger),
    logger: silentLogger,
    claimMinutes: 15,
    tool: 'cli',
  });
});
afterAll(async () => {
  await mod1?.close();
  await db?.close();
  await inst?.drop();
});

/** A new case being analysed, created as the ingest handler creates it (worker.ingest_content). */
async function ingest(text: string, tag: string): Promise<string> {
  const caseId = randomUUID();
  await db.query(
    `SELECT worker.ingest_content(p_case_id => $1, p_content_id => $2, p_author_id => 'a-1', p_text => $3, p_url => NULL,
            p_reported_by => NULL, p_report_reason => NULL, p_priority => 'normal', p_submitted_at => now())`,
    [caseId, `${tag}-${caseId}`, text],
  );
  return caseId;
}

it.each([0, 1, 2, 3])("a run cut after a node's writes were saved but before step %i's checkpoint is finished on redelivery", async (step) => {
  const saver = new CrashingSaver(db.pool);
  const classifier = createRulesClassifier();
  const graph = buildGraph(
    {
      analyze: (c) => classifier.classify(c),
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
    const caseId = await ingest(text, 'cw');
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
  const classifier = createRulesClassifier();
  let failures = 1;
  const graph = buildGraph(
    {
      analyze: async (c) => {
        if (failures-- > 0) throw new Error('timeout exceeded when trying to connect');
        return classifier.classify(c);
      },
      actions: createActionService(db, createSimulatorPlatform(db)),
    },
    saver,
  );
  const runner = new AgentRunner({ db, graph, lock: createLocalLock(), logger: silentLogger, slaMinutes: 60, onCaseChanged: () => {} });
  const caseId = await ingest(TEXT.threat, 'nf');
  await expect(runner.analyze(caseId)).rejects.toThrow(/timeout exceeded/);
  await runner.analyze(caseId);
  const { rows } = await db.query('SELECT status FROM cases WHERE id = $1', [caseId]);
  expect(rows[0].status).toBe('awaiting_review');
});

describe('threads a version-1 build left behind', () => {
  /** Fixture: the analysis part of the version-1 graph (analyze → route → autoResolve | humanReview). */
  const buildVersion1 = (saver: PostgresSaver) => {
    const classifier = createRulesClassifier();
    return new StateGraph(CaseState)
      .addNode('analyze', async (s: typeof CaseState.State) => ({ analysis: await classifier.classify(s.content) }))
      .addNode('autoResolve', autoResolveNode)
      .addNode('humanReview', humanReviewNode)
      .addEdge(START, 'analyze')
      .addConditionalEdges('analyze', (s) => (routeAfterAnalysis(s) === 'autoResolve' ? 'autoResolve' : 'humanReview'), ['autoResolve', 'humanReview'])
      .addEdge('autoResolve', END)
      .addEdge('humanReview', END)
      .compile({ checkpointer: saver });
  };

  const newCase = async (text: string) => {
    const caseId = await ingest(text, 'v1');
    // The version-1 build's delivery of the analysis job counted its attempt, as every delivery does.
    await db.query('SELECT 1 FROM worker.begin_analysis($1)', [caseId]);
    const input = { caseId, graphVersion: 1, content: { caseId, contentId: `v1-${caseId}`, authorId: 'a-1', text, priority: 'normal' as const } };
    return { caseId, input, config: { configurable: { thread_id: caseId }, durability: 'sync' as const } };
  };

  it('a clean case whose version-1 run died between analyze and autoResolve is finished by this build', async () => {
    const saver = new CrashingSaver(db.pool);
    const { caseId, input, config } = await newCase(TEXT.clean);
    saver.armedAt = 0; // analyze's writes (including the choice of autoResolve) saved, its checkpoint not
    await expect(buildVersion1(saver).invoke(input, config)).rejects.toThrow(/simulated crash/);
    // The run rejects while its earlier saves may still be in flight; a real redelivery comes after the
    // dead process's last writes landed: wait for them (input checkpoint + analyze's pending writes).
    await waitFor(async () => ((await saver.getTuple(config))?.pendingWrites?.length ?? 0) > 0, { message: 'the version-1 run saved' });

    const graph = buildGraph({ analyze: (c) => createRulesClassifier().classify(c), actions: createActionService(db, createSimulatorPlatform(db)) }, saver);
    const runner = new AgentRunner({ db, graph, lock: createLocalLock(), logger: silentLogger, slaMinutes: 60, onCaseChanged: () => {} });
    await runner.analyze(caseId); // the redelivered analysis job
    const { rows } = await db.query('SELECT status, verdict FROM cases WHERE id = $1', [caseId]);
    expect(rows[0]).toEqual({ status: 'auto_resolved', verdict: 'ok' });
    const state = await graph.getState(config);
    expect(state.values.graphVersion).toBe(1);
  });

  it('a case paused for review by version 1 is resumed by this build on the same path', async () => {
    const saver = new PostgresSaver(db.pool);
    const { caseId, input, config } = await newCase(TEXT.threat);
    await buildVersion1(saver).invoke(input, config);

    const graph = buildGraph({ analyze: (c) => createRulesClassifier().classify(c), actions: createActionService(db, createSimulatorPlatform(db)) }, saver);
    const before = await graph.getState(config);
    const pending = before.tasks.flatMap((t) => t.interrupts)[0]!;
    expect(before.next).toEqual(['humanReview']);
    const runner = new AgentRunner({ db, graph, lock: createLocalLock(), logger: silentLogger, slaMinutes: 60, onCaseChanged: () => {} });
    // The redelivered analysis job finds the thread paused and puts the case up for review on that interrupt.
    await runner.analyze(caseId);
    const review = await mod1.getCase(caseId);
    expect(review).toMatchObject({ status: 'awaiting_review' });
    const { rows: irows } = await db.query(`SELECT interrupt_id FROM cases WHERE id = $1`, [caseId]);
    expect(irows[0].interrupt_id).toBe(pending.id);
    // A moderator decides (the database records the command); the worker applies it: this build resumes
    // the version-1 thread with the decision.
    const commandId = randomUUID();
    await mod1.execute({ type: 'decide', caseId, decision: 'remove', reason: 'threat', commandId, expectedVersion: review.version });
    const cmd = await runner.loadCommand(commandId);
    expect(cmd).toMatchObject({ status: 'accepted', actor: 'mod-1', interrupt_id: pending.id });
    await runner.applyCommand(cmd!);
    const after = await graph.getState(config);
    expect(after.values).toMatchObject({ outcome: 'actioned', graphVersion: 1, decision: { decision: 'remove', actor: 'mod-1', commandId } });
    const { rows } = await db.query(`SELECT kind, status FROM actions WHERE case_id = $1`, [caseId]);
    expect(rows).toEqual([{ kind: 'remove_content', status: 'done' }]);
    const { rows: done } = await db.query(`SELECT c.status, m.status AS command FROM cases c JOIN commands m ON m.case_id = c.id WHERE m.id = $1`, [commandId]);
    expect(done).toEqual([{ status: 'actioned', command: 'applied' }]);
  });
});
