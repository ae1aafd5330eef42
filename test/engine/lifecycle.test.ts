import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqplib from 'amqplib';
import type { Classifier } from '../../src/core/classify/classifier.js';
import { createRulesClassifier } from '../../src/core/classify/rules.js';
import { GuardianError } from '../../src/core/errors.js';
import { analysisPriority } from '../../src/core/services/ingest.js';
import { verifyAudit } from '../../src/core/audit/verify.js';
import { waitFor } from '../support/isolation.js';
import { appealMessage, contentMessage, plainPublisher, startHarness, TEXT, USERS, type Harness } from '../support/harness.js';

let h: Harness;
let pub: Awaited<ReturnType<typeof plainPublisher>>;

// The rules classifier, except that it crashes on a poison pill (a bug in analysis, say).
const rules = createRulesClassifier();
const classifier: Classifier = {
  name: 'rules',
  classify: async (c) => {
    if (c.text.includes('POISON-PILL')) throw new Error('classifier exploded');
    return rules.classify(c);
  },
};

beforeAll(async () => {
  h = await startHarness({ classifier });
  pub = await plainPublisher(h.vhost.url);
});
afterAll(async () => {
  await pub?.close();
  await h?.close();
});

/** Publishes one violating post and waits until it awaits review. */
async function reviewCase(tag: string, text = TEXT.threat) {
  const contentId = `${tag}-${h.cmdId()}`;
  await pub.publish('content.submitted', contentMessage(contentId, text));
  return h.waitForCase(contentId, 'awaiting_review');
}

