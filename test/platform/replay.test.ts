/**
 * Issue 12, must show 2: requests carry X-Guardian-Timestamp, and X-Guardian-Signature-V2 covers
 * `timestamp + "." + body`, so a platform can reject a captured request replayed later. Additive: the
 * existing headers (Idempotency-Key, body-only X-Guardian-Signature) are unchanged. A node:http stand-in
 * records every request (raw bytes and headers) and verifies like a platform would, with its own clock.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWebhookPlatform,
  DEFAULT_TIMESTAMP_TOLERANCE_SECONDS,
  serializeAction,
  signTimestamped,
  verifyTimestamped,
} from '../../src/core/platform/webhook.js';

const SECRET = 'test-webhook-secret-0123456789';
const hmac = (data: string) => 'sha256=' + createHmac('sha256', SECRET).update(data).digest('hex');
const action = { actionId: 'act-replay', kind: 'warn_user' as const, contentId: 'c-1', authorId: 'a-1', caseId: 'case-1', reason: 'insult' };

interface Recorded {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  verdict: ReturnType<typeof verifyTimestamped>;
  status: number;
}

/** A verifying platform: 401 unless V2 verifies against its clock (now + skewSeconds); 503 for the first `fail`. */
async function startVerifyingPlatform(o: { fail?: number } = {}) {
  const recorded: Recorded[] = [];
  const executed = new Set<string>();
  let fail = o.fail ?? 0;
  const state = { skewSeconds: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const verdict = verifyTimestamped({
        body: raw,
        timestamp: req.headers['x-guardian-timestamp'],
        signature: req.headers['x-guardian-signature-v2'],
        secret: SECRET,
        nowSeconds: Math.floor(Date.now() / 1000) + state.skewSeconds,
      });
      const key = String(req.headers['idempotency-key']);
      const status = !verdict.ok ? 401 : fail-- > 0 ? 503 : executed.has(key) ? 409 : (executed.add(key), 200);
      recorded.push({ headers: req.headers, raw, verdict, status });
      res.writeHead(status).end(verdict.ok ? 'ok' : verdict.reason);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    recorded,
    executed,
    state,
    /** Sends captured bytes and headers again, as an attacker who recorded them would. */
    replay(r: Recorded): Promise<number> {
      return new Promise((resolve, reject) => {
        const headers = { ...r.headers };
        delete headers.host;
        const q = httpRequest(`${url}/actions`, { method: 'POST', headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        q.on('error', reject);
        q.end(r.raw);
      });
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

let platform: Awaited<ReturnType<typeof startVerifyingPlatform>> | undefined;
afterEach(async () => {
  await platform?.close();
  platform = undefined;
});

describe('timestamped signature (issue 12, must show 2)', () => {
  it('each request carries X-Guardian-Timestamp and a V2 signature over timestamp + "." + body; the old headers are unchanged', async () => {
    platform = await startVerifyingPlatform();
    const before = Math.floor(Date.now() / 1000);
    const res = await createWebhookPlatform({ url: platform.url, secret: SECRET, timeoutMs: 5_000 }).execute(action);
    const after = Math.floor(Date.now() / 1000);
    expect(res).toMatchObject({ ok: true, alreadyDone: false });

    const [r] = platform.recorded;
    const body = r!.raw.toString('utf8');
    expect(body).toBe(serializeAction(action));
    const ts = r!.headers['x-guardian-timestamp'] as string;
    expect(ts).toMatch(/^\d+$/);
    expect(Number(ts)).toBeGreaterThanOrEqual(before);
    expect(Number(ts)).toBeLessThanOrEqual(after);
    // Computed here independently of our signing code.
    expect(r!.headers['x-guardian-signature-v2']).toBe(hmac(`${ts}.${body}`));
    expect(r!.verdict).toStrictEqual({ ok: true, timestamp: Number(ts) });
    // Additive: what a platform verifies today still verifies.
    expect(r!.headers['x-guardian-signature']).toBe(hmac(body));
    expect(r!.headers['idempotency-key']).toBe(action.actionId);
    expect(r!.headers['content-type']).toBe('application/json');
  });

  it('a captured request replayed past the tolerance is rejected as stale; inside it, it is the same Idempotency-Key (409)', async () => {
    platform = await startVerifyingPlatform();
    await createWebhookPlatform({ url: platform.url, secret: SECRET, timeoutMs: 5_000 }).execute(action);
    const captured = platform.recorded[0]!;

    expect(await platform.replay(captured)).toBe(409);
    platform.state.skewSeconds = DEFAULT_TIMESTAMP_TOLERANCE_SECONDS + 1; // the platform's clock, later on
    expect(await platform.replay(captured)).toBe(401);
    expect(platform.recorded.at(-1)!.verdict).toStrictEqual({ ok: false, reason: 'stale' });

    // A fresh timestamp put on the captured request does not verify: the signature covers it.
    const fresh = String(Math.floor(Date.now() / 1000) + platform.state.skewSeconds);
    expect(await platform.replay({ ...captured, headers: { ...captured.headers, 'x-guardian-timestamp': fresh } })).toBe(401);
    expect(platform.recorded.at(-1)!.verdict).toStrictEqual({ ok: false, reason: 'invalid' });
    expect(platform.executed.size).toBe(1);
  });

  it('every retry is signed with its own timestamp', async () => {
    platform = await startVerifyingPlatform({ fail: 2 });
    const res = await createWebhookPlatform({
      url: platform.url,
      secret: SECRET,
      timeoutMs: 5_000,
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
    }).execute(action);
    expect(res).toMatchObject({ ok: true, attempts: 3 });
    expect(platform.recorded.map((r) => r.status)).toEqual([503, 503, 200]);
    for (const r of platform.recorded) {
      expect(r.verdict.ok).toBe(true);
      expect(r.headers['x-guardian-signature-v2']).toBe(hmac(`${r.headers['x-guardian-timestamp']}.${r.raw.toString('utf8')}`));
    }
  });

  it('verifyTimestamped: missing, malformed, tampered and skewed inputs', () => {
    const body = serializeAction(action);
    const ts = '1767225600';
    const sig = signTimestamped(ts, body, SECRET);
    const v = (o: Partial<Parameters<typeof verifyTimestamped>[0]>) =>
      verifyTimestamped({ body, timestamp: ts, signature: sig, secret: SECRET, nowSeconds: Number(ts), ...o });
    expect(v({})).toStrictEqual({ ok: true, timestamp: Number(ts) });
    expect(v({ body: Buffer.from(body) }).ok).toBe(true);
    expect(v({ timestamp: undefined })).toMatchObject({ reason: 'missing' });
    expect(v({ signature: undefined })).toMatchObject({ reason: 'missing' });
    expect(v({ timestamp: '1767225600.5' })).toMatchObject({ reason: 'malformed' });
    expect(v({ timestamp: '-1' })).toMatchObject({ reason: 'malformed' });
    expect(v({ signature: 'sha256=zz' })).toMatchObject({ reason: 'malformed' });
    expect(v({ body: body.replace('insult', 'Insult') })).toMatchObject({ reason: 'invalid' });
    expect(v({ secret: 'another-secret-0123456789' })).toMatchObject({ reason: 'invalid' });
    expect(v({ nowSeconds: Number(ts) + 300 }).ok).toBe(true);
    expect(v({ nowSeconds: Number(ts) + 301 })).toMatchObject({ reason: 'stale' });
    expect(v({ nowSeconds: Number(ts) - 301 })).toMatchObject({ reason: 'stale' });
    expect(v({ nowSeconds: Number(ts) + 1000, toleranceSeconds: 1000 }).ok).toBe(true);
  });
});
