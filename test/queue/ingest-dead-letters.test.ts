/**
 * Bad input on moderation.ingest (issue 12, must show 1), through the public interface only: a plain amqplib
 * publisher on the exchange, a worker core consuming, guardian.dead read back. Each bad message is
 * dead-lettered on its FIRST delivery (x-guardian-attempts 1) with a reason naming the field, and no case is
 * stored; an unknown routing key reaches guardian.dead through the alternate exchange; a 10 MB body is kept
 * there as a bounded excerpt with its size.
 */
import { createHash, randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_EXCERPT_BYTES } from '../../src/core/queue/topology.js';
import { contentMessage, startHarness, TEXT, type Harness } from '../support/harness.js';
import { waitFor } from '../support/isolation.js';

let h: Harness;
let conn: amqplib.ChannelModel;
let pub: amqplib.ConfirmChannel;
let reader: amqplib.Channel;
/** Dead letters read so far, by messageId. */
const dead = new Map<string, amqplib.GetMessage>();

beforeAll(async () => {
  h = await startHarness();
  conn = await amqplib.connect(h.vhost.url);
  pub = await conn.createConfirmChannel();
  reader = await conn.createChannel();
});
afterAll(async () => {
  await conn?.close().catch(() => {});
  await h?.close();
});

/** Publishes raw bytes (or JSON) to moderation.ingest with a message id, awaiting the broker's confirm. */
async function publish(routingKey: string, body: unknown): Promise<string> {
  const messageId = randomUUID();
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  pub.publish('moderation.ingest', routingKey, buf, { persistent: true, contentType: 'application/json', messageId });
  await pub.waitForConfirms();
  return messageId;
}

/** Waits until guardian.dead holds the message with this id. */
async function deadLetter(messageId: string): Promise<amqplib.GetMessage> {
  return waitFor(
    async () => {
      for (let m = await reader.get('guardian.dead', { noAck: true }); m; m = await reader.get('guardian.dead', { noAck: true })) {
        dead.set(String(m.properties.messageId), m);
      }
      return dead.get(messageId);
    },
    { timeoutMs: 30_000, message: `dead letter ${messageId}` },
  );
}

const headers = (m: amqplib.GetMessage) => m.properties.headers ?? {};

describe('ingest bad input is dead-lettered on the first delivery, with the field named', () => {
  // JSON.stringify writes a lone surrogate as the escape "\ud800" (well-formed JSON, not a Unicode string).
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['NUL in text', { text: 'hello\u0000world' }, /^invalid content\.submitted v1: text: must not contain a NUL/],
    ['NUL in contentId', { contentId: `nul-${randomUUID()}-\u0000` }, /^invalid content\.submitted v1: contentId: must not contain a NUL/],
    ['lone surrogate in authorId', { authorId: 'author-\ud800' }, /^invalid content\.submitted v1: authorId: must not contain a lone surrogate/],
    ['lone surrogate in text', { text: 'broken \udc00 text' }, /^invalid content\.submitted v1: text: must not contain a lone surrogate/],
    ['javascript: url', { url: 'javascript:alert(1)' }, /^invalid content\.submitted v1: url: must be an http or https URL$/],
    ['data: url', { url: 'data:text/html,<script>alert(1)</script>' }, /^invalid content\.submitted v1: url: must be an http or https URL$/],
    ['file: url', { url: 'file:///etc/passwd' }, /^invalid content\.submitted v1: url: must be an http or https URL$/],
  ];

  it.each(cases)('%s', async (_what, change, reason) => {
    const contentId = `bad-${randomUUID()}`;
    const id = await publish('content.submitted', contentMessage(contentId, TEXT.clean, change));
    const m = await deadLetter(id);
    expect(String(headers(m)['x-guardian-reason'])).toMatch(reason);
    expect(headers(m)).toMatchObject({ 'x-guardian-attempts': 1, 'x-guardian-queue': 'guardian.ingest', 'x-guardian-routing-key': 'content.submitted' });
    const stem = String(change.contentId ?? contentId).split('\u0000')[0]!;
    const { rows } = await h.inst.dba('SELECT count(*)::int AS n FROM cases WHERE content_id LIKE $1', [`${stem}%`]);
    expect(rows[0].n).toBe(0);
  });

  it('a body that is not UTF-8 (a surrogate encoded as bytes) is dead-lettered naming the field, never stored as U+FFFD', async () => {
    const contentId = `bytes-${randomUUID()}`;
    const json = JSON.stringify(contentMessage(contentId, 'SURROGATE'));
    const [before, after] = json.split('SURROGATE') as [string, string];
    const id = await publish('content.submitted', Buffer.concat([Buffer.from(before), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(after)]));
    const m = await deadLetter(id);
    expect(String(headers(m)['x-guardian-reason'])).toMatch(/^invalid content\.submitted v1: text: not valid UTF-8/);
    expect(headers(m)['x-guardian-attempts']).toBe(1);
    expect(await h.caseByContent(contentId)).toBeUndefined();
  });

  it('an http(s) url is still accepted', async () => {
    const contentId = `url-ok-${randomUUID()}`;
    await publish('content.submitted', contentMessage(contentId, TEXT.clean, { url: 'https://forum.example/t/1?p=2#c3' }));
    // A case (the classifier decides where it goes), not a dead letter.
    await h.waitForCase(contentId, ['auto_resolved', 'awaiting_review']);
  });
});