async function expectError(p: Promise<unknown>, code: string, pattern?: RegExp) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a ${code} error`).toBeInstanceOf(GuardianError);
  expect((err as GuardianError).code).toBe(code);
  if (pattern) expect((err as GuardianError).message).toMatch(pattern);
  return err as GuardianError;
}

describe('ingestion (must show 1)', () => {
  it('turns 200 content.submitted messages from a plain publisher into exactly 200 cases; duplicates are one case', async () => {
    const run = h.cmdId().slice(0, 8);
    const ids = Array.from({ length: 200 }, (_, i) => `bulk-${run}-${i}`);
    for (const [i, id] of ids.entries()) {
      await pub.publish('content.submitted', contentMessage(id, i % 2 === 0 ? TEXT.clean : TEXT.threat));
    }
    // The same contentIds (and texts) again: still one case each. (Another text would be an edit, analysed
    // again: test/engine/ingest-edits.test.ts.)
    for (const [i, id] of ids.slice(0, 20).entries()) await pub.publish('content.submitted', contentMessage(id, i % 2 === 0 ? TEXT.clean : TEXT.threat));

    const counts = await waitFor(
      async () => {
        const { rows } = await h.core.db.query<{ status: string; n: number }>(
          `SELECT status, count(*)::int AS n FROM cases WHERE content_id LIKE $1 GROUP BY status`,
          [`bulk-${run}-%`],
        );
        const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
        return (by.auto_resolved ?? 0) + (by.awaiting_review ?? 0) === 200 ? by : undefined;
      },
      { timeoutMs: 90_000, message: '200 analysed cases' },
    );
    expect(counts).toEqual({ auto_resolved: 100, awaiting_review: 100 });
    const { rows } = await h.core.db.query(`SELECT count(*)::int AS n, count(DISTINCT content_id)::int AS d FROM cases WHERE content_id LIKE $1`, [`bulk-${run}-%`]);
    expect(rows[0]).toEqual({ n: 200, d: 200 });
    const review = await (await h.api()).listCases({ status: ['awaiting_review'], search: `bulk-${run}`, limit: 1 });
    const detail = await (await h.api()).getCase(review[0]!.id);
    expect(detail.analysis).toMatchObject({ verdict: 'review', violationType: 'violence' });
    expect(detail.allowedDecisions).toContain('remove_and_ban');
  });

  it('delivers urgent analysis work before the normal backlog', async () => {
    // A core that does not consume: queue a backlog of normal jobs, then one urgent, then consume.
    const other = await startHarness({ worker: false });
    try {
      const ids = Array.from({ length: 30 }, () => h.cmdId());
      for (const caseId of ids) await other.core.bus.publishJob('analysis', { caseId }, { priority: analysisPriority('normal') });
      const urgent = h.cmdId();
      await other.core.bus.publishJob('analysis', { caseId: urgent }, { priority: analysisPriority('urgent') });
      const order: string[] = [];
      await other.core.bus.consume(
        'analysis',
        async (d) => {
          order.push(JSON.parse(d.body.toString()).caseId);
        },
        { prefetch: 1 },
      );
      await waitFor(() => order.length === 31, { message: '31 deliveries' });
      expect(order[0]).toBe(urgent);
      expect(order.slice(1)).toEqual(ids);
    } finally {
      await other.close();
    }
  });
});

describe('decisions and platform actions (must show 2)', () => {
  it('executes the decided actions once on the platform, signed and keyed; the case is actioned and audited', async () => {
    const c = await reviewCase('decide');
    const r = await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove_and_ban', reason: 'credible threat', durationHours: 72, tool: 'cli', commandId: h.cmdId(), expectedVersion: c.version });
    expect(r.status).toBe('accepted');
    await h.waitForStatus(c.id, 'actioned');

    const mine = h.sent(c.id);
    expect(mine.map((q) => q.kind)).toEqual(['remove_content', 'ban_user']);
    expect(mine.every((q) => q.signatureValid && q.idempotencyKey === q.actionId)).toBe(true);
    expect(mine.find((q) => q.kind === 'ban_user')!.body).toMatchObject({ durationHours: 72, authorId: expect.any(String), reason: 'credible threat' });

    const detail = await (await h.api()).getCase(c.id);
    expect(detail.actions.map((a) => [a.kind, a.status])).toEqual([
      ['remove_content', 'done'],
      ['ban_user', 'done'],
    ]);
    const decided = detail.timeline.find((e) => e.type === 'decision.made')!;
    expect(decided).toMatchObject({ actor: USERS.mod1, tool: 'cli' });
    expect(detail.timeline.filter((e) => e.type === 'action.executed').map((e) => e.actor)).toEqual([USERS.mod1, USERS.mod1]);
    expect((await verifyAudit((await h.api()).db, { caseId: c.id })).ok).toBe(true);
  });

  it('claims are leases visible to everyone; another moderator cannot decide a claimed case', async () => {
    const c = await reviewCase('claim');
    await (await h.as(USERS.mod1)).execute({ type: 'claim', caseId: c.id, tool: 'ui', commandId: h.cmdId() });
    const seen = await (await h.api()).getCase(c.id);
    expect(seen.claimedBy).toBe(USERS.mod1);
    expect(new Date(seen.claimUntil!).getTime()).toBeGreaterThan(Date.now());
    await expectError((await h.as(USERS.mod2)).execute({ type: 'claim', caseId: c.id, tool: 'ui', commandId: h.cmdId() }), 'conflict', /claimed by mod-1/);
    await expectError(
      (await h.as(USERS.mod2)).execute({ type: 'decide', caseId: c.id, decision: 'approve', reason: 'fine by me', tool: 'ui', commandId: h.cmdId() }),
      'conflict',
      /claimed by mod-1/,
    );
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'approve', reason: 'a quote from a film', tool: 'ui', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'actioned');
    expect(h.kinds(c.id)).toHaveLength(0);
  });

  it('rejects invalid commands with a typed error and keeps nothing', async () => {
    const c = await reviewCase('invalid');
    await expectError((await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: '', tool: 'cli', commandId: h.cmdId() }), 'invalid_input', /reason/);
    await expectError((await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'nuke' as never, reason: 'because', tool: 'cli', commandId: h.cmdId() }), 'invalid_input', /decision/);
    // A login in the moderators' group that is no person of the installation is refused at sign-in.
    const stranger = h.inst.roles.personLogin('nobody');
    await h.inst.dba(`CREATE ROLE "${stranger}" LOGIN IN ROLE ${h.inst.roles.moderator}`);
    await expectError(h.core.openSession({ login: stranger }), 'forbidden', /not an active person/);
    expect((await (await h.api()).getCase(c.id)).status).toBe('awaiting_review');
  });
});

describe('rollback and four-eyes (must show 3)', () => {
  it('a supervisor rolls back LIFO, warn is reported non-reversible, the case returns at level 2; moderators cannot; the decider cannot review', async () => {
    const c = await reviewCase('rollback');
    await (await h.as(USERS.sup1)).execute({ type: 'decide', caseId: c.id, decision: 'remove_and_ban', reason: 'threat', tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'actioned');

    await expectError((await h.as(USERS.mod1)).execute({ type: 'rollback', caseId: c.id, reason: 'I disagree', tool: 'cli', commandId: h.cmdId() }), 'forbidden', /supervisor/);
    expect((await (await h.api()).getCase(c.id)).status).toBe('actioned');

    await (await h.as(USERS.sup2)).execute({ type: 'rollback', caseId: c.id, reason: 'context: song lyrics', tool: 'ui', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'awaiting_review');
    const after = await (await h.api()).getCase(c.id);
    expect(after.level).toBe(2);
    expect(after.reviewKind).toBe('rollback');
    // Reversal order is last-in-first-out: the ban is lifted before the content is restored.
    const reversals = h.kinds(c.id);
    expect(reversals).toEqual(['remove_content', 'ban_user', 'unban_user', 'restore_content']);
    expect(after.actions.filter((a) => a.reverses).every((a) => a.status === 'done')).toBe(true);

    // Four-eyes: sup-1 made the decision that was rolled back.
    const refused = await expectError(
      (await h.as(USERS.sup1)).execute({ type: 'decide', caseId: c.id, decision: 'warn', reason: 'my call again', tool: 'cli', commandId: h.cmdId() }),
      'forbidden',
      /Four-eyes/,
    );
    expect(refused.message).toContain(USERS.sup1);
    await expectError(
      (await h.as(USERS.mod2)).execute({ type: 'decide', caseId: c.id, decision: 'warn', reason: 'level 2 is not mine', tool: 'cli', commandId: h.cmdId() }),
      'forbidden',
      /supervisors/,
    );
    await (await h.as(USERS.admin)).execute({ type: 'decide', caseId: c.id, decision: 'warn', reason: 'lyrics, but still a warning', tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'actioned');
  });

  it('reports warn_user as not reversible', async () => {
    const c = await reviewCase('warnrb', TEXT.insult);
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'warn', reason: 'insult', tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'actioned');
    await (await h.as(USERS.sup1)).execute({ type: 'rollback', caseId: c.id, reason: 'too harsh', tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'awaiting_review');
    const d = await (await h.api()).getCase(c.id);
    expect(d.actions.find((a) => a.reverses)).toMatchObject({ kind: 'warn_user', status: 'not_reversible', lastError: expect.stringContaining('cannot be reversed') });
    expect(d.timeline.some((e) => e.type === 'action.not_reversible')).toBe(true);
    expect(h.kinds(c.id)).toEqual(['warn_user']);
  });
});

describe('appeals (must show 4)', () => {
  async function actioned(tag: string) {
    const c = await reviewCase(tag);
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'actioned');
    return (await h.api()).getCase(c.id);
  }

  it('overturn reverses the appealed actions and closes the case', async () => {
    const c = await actioned('appeal-over');
    await pub.publish('appeal.submitted', appealMessage(c));
    await h.waitForStatus(c.id, 'awaiting_review');
    const review = await (await h.api()).getCase(c.id);
    expect(review).toMatchObject({ level: 2, reviewKind: 'appeal', allowedDecisions: ['uphold', 'overturn'] });
    await expectError(
      (await h.as(USERS.mod1)).execute({ type: 'appeal_decide', caseId: c.id, outcome: 'overturn', reason: 'agree with the appeal', tool: 'cli', commandId: h.cmdId() }),
      'forbidden',
    );
    await (await h.as(USERS.sup1)).execute({ type: 'appeal_decide', caseId: c.id, outcome: 'overturn', reason: 'agree with the appeal', tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'closed');
    expect(h.kinds(c.id)).toEqual(['remove_content', 'restore_content']);
  });

  it('uphold keeps the actions and closes the case', async () => {
    const c = await actioned('appeal-up');
    await pub.publish('appeal.submitted', appealMessage(c));
    await h.waitForStatus(c.id, 'awaiting_review');
    await (await h.as(USERS.sup2)).execute({ type: 'appeal_decide', caseId: c.id, outcome: 'uphold', reason: 'the threat was real', tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'closed');
    expect(h.kinds(c.id)).toEqual(['remove_content']);
    const d = await (await h.api()).getCase(c.id);
    expect(d.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['appeal.opened', 'appeal.decided', 'case.closed']));
  });
});

describe('concurrency and idempotency (must show 5)', () => {
  it('two concurrent decisions: one applies, the other is a conflict naming the winner; no checkpoint fork', async () => {
    const c = await reviewCase('race');
    const results = await Promise.allSettled([
      (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'remove it', tool: 'ui', commandId: h.cmdId(), expectedVersion: c.version }),
      (await h.as(USERS.mod2)).execute({ type: 'decide', caseId: c.id, decision: 'warn', reason: 'warn only', tool: 'ui', commandId: h.cmdId(), expectedVersion: c.version }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    const e = failed[0]!.reason as GuardianError;
    expect(e.code).toBe('conflict');
    const winner = (await (await h.api()).getCase(c.id)).lastDecision!;
    expect(e.message).toContain(`decided by ${winner.actor} (${winner.decision})`);
    await h.waitForStatus(c.id, 'actioned');
    const kinds = h.kinds(c.id);
    expect(kinds).toEqual([winner.decision === 'remove' ? 'remove_content' : 'warn_user']);

    const parents = new Map<string, number>();
    for await (const snap of h.core.worker!.graph.getStateHistory({ configurable: { thread_id: c.id } })) {
      const parent = snap.parentConfig?.configurable?.checkpoint_id as string | undefined;
      if (parent) parents.set(parent, (parents.get(parent) ?? 0) + 1);
    }
    expect(parents.size).toBeGreaterThan(2);
    expect([...parents.values()].every((n) => n === 1)).toBe(true);
  });

  it('one command delivered twice (also concurrently) is applied once', async () => {
    const c = await reviewCase('dup');
    const cmd = { type: 'decide' as const, caseId: c.id, decision: 'remove' as const, reason: 'threat', tool: 'ui' as const, commandId: h.cmdId(), expectedVersion: c.version };
    const mod1 = await h.as(USERS.mod1);
    const [a, b] = await Promise.all([mod1.execute(cmd), mod1.execute(cmd)]);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    await h.waitForStatus(c.id, 'actioned');
    const again = await mod1.execute(cmd);
    expect(again).toMatchObject({ duplicate: true, status: 'applied' });
    // The same job published again (as after a lost confirm) changes nothing either.
    await h.core.bus.publishJob('decisions', { commandId: cmd.commandId, caseId: c.id });
    await h.core.sweep();
    const { rows } = await h.core.db.query(`SELECT count(*)::int AS n FROM commands WHERE id = $1`, [cmd.commandId]);
    expect(rows[0].n).toBe(1);
    await waitFor(async () => (await h.core.db.query(`SELECT 1 FROM commands WHERE id = $1 AND status = 'applied'`, [cmd.commandId])).rowCount, {
      message: 'command applied',
    });
    expect(h.kinds(c.id)).toEqual(['remove_content']);
    // A different command reusing the id is refused.
    await expectError(mod1.execute({ ...cmd, decision: 'warn' }), 'conflict', /already used/);
  });
});

describe('bad input (must show 7)', () => {
  it('dead-letters malformed JSON, unknown schemaVersion, missing fields and 1 MB text with the reason, and keeps consuming', async () => {
    const good = contentMessage(`dl-good-${h.cmdId()}`, TEXT.clean);
    await pub.publish('content.submitted', Buffer.from('{"schemaVersion": 1, "contentId": "x", '));
    await pub.publish('content.submitted', { ...contentMessage('dl-v2', TEXT.clean), schemaVersion: 2 });
    const { authorId: _omit, ...missing } = contentMessage('dl-missing', TEXT.clean);
    await pub.publish('content.submitted', missing);
    await pub.publish('content.submitted', contentMessage('dl-huge', 'x'.repeat(1024 * 1024)));
    await pub.publish('content.submitted', good);
    await h.waitForCase(good.contentId, 'auto_resolved');

    const conn = await amqplib.connect(h.vhost.url);
    const ch = await conn.createChannel();
    const dead: Array<{ reason: string; body: string }> = [];
    try {
      await waitFor(
        async () => {
          const m = await ch.get('guardian.dead', { noAck: true });
          if (m) dead.push({ reason: String(m.properties.headers?.['x-guardian-reason']), body: m.content.toString().slice(0, 100) });
          return dead.length >= 4;
        },
        { message: '4 dead letters' },
      );
    } finally {
      await conn.close();
    }
    // Handlers run concurrently (prefetch), so the dead letters may arrive in any order.
    const reasons = dead.map((d) => d.reason).sort();
    expect(reasons).toEqual([
      expect.stringMatching(/^invalid content.submitted v1: authorId/),
      expect.stringMatching(/^invalid content.submitted v1: text: text exceeds 50000 characters/),
      expect.stringMatching(/^malformed JSON/),
      expect.stringMatching(/^unsupported schemaVersion 2/),
    ]);
    for (const id of ['dl-v2', 'dl-missing', 'dl-huge']) expect(await h.caseByContent(id)).toBeUndefined();
  });

  it('a poison message that keeps failing ends dead-lettered and its case visibly failed, not retried forever', async () => {
    const contentId = `poison-${h.cmdId()}`;
    await pub.publish('content.submitted', contentMessage(contentId, 'POISON-PILL in the text'));
    const c = await h.waitForCase(contentId, 'failed');
    const detail = await (await h.api()).getCase(c.id);
    expect(detail.failureReason).toMatch(/classifier exploded/);
    expect(detail.timeline.some((e) => e.type === 'case.failed')).toBe(true);
    // The worker is still healthy.
    const next = `after-poison-${h.cmdId()}`;
    await pub.publish('content.submitted', contentMessage(next, TEXT.clean));
    await h.waitForCase(next, 'auto_resolved');
  });
});

describe('graph versions', () => {
  it('refuses to resume a checkpoint written by another graph version, and says so on the case', async () => {
    const c = await reviewCase('version');
    // As if this thread had been written by a future build with a different graph.
    await h.core.worker!.graph.updateState({ configurable: { thread_id: c.id } }, { graphVersion: 999 });
    await (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', tool: 'cli', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'failed');
    const d = await (await h.api()).getCase(c.id);
    expect(d.failureReason).toMatch(/graph version 999/);
    expect(h.kinds(c.id)).toEqual([]);
  });
});

describe('SLA', () => {
  it('a level-1 review past its SLA is escalated to level 2 for supervisors, and audited', async () => {
    const c = await reviewCase('sla');
    await (await h.as(USERS.mod1)).execute({ type: 'claim', caseId: c.id, tool: 'ui', commandId: h.cmdId() });
    await h.inst.dba(`UPDATE cases SET sla_due_at = now() - interval '1 minute' WHERE id = $1`, [c.id]);
    await h.core.sweep();
    const d = await (await h.api()).getCase(c.id);
    expect(d).toMatchObject({ level: 2, status: 'awaiting_review', claimedBy: null, version: c.version + 1 });
    expect(d.timeline.at(-1)).toMatchObject({ type: 'sla.breached', actor: 'agent' });
    await expectError(
      (await h.as(USERS.mod1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', tool: 'ui', commandId: h.cmdId() }),
      'forbidden',
      /supervisors/,
    );
    await (await h.as(USERS.sup1)).execute({ type: 'decide', caseId: c.id, decision: 'remove', reason: 'threat', tool: 'ui', commandId: h.cmdId() });
    await h.waitForStatus(c.id, 'actioned');
  });
});
