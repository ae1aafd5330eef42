/**
 * Dead letters an admin can see and act on (issue 15, must show 3), on real PostgreSQL and RabbitMQ: a
 * malformed message and a poison message (its ingest keeps failing until a fix) reach guardian.dead, and
 * the worker takes both into the database with their reasons; the admin's replay of the fixed one creates
 * its case exactly once; the discard removes the other; the audit shows both actions. The same through the
 * CLI with --json. Moderators and supervisors are refused by the database itself (their own logins), and no
 * person holds any privilege on the table.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterDetail, DeadLetterSummary } from '../../src/shared/dead-letters.js';
import { cleanEnv, guardian } from '../support/cli.js';
import { contentMessage, plainPublisher, startHarness, TEXT, USERS, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

let h: Harness;
let pub: Awaited<ReturnType<typeof plainPublisher>>;

beforeAll(async () => {
  h = await startHarness({ env: { GUARDIAN_DEAD_LETTERS: 'table' } });
  pub = await plainPublisher(h.vhost.url);
  // "The bug": ingesting content whose id starts with poison- fails (as a broken deployment would), so its
  // message is retried and then dead-lettered; dropping the trigger is "the fix".
  await h.inst.dba(`CREATE FUNCTION public.poison_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.content_id LIKE 'poison-%' THEN RAISE EXCEPTION 'simulated ingest bug for %', NEW.content_id; END IF; RETURN NEW; END $$`);
});
afterAll(async () => {
  await pub?.close();
  await h?.close();
});

const breakIngest = () => h.inst.dba('CREATE TRIGGER poison_guard BEFORE INSERT ON cases FOR EACH ROW EXECUTE FUNCTION public.poison_guard()');
const fixIngest = () => h.inst.dba('DROP TRIGGER poison_guard ON cases');
const casesOf = async (contentId: string) => (await h.inst.dba<{ n: number }>('SELECT count(*)::int AS n FROM cases WHERE content_id = $1', [contentId])).rows[0]!.n;

/** Publishes a malformed body and a poison message; waits until both are dead letters in the table. */
async function deadPair(tag: string) {
  const poisonId = `poison-${tag}-${randomUUID().slice(0, 8)}`;
  await breakIngest();
  const marker = `not json ${tag} ${randomUUID()}`;
  await pub.publish('content.submitted', Buffer.from(`{${marker}`));
  await pub.publish('content.submitted', contentMessage(poisonId, TEXT.clean));
  const admin = await h.api();
  const found = await waitFor(
    async () => {
      const list = await admin.deadLetters.list();
      const malformed = list.find((d) => d.excerpt.includes(marker));
      const poison = list.find((d) => d.excerpt.includes(poisonId));
      return malformed && poison ? { malformed, poison } : undefined;
    },
    { timeoutMs: 60_000, message: `dead letters of ${tag}` },
  );
  await fixIngest();
  return { ...found, poisonId, marker };
}