describe('routing and size', () => {
  it('an unknown routing key reaches guardian.dead through the alternate exchange, with the key as the reason', async () => {
    const contentId = `typo-${randomUUID()}`;
    const id = await publish('content.sumbitted', contentMessage(contentId, TEXT.clean));
    const m = await deadLetter(id);
    expect(headers(m)).toMatchObject({ 'x-guardian-reason': 'unknown routing key "content.sumbitted"', 'x-guardian-routing-key': 'content.sumbitted', 'x-guardian-attempts': 1 });
    expect(JSON.parse(m.content.toString())).toMatchObject({ contentId });
    expect(await h.caseByContent(contentId)).toBeUndefined();
  });

  it('a 10 MB body: guardian.dead keeps a bounded excerpt, the size and the hash, not the body', async () => {
    const contentId = `huge-${randomUUID()}`;
    // Multi-byte characters, so that the excerpt's cut has to respect a character boundary.
    const body = Buffer.from(JSON.stringify(contentMessage(contentId, 'ü€'.repeat(2_000_000))));
    expect(body.length).toBeGreaterThan(10_000_000);
    const id = await publish('content.submitted', body);
    const m = await deadLetter(id);
    expect(m.content.length).toBeLessThanOrEqual(DEAD_EXCERPT_BYTES);
    expect(m.content.length).toBeGreaterThan(DEAD_EXCERPT_BYTES - 4);
    expect(body.subarray(0, m.content.length).equals(m.content)).toBe(true);
    expect(m.content.toString('utf8')).not.toContain('\uFFFD');
    expect(headers(m)).toMatchObject({
      'x-guardian-body-bytes': body.length,
      'x-guardian-body-truncated': true,
      'x-guardian-body-sha256': createHash('sha256').update(body).digest('hex'),
      'x-guardian-attempts': 1,
    });
    expect(String(headers(m)['x-guardian-reason'])).toMatch(/^invalid content\.submitted v1: body: \d+ bytes, more than/);
    expect(await h.caseByContent(contentId)).toBeUndefined();
  });

  it('a dead letter of a small body keeps it whole and says its size', async () => {
    const body = Buffer.from('{"schemaVersion": 1, "contentId": "x", ');
    const id = await publish('content.submitted', body);
    const m = await deadLetter(id);
    expect(m.content.equals(body)).toBe(true);
    expect(headers(m)['x-guardian-body-bytes']).toBe(body.length);
    expect(headers(m)).not.toHaveProperty('x-guardian-body-truncated');
  });
});
