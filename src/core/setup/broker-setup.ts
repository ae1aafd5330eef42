// `guardian setup`, broker part (DESIGN §10): declares the topology with the broker admin's URL, and
// describes the least-privilege broker users, one per principal, as rabbitmqctl lines or a definitions
// file (`rabbitmqctl import_definitions FILE`, one call for all of them):
//   worker       the work queues, the dead-letter exchange, the events it relays; may declare the topology
//   workstation  reads guardian.events through its own server-named queue; may publish only job hints
//   platform     publishes content.submitted / appeal.submitted to moderation.ingest, nothing else
// moderation.ingest forwards to the internal guardian.ingest.route (and its alternate exchange
// guardian.ingest.unrouted, topology.ts): a publisher needs write on moderation.ingest only, and no client may
// publish to an internal exchange; the worker's `guardian\..*` covers declaring and binding them.
// RabbitMQ checks the passwords; a user without `configure` on an exchange cannot declare it, without
// `write` cannot publish to it, without `read` cannot consume from a queue (FACTS).
import { createHash, randomBytes } from 'node:crypto';
import amqplib from 'amqplib';
import { assertTopology } from '../queue/amqp-bus.js';
import { INGEST_ROUTING_KEYS } from '../queue/messages.js';
import { INGEST_EXCHANGE } from '../queue/topology.js';
import { generatePassword } from './scram.js';

export type BrokerPrincipal = 'worker' | 'workstation' | 'platform';

interface Permission {
  configure: string;
  write: string;
  read: string;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ingestKeys = `^(${INGEST_ROUTING_KEYS.map(esc).join('|')})$`;

/** Each principal's permissions (regular expressions on exchange and queue names) and topic permissions. */
export const BROKER_PERMISSIONS: Record<BrokerPrincipal, { permission: Permission; topics: Array<{ exchange: string; write: string; read: string }> }> = {
  worker: {
    // Retries go back to their queue through the default exchange (amq.default); a provisioned workstation
    // also reads live events through its own queue (amq.gen-…).
    permission: {
      configure: '^(guardian\\..*|moderation\\.ingest|amq\\.gen-.*)$',
      write: '^(guardian\\..*|moderation\\.ingest|amq\\.default|amq\\.gen-.*)$',
      read: '^(guardian\\..*|moderation\\.ingest|amq\\.gen-.*)$',
    },
    topics: [],
  },
  workstation: {
    // Its own exclusive, server-named queue (amq.gen-…) bound to guardian.events; job hints to guardian.work.
    permission: { configure: '^amq\\.gen-.*$', write: '^(amq\\.gen-.*|guardian\\.work)$', read: '^(amq\\.gen-.*|guardian\\.events)$' },
    // No write on guardian.events at all: only a worker publishes events (relayed from the database).
    topics: [],
  },
  platform: {
    permission: { configure: '^$', write: '^moderation\\.ingest$', read: '^$' },
    topics: [{ exchange: INGEST_EXCHANGE, write: ingestKeys, read: '^$' }],
  },
};

export interface BrokerUser {
  principal: BrokerPrincipal;
  name: string;
  password: string;
}

/** RabbitMQ's stored form of a password (rabbit_password_hashing_sha256): base64(salt ‖ sha256(salt ‖ password)). */
export function rabbitPasswordHash(password: string, salt = randomBytes(4)): string {
  return Buffer.concat([salt, createHash('sha256').update(Buffer.concat([salt, Buffer.from(password, 'utf8')])).digest()]).toString('base64');
}

export function brokerUsers(prefix: string, names: Partial<Record<BrokerPrincipal, string>> = {}): BrokerUser[] {
  return (['worker', 'workstation', 'platform'] as const).map((principal) => ({
    principal,
    name: names[principal] ?? `${prefix}-${principal}`,
    password: generatePassword(),
  }));
}

/** A definitions file for `rabbitmqctl import_definitions` (users with password hashes, permissions). */
export function brokerDefinitions(vhost: string, users: BrokerUser[], o: { createVhost?: boolean } = {}) {
  return {
    ...(o.createVhost ? { vhosts: [{ name: vhost }] } : {}),
    users: users.map((u) => ({ name: u.name, password_hash: rabbitPasswordHash(u.password), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: '' })),
    permissions: users.map((u) => ({ user: u.name, vhost, ...BROKER_PERMISSIONS[u.principal].permission })),
    topic_permissions: users.flatMap((u) => BROKER_PERMISSIONS[u.principal].topics.map((t) => ({ user: u.name, vhost, ...t }))),
  };
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The same users as rabbitmqctl lines, for operators who prefer to read what they run. */
export function brokerPermissionLines(vhost: string, users: BrokerUser[]): string[] {
  return users.flatMap((u) => {
    const p = BROKER_PERMISSIONS[u.principal];
    return [
      `rabbitmqctl add_user ${sh(u.name)} ${sh(u.password)}`,
      `rabbitmqctl set_permissions -p ${sh(vhost)} ${sh(u.name)} ${sh(p.permission.configure)} ${sh(p.permission.write)} ${sh(p.permission.read)}`,
      ...p.topics.map((t) => `rabbitmqctl set_topic_permissions -p ${sh(vhost)} ${sh(u.name)} ${sh(t.exchange)} ${sh(t.write)} ${sh(t.read)}`),
    ];
  });
}

/** The vhost an AMQP URL names ('/' when none). */
export function vhostOf(url: string): string {
  const path = new URL(url).pathname.replace(/^\//, '');
  return path ? decodeURIComponent(path) : '/';
}

/** Declares exchanges, queues and bindings with the broker admin's URL (the same declarations workers make). */
export async function declareBrokerTopology(url: string): Promise<void> {
  const conn = await amqplib.connect(url);
  try {
    const ch = await conn.createConfirmChannel();
    await assertTopology(ch);
    await ch.close();
  } finally {
    await conn.close().catch(() => {});
  }
}