describe('dead letters console (database + worker)', () => {
  let pair: Awaited<ReturnType<typeof deadPair>>;

  it('a malformed message and a poison message reach the table with their reasons; guardian.dead is emptied', async () => {
    pair = await deadPair('api');
    expect(pair.malformed).toMatchObject({ state: 'pending', sourceQueue: 'guardian.ingest', routingKey: 'content.submitted', attempts: 1 });
    expect(pair.malformed.reason).toMatch(/^malformed JSON: /);
    expect(pair.poison).toMatchObject({ state: 'pending', sourceQueue: 'guardian.ingest', routingKey: 'content.submitted', attempts: 5 });
    expect(pair.poison.reason).toMatch(/^gave up after 5 attempts: .*simulated ingest bug/);
    expect(pair.poison.bodyBytes).toBeGreaterThan(50);
    expect(await casesOf(pair.poisonId)).toBe(0);
    // Acked once recorded: nothing waits in guardian.dead.
    await waitFor(async () => (await h.core.bus.queueDepths()).find((q) => q.queue === 'guardian.dead')!.messages === 0, { message: 'guardian.dead drained' });
    const shown = await (await h.api()).deadLetters.get(pair.poison.id);
    expect(shown.bodyIsUtf8).toBe(true);
    expect(JSON.parse(shown.body)).toMatchObject({ contentId: pair.poisonId });
    expect(shown.headers['x-guardian-reason']).toBe(pair.poison.reason);
  });

  it('moderators and supervisors are refused by the database, with their own logins', async () => {
    for (const who of [USERS.mod1, USERS.sup1]) {
      const s = await h.as(who);
      await expect(s.deadLetters.list()).rejects.toMatchObject({ code: 'forbidden' });
      await expect(s.deadLetters.get(pair.poison.id)).rejects.toMatchObject({ code: 'forbidden' });
      await expect(s.deadLetters.replay([pair.poison.id], randomUUID())).rejects.toMatchObject({ code: 'forbidden' });
      await expect(s.deadLetters.discard([pair.malformed.id], randomUUID())).rejects.toMatchObject({ code: 'forbidden' });
      // No privilege on the table either: a direct read or write is refused by PostgreSQL.
      const pool = h.inst.pool(h.people[who]!.url, 1);
      for (const sql of ['SELECT * FROM dead_letters', `UPDATE dead_letters SET state = 'replayed'`, 'DELETE FROM dead_letters'])
        await expect(pool.query(sql)).rejects.toMatchObject({ code: '42501' });
    }
    // The refusals are recorded and audited; nothing changed.
    const refused = await (await h.api()).audit({ type: 'command.rejected', actor: USERS.mod1 });
    expect(refused.map((e) => e.payload.command)).toEqual(expect.arrayContaining(['dead_letter_replay', 'dead_letter_discard']));
    const still = await (await h.api()).deadLetters.list();
    expect(still.filter((d) => d.id === pair.poison.id || d.id === pair.malformed.id).map((d) => [d.state, d.replayRequestedAt])).toEqual([
      ['pending', null],
      ['pending', null],
    ]);
  });

  it('the replay of the fixed one creates its case exactly once; the discard removes the other; both are audited', async () => {
    const admin = await h.api();
    const commandId = randomUUID();
    const r = await admin.deadLetters.replay([pair.poison.id], commandId);
    expect(r).toMatchObject({ status: 'accepted', duplicate: false, action: 'replay', ids: [pair.poison.id], skipped: [] });
    // Pending until the worker did it.
    const replayed = await waitFor(async () => {
      const d = await admin.deadLetters.get(pair.poison.id);
      return d.state === 'replayed' ? d : undefined;
    }, { timeoutMs: 30_000, message: 'replayed' });
    expect(replayed).toMatchObject({ doneBy: USERS.admin, replayRequestedBy: USERS.admin, replayCommandId: commandId });
    await h.waitForCase(pair.poisonId, 'auto_resolved');
    // The same command again is a duplicate (now applied); another replay of it is skipped: still one case.
    expect(await admin.deadLetters.replay([pair.poison.id], commandId)).toMatchObject({ status: 'applied', duplicate: true });
    expect(await admin.deadLetters.replay([pair.poison.id], randomUUID())).toMatchObject({ status: 'applied', ids: [], skipped: [{ id: pair.poison.id, why: 'already replayed' }] });
    expect(await casesOf(pair.poisonId)).toBe(1);
    const { rows } = await h.inst.dba('SELECT status FROM commands WHERE id = $1', [commandId]);
    expect(rows[0].status).toBe('applied');

    const discardId = randomUUID();
    expect(await admin.deadLetters.discard([pair.malformed.id], discardId)).toMatchObject({ status: 'applied', ids: [pair.malformed.id] });
    const pending = await admin.deadLetters.list();
    expect(pending.map((d) => d.id)).not.toContain(pair.malformed.id);
    expect(pending.map((d) => d.id)).not.toContain(pair.poison.id);
    expect((await admin.deadLetters.list({ state: 'discarded' })).map((d) => d.id)).toContain(pair.malformed.id);

    const audit = await admin.audit({ order: 'newest', limit: 50 });
    const of = (type: string) => audit.filter((e) => e.type === type && e.payload.commandId === (type === 'dead_letter.discarded' ? discardId : commandId));
    expect(of('dead_letter.replay_requested')).toHaveLength(1);
    expect(of('dead_letter.replay_requested')[0]).toMatchObject({ actor: USERS.admin, payload: { deadLetters: [{ id: pair.poison.id, reason: pair.poison.reason }] } });
    expect(of('dead_letter.replayed')).toHaveLength(1);
    expect(of('dead_letter.replayed')[0]).toMatchObject({ actor: 'worker', payload: { deadLetterId: pair.poison.id, requestedBy: USERS.admin } });
    expect(of('dead_letter.discarded')).toHaveLength(1);
    expect(of('dead_letter.discarded')[0]).toMatchObject({ actor: USERS.admin, payload: { deadLetters: [{ id: pair.malformed.id }] } });
  });

  it('refuses bad input before anything is recorded (unknown id, no ids)', async () => {
    const admin = await h.api();
    await expect(admin.deadLetters.replay([999_999], randomUUID())).rejects.toMatchObject({ code: 'not_found' });
    await expect(admin.deadLetters.discard([], randomUUID())).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(admin.deadLetters.get(999_999)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('guardian dead (CLI, --json)', () => {
  it('lists, shows, replays and discards as the admin; a moderator is refused (exit 4)', async () => {
    const pair = await deadPair('cli');
    const adminEnv = cleanEnv(h.envAs(USERS.admin));
    const run = async (args: string[], env = adminEnv) => {
      const r = await guardian(['dead', ...args], env);
      return r;
    };
    const list = await run(['list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as DeadLetterSummary[];
    expect(rows.map((d) => d.id)).toEqual(expect.arrayContaining([pair.poison.id, pair.malformed.id]));
    expect(rows.find((d) => d.id === pair.malformed.id)!.reason).toMatch(/^malformed JSON: /);

    const show = await run(['show', String(pair.poison.id), '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse((JSON.parse(show.stdout) as DeadLetterDetail).body)).toMatchObject({ contentId: pair.poisonId });

    const mod = await run(['replay', String(pair.poison.id), '--json'], cleanEnv(h.envAs(USERS.mod1)));
    expect(mod.code).toBe(4);
    expect(mod.stderr).toMatch(/^forbidden: Dead letters are for admins/);
    expect((await run(['list'], cleanEnv(h.envAs(USERS.sup1)))).code).toBe(4);

    const replay = await run(['replay', String(pair.poison.id), '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ status: 'accepted', action: 'replay', ids: [pair.poison.id] });
    await h.waitForCase(pair.poisonId, 'auto_resolved');
    const discard = await run(['discard', String(pair.malformed.id), '--json']);
    expect(discard.code, discard.stderr).toBe(0);
    expect(JSON.parse(discard.stdout)).toMatchObject({ status: 'applied', action: 'discard', ids: [pair.malformed.id] });

    const admin = await h.api();
    await waitFor(async () => (await admin.deadLetters.get(pair.poison.id)).state === 'replayed', { timeoutMs: 30_000, message: 'replayed' });
    const all = JSON.parse((await run(['list', '--state', 'all', '--json'])).stdout) as DeadLetterSummary[];
    const state = (id: number) => all.find((d) => d.id === id)?.state;
    expect([state(pair.poison.id), state(pair.malformed.id)]).toEqual(['replayed', 'discarded']);
    expect(await casesOf(pair.poisonId)).toBe(1);
    const audit = await guardian(['audit', '--type', 'dead_letter.discarded', '--json'], adminEnv);
    expect((JSON.parse(audit.stdout) as Array<{ tool: string; payload: { deadLetters: Array<{ id: number }> } }>).some((e) => e.tool === 'cli' && e.payload.deadLetters[0]?.id === pair.malformed.id)).toBe(true);
    expect((await run(['show', 'x'])).code).toBe(2);
  }, 300_000); // nine CLI processes, each starting the core: slow on a loaded machine
});
