import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanEnv, guardian } from '../support/cli.js';
import { plainPublisher, startHarness, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

/** `guardian health` (DESIGN §11): what an operator checks first, with an exit code a monitor can use. */
let h: Harness;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  h = await startHarness({ worker: true });
  // An operator's check, here with the worker's login (any login of the installation may read the counts).
  env = cleanEnv({ DATABASE_URL: h.env.DATABASE_URL!, AMQP_URL: h.env.AMQP_URL!, GUARDIAN_ROLE_PREFIX: h.inst.roles.prefix });
});
afterAll(async () => {
  await h?.close();
});

it('reports ok with the queues and their consumers, then degraded once a message is dead-lettered', async () => {
  const ok = await guardian(['health', '--json'], env);
  expect(ok.code, ok.stderr).toBe(0);
  const report = JSON.parse(ok.stdout);
  expect(report).toMatchObject({ status: 'ok', mode: 'connected', database: { state: 'up' }, broker: { state: 'up' }, problems: [] });
  const queues = Object.fromEntries((report.broker.queues as Array<{ queue: string; messages: number; consumers: number }>).map((q) => [q.queue, q]));
  expect(Object.keys(queues).sort()).toEqual(['guardian.analysis', 'guardian.dead', 'guardian.decisions', 'guardian.ingest', 'guardian.rollbacks']);
  expect(queues['guardian.analysis']!.consumers).toBeGreaterThanOrEqual(1); // the harness's worker
  expect(queues['guardian.dead']!.messages).toBe(0);

  // A malformed message from the platform ends in the dead-letter queue: someone has to look at it.
  const pub = await plainPublisher(h.vhost.url);
  await pub.publish('content.submitted', Buffer.from('{"not": "a post"'));
  await pub.close();
  await waitFor(async () => (await h.core.health()).problems.some((p) => p.includes('dead-letter')), { message: 'the dead letter counted' });

  const degraded = await guardian(['health'], env);
  expect(degraded.code).toBe(1);
  expect(degraded.stdout).toMatch(/status: degraded/);
  expect(degraded.stdout).toMatch(/guardian\.dead\s+1 waiting/);
  expect(degraded.stderr).toMatch(/problem: 1 message\(s\) in the dead-letter queue guardian\.dead/);
});

it('fails with the reason when the database cannot be reached', async () => {
  const down = await guardian(['health', '--json'], { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
  expect(down.code).toBe(1);
  // Clients no longer migrate at start, so the check itself runs and reports the database down, with the
  // reason, beside what it could still see (the broker); the exit code and stderr say it as before.
  expect(JSON.parse(down.stdout)).toMatchObject({
    status: 'down',
    database: { state: 'down', error: expect.stringMatching(/ECONNREFUSED/) },
    broker: { state: 'up' },
    problems: expect.arrayContaining([expect.stringMatching(/^database unreachable: .*ECONNREFUSED/)]),
  });
  expect(down.stderr).toMatch(/ECONNREFUSED/);
});
