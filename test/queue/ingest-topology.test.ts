/**
 * The ingest topology behind the alternate exchange (src/core/queue/topology.ts), on real RabbitMQ vhosts:
 * declared over an installation set up before it (no PRECONDITION_FAILED, the old direct bindings removed,
 * nothing delivered twice), still matched by a publisher's own plain declaration of moderation.ingest, and
 * declared and used with the least-privilege users of `guardian setup --broker-permissions`: the worker's
 * user declares it, the platform's publishes through it and can reach nothing else.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import amqplib from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { assertTopology } from '../../src/core/queue/amqp-bus.js';
import { BROKER_PERMISSIONS, declareBrokerTopology, type BrokerPrincipal } from '../../src/core/setup/broker-setup.js';
import { createTestVhost, waitFor, type TestVhost } from '../support/isolation.js';

const exec = promisify(execFile);
const rabbitmqctl = async (args: string[]) => (await exec(process.env.TEST_RABBITMQCTL || 'rabbitmqctl', ['-q', ...args], { timeout: 60_000 })).stdout;

const vhosts: TestVhost[] = [];
const users: string[] = [];
afterAll(async () => {
  for (const u of users) await rabbitmqctl(['delete_user', u]).catch(() => {});
  for (const v of vhosts) await v.drop().catch(() => {});
});

async function vhost() {
  const v = await createTestVhost();
  vhosts.push(v);
  return v;
}

/** A broker user with a principal's permissions on one vhost, as the definitions of --broker-permissions give them. */
async function principal(v: TestVhost, who: BrokerPrincipal): Promise<string> {
  const name = `gw-test-${who}-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  users.push(name);
  const p = BROKER_PERMISSIONS[who];
  await rabbitmqctl(['add_user', name, password]);
  await rabbitmqctl(['set_permissions', '-p', v.vhost, name, p.permission.configure, p.permission.write, p.permission.read]);
  for (const t of p.topics) await rabbitmqctl(['set_topic_permissions', '-p', v.vhost, name, t.exchange, t.write, t.read]);
  const url = new URL(v.url);
  url.username = name;
  url.password = password;
  return url.toString();
}

async function open(url: string) {
  const conn = await amqplib.connect(url);
  conn.on('error', () => {});
  const ch = await conn.createConfirmChannel();
  ch.on('error', () => {});
  return { conn, ch };
}

/** Queue bindings whose source is an exchange (rabbitmqctl list_bindings), as "source -> queue key". */
async function queueBindings(v: TestVhost): Promise<string[]> {
  const out = await rabbitmqctl(['list_bindings', '-p', v.vhost, '--no-table-headers', 'source_name', 'destination_name', 'destination_kind', 'routing_key']);
  return out
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((f) => f.length === 4 && f[0] !== '' && f[2] === 'queue')
    .map(([source, dest, , key]) => `${source} -> ${dest} ${key}`)
    .sort();
}

/** Publishes and then waits until guardian.ingest holds `count` messages, returning their routing keys. */
async function drain(ch: amqplib.ConfirmChannel, count: number): Promise<string[]> {
  const keys: string[] = [];
  await waitFor(
    async () => {
      for (let m = await ch.get('guardian.ingest', { noAck: true }); m; m = await ch.get('guardian.ingest', { noAck: true })) keys.push(m.fields.routingKey);
      return keys.length >= count;
    },
    { message: `${count} messages in guardian.ingest` },
  );
  // Nothing more arrives: a marker published last is the next (and only other) message.
  ch.publish('moderation.ingest', 'marker.last', Buffer.from('{}'));
  await ch.waitForConfirms();
  const rest: string[] = [];
  await waitFor(
    async () => {
      for (let m = await ch.get('guardian.ingest', { noAck: true }); m; m = await ch.get('guardian.ingest', { noAck: true })) rest.push(m.fields.routingKey);
      return rest.includes('marker.last');
    },
    { message: 'the marker' },
  );
  expect(rest).toEqual(['marker.last']);
  return keys.sort();
}

describe('ingest topology', () => {
  it('declared over the earlier topology: the direct bindings go, each message arrives once, unknown keys take the alternate exchange', async () => {
    const v = await vhost();
    const { conn, ch } = await open(v.url);
    try {
      // What `guardian setup` declared before: guardian.ingest bound straight to moderation.ingest.
      await ch.assertExchange('moderation.ingest', 'topic', { durable: true });
      await ch.assertQueue('guardian.ingest', { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 10, 'x-dead-letter-exchange': 'guardian.dlx', 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' } });
      for (const key of ['content.submitted', 'appeal.submitted']) await ch.bindQueue('guardian.ingest', 'moderation.ingest', key);

      await declareBrokerTopology(v.url);
      const bindings = await queueBindings(v);
      expect(bindings.filter((b) => b.includes(' -> guardian.ingest '))).toEqual([
        'guardian.ingest.route -> guardian.ingest appeal.submitted',
        'guardian.ingest.route -> guardian.ingest content.submitted',
        'guardian.ingest.unrouted -> guardian.ingest ',
      ]);
      // An older worker still running re-adds a direct binding: a message is still delivered once.
      await ch.bindQueue('guardian.ingest', 'moderation.ingest', 'content.submitted');
      // A publisher declaring the public exchange the plain way still matches it (no arguments on it).
      await ch.assertExchange('moderation.ingest', 'topic', { durable: true });

      for (const key of ['content.submitted', 'appeal.submitted', 'content.deleted']) ch.publish('moderation.ingest', key, Buffer.from('{}'), { persistent: true });
      await ch.waitForConfirms();
      expect(await drain(ch, 3)).toEqual(['appeal.submitted', 'content.deleted', 'content.submitted']);
    } finally {
      await conn.close().catch(() => {});
    }
  });

  it('the worker\'s least-privilege user declares it; the platform\'s publishes through it and reaches nothing else', async () => {
    const v = await vhost();
    const [workerUrl, platformUrl] = [await principal(v, 'worker'), await principal(v, 'platform')];
    const worker = await open(workerUrl);
    const platform = await open(platformUrl);
    try {
      await assertTopology(worker.ch);
      platform.ch.publish('moderation.ingest', 'content.submitted', Buffer.from('{}'), { persistent: true });
      await platform.ch.waitForConfirms();
      expect(await drain(worker.ch, 1)).toEqual(['content.submitted']);

      // The internal exchanges take no publishes from a client, and the platform's keys are the contract's.
      for (const [exchange, key] of [['guardian.ingest.route', 'content.submitted'], ['guardian.ingest.unrouted', ''], ['moderation.ingest', 'content.sumbitted']] as const) {
        const ch = await platform.conn.createConfirmChannel();
        const closed = new Promise<string>((resolve) => ch.once('error', (err: Error) => resolve(err.message)));
        ch.publish(exchange, key, Buffer.from('{}'));
        ch.waitForConfirms().catch(() => {});
        expect({ exchange, key, refused: await closed }).toEqual({ exchange, key, refused: expect.stringMatching(/ACCESS_REFUSED/) });
      }
    } finally {
      await worker.conn.close().catch(() => {});
      await platform.conn.close().catch(() => {});
    }
  });
});
