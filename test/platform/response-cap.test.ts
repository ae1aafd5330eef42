/**
 * Issue 12, must show 2: response bodies are capped. A platform stand-in (node:http) answers with a huge
 * body, written with backpressure so that what it manages to send is an upper bound on what the client read:
 * the client stops reading at MAX_RESPONSE_BYTES and closes the connection, so the rest is never sent
 * (before the cap, the whole body was read into memory). No timing assertions: the bound is in bytes.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookPlatform, MAX_RESPONSE_BYTES, PlatformUnavailableError } from '../../src/core/platform/webhook.js';

const SECRET = 'test-webhook-secret-0123456789';
const HUGE = 256 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');
/** The cap plus what loopback socket buffers and the HTTP client's stream may hold ahead of the reader. */
const SENT_BOUND = 32 * 1024 * 1024;

interface HugeAnswer {
  url: string;
  /** One entry per request: bytes of body handed to the socket, settled when the response ended or was cut. */
  responses: Array<Promise<{ sent: number; complete: boolean }>>;
  close(): Promise<void>;
}

async function startHugeAnswer(status: number): Promise<HugeAnswer> {
  const responses: HugeAnswer['responses'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    req.resume();
    let sent = 0;
    responses.push(
      new Promise((resolve) => {
        res.on('close', () => resolve({ sent, complete: res.writableFinished }));
      }),
    );
    res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': String(HUGE) });
    const pump = () => {
      while (sent < HUGE && !res.destroyed) {
        sent += CHUNK.length;
        if (!res.write(CHUNK)) return void res.once('drain', pump);
      }
      if (sent >= HUGE) res.end();
    };
    pump();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    responses,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

const action = { actionId: 'act-huge', kind: 'remove_content' as const, contentId: 'c-1', authorId: 'a-1', caseId: 'case-1', reason: 'spam' };
let server: HugeAnswer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const platform = (url: string) =>
  createWebhookPlatform({ url, secret: SECRET, timeoutMs: 60_000, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 } });

describe('response bodies are capped (issue 12, must show 2)', () => {
  it('a 2xx with a 256 MB body: done, and at most the cap (plus socket buffers) is ever sent to us', async () => {
    server = await startHugeAnswer(200);
    const res = await platform(server.url).execute(action);
    expect(res).toStrictEqual({ ok: true, alreadyDone: false, attempts: 1 });
    expect(server.responses).toHaveLength(1);
    const { sent, complete } = await server.responses[0]!;
    expect(complete).toBe(false);
    expect(sent).toBeGreaterThanOrEqual(MAX_RESPONSE_BYTES);
    expect(sent).toBeLessThan(SENT_BOUND);
  });

  it('a 4xx with a 256 MB body: permanent, a short error, the body cut at the cap', async () => {
    server = await startHugeAnswer(422);
    const res = await platform(server.url).execute(action);
    expect(res).toMatchObject({ ok: false, permanent: true, attempts: 1 });
    if (!res.ok) expect(res.error).toMatch(/^HTTP 422: x{200}…$/);
    const { sent, complete } = await server.responses[0]!;
    expect(complete).toBe(false);
    expect(sent).toBeLessThan(SENT_BOUND);
  });

  it('a 5xx with a 256 MB body: retried, each answer cut at the cap, then unavailable', async () => {
    server = await startHugeAnswer(503);
    const err = await platform(server.url)
      .execute(action)
      .then(
        () => expect.unreachable('should have thrown'),
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(PlatformUnavailableError);
    expect((err as Error).message).toMatch(/^platform unavailable after 2 attempt\(s\): HTTP 503: x{200}…$/);
    const answers = await Promise.all(server.responses);
    expect(answers).toHaveLength(2);
    for (const a of answers) expect(a.sent).toBeLessThan(SENT_BOUND);
  });
});
