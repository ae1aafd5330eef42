import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GuardianError } from '../../src/core/errors.js';
import type { PlatformAction } from '../../src/core/platform/platform.js';
import { createWebhookPlatform, PlatformUnavailableError, serializeAction, signBody, verifySignature } from '../../src/core/platform/webhook.js';
import { isConnectionError } from '../../src/core/store/db.js';
import type { Logger } from '../../src/core/ports.js';
import { failTimes, startPlatformStub, type PlatformStub } from '../support/platform-stub.js';

const SECRET = 'test-webhook-secret-0123456789';
// Tiny backoff so retries are fast; nothing below asserts on time.
const FAST_RETRY = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 };

function action(overrides: Partial<PlatformAction> = {}): PlatformAction {
  return {
    actionId: 'act-0001',
    kind: 'remove_content',
    contentId: 'content-42',
    authorId: 'author-7',
    caseId: 'case-3',
    reason: 'spam: repeated link',
    ...overrides,
  };
}

/** A Logger that keeps every call, to check what gets logged (and what never does). */
function recordingLogger(): Logger & { lines: Array<{ level: string; obj: object; msg?: string }> } {
  const lines: Array<{ level: string; obj: object; msg?: string }> = [];
  const make = (bindings: Record<string, unknown>): Logger => ({
    debug: (obj, msg) => lines.push({ level: 'debug', obj: { ...bindings, ...obj }, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj: { ...bindings, ...obj }, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj: { ...bindings, ...obj }, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj: { ...bindings, ...obj }, msg }),
    child: (b) => make({ ...bindings, ...b }),
  });
  return Object.assign(make({}), { lines });
}

describe('signBody / verifySignature', () => {
  const body = serializeAction(action());

  it('is sha256=<hex HMAC-SHA256 of the body bytes>', () => {
    const expected = 'sha256=' + createHmac('sha256', SECRET).update(Buffer.from(body, 'utf8')).digest('hex');
    expect(signBody(body, SECRET)).toBe(expected);
    expect(verifySignature(body, expected, SECRET)).toBe(true);
    expect(verifySignature(Buffer.from(body), expected, SECRET)).toBe(true);
  });

  it('rejects a tampered body, a wrong secret and malformed headers', () => {
    const sig = signBody(body, SECRET);
    expect(verifySignature(body.replace('spam', 'spAm'), sig, SECRET)).toBe(false);
    expect(verifySignature(body, sig, 'another-secret-0123456789')).toBe(false);
    for (const bad of [undefined, null, '', 'sha256=', sig.slice(0, -2), sig.replace('sha256=', 'sha1='), sig + '00', ['x']]) {
      expect(verifySignature(body, bad as string | undefined, SECRET)).toBe(false);
    }
  });
});

describe('serializeAction', () => {
  it('sends exactly the contract fields, omitting durationHours when undefined', () => {
    const extra = { ...action({ durationHours: undefined }), internal: 'not for the platform' } as PlatformAction;
    expect(JSON.parse(serializeAction(extra))).toStrictEqual({
      actionId: 'act-0001',
      kind: 'remove_content',
      contentId: 'content-42',
      authorId: 'author-7',
      caseId: 'case-3',
      reason: 'spam: repeated link',
    });
    expect(JSON.parse(serializeAction(action({ kind: 'ban_user', durationHours: 24 }))).durationHours).toBe(24);
  });
});

describe('webhook platform against the stub', () => {
  let stub: PlatformStub;
  beforeEach(async () => {
    stub = await startPlatformStub({ secret: SECRET });
  });
  afterEach(async () => {
    await stub.close();
  });

  const platform = (extra: Partial<Parameters<typeof createWebhookPlatform>[0]> = {}) =>
    createWebhookPlatform({ url: stub.url, secret: SECRET, timeoutMs: 2_000, retry: FAST_RETRY, ...extra });

  it('2xx: signed request with the contract headers and body, executed once', async () => {
    const log = recordingLogger();
    const a = action({ kind: 'ban_user', durationHours: 48 });
    const res = await platform({ logger: log }).execute(a);

    expect(res).toStrictEqual({ ok: true, alreadyDone: false, attempts: 1 });
    expect(stub.requests).toHaveLength(1);
    const [r] = stub.requests;
    expect(r).toMatchObject({ method: 'POST', path: '/actions', actionId: a.actionId, kind: 'ban_user', idempotencyKey: a.actionId });
    expect(r!.signatureValid).toBe(true);
    expect(r!.body).toBe(serializeAction(a));
    expect(stub.executed.get(a.actionId)).toStrictEqual(a);
    // The secret never reaches the logs.
    expect(log.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(log.lines)).not.toContain(SECRET);
  });

  it('a trailing slash on the base URL is tolerated', async () => {
    const res = await platform({ url: stub.url + '/' }).execute(action());
    expect(res.ok).toBe(true);
    expect(stub.requests[0]!.path).toBe('/actions');
  });

  it('a wrong secret is refused by the stub (401) and is a permanent failure', async () => {
    const res = await platform({ secret: 'not-the-platform-secret-xyz' }).execute(action());
    expect(res).toStrictEqual({ ok: false, permanent: true, error: 'HTTP 401: invalid signature', attempts: 1 });
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]!.signatureValid).toBe(false);
    expect(stub.executed.size).toBe(0);
  });

  it('409 counts as done (alreadyDone)', async () => {
    stub.setBehaviour(() => ({ status: 409, body: 'already executed' }));
    const res = await platform().execute(action());
    expect(res).toStrictEqual({ ok: true, alreadyDone: true, attempts: 1 });
    expect(stub.requests).toHaveLength(1);
  });

  it('400 is permanent and is not retried', async () => {
    stub.setBehaviour(() => ({ status: 400, body: 'content-42 does not exist\n' }));
    const res = await platform().execute(action());
    expect(res).toStrictEqual({ ok: false, permanent: true, error: 'HTTP 400: content-42 does not exist', attempts: 1 });
    expect(stub.requests).toHaveLength(1);
  });

  it('a long error body is shortened in the error', async () => {
    stub.setBehaviour(() => ({ status: 422, body: 'x'.repeat(5_000) }));
    const res = await platform().execute(action());
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.length).toBeLessThan(300);
  });

  it('500 twice then 200: done after 3 attempts, same key and signature each time', async () => {
    stub.setBehaviour(failTimes(2, 500));
    const a = action();
    const res = await platform().execute(a);

    expect(res).toStrictEqual({ ok: true, alreadyDone: false, attempts: 3 });
    expect(stub.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(stub.requests.every((r) => r.signatureValid && r.idempotencyKey === a.actionId && r.body === serializeAction(a))).toBe(true);
    expect(stub.executed.size).toBe(1);
  });

  it('executed but the response was lost (500): the retry gets 409 and counts as done', async () => {
    let first = true;
    stub.setBehaviour(() => (first ? ((first = false), { status: 502, body: 'bad gateway', executeFirst: true }) : undefined));
    const res = await platform().execute(action());
    expect(res).toStrictEqual({ ok: true, alreadyDone: true, attempts: 2 });
    expect(stub.requests.map((r) => r.status)).toEqual([502, 409]);
    expect(stub.executed.size).toBe(1);
  });

  it('5xx on every attempt: throws a transient (unavailable) error after maxAttempts', async () => {
    stub.setBehaviour(() => ({ status: 503, body: 'maintenance' }));
    const err = await platform().execute(action()).then(
      () => expect.unreachable('should have thrown'),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GuardianError);
    expect((err as GuardianError).code).toBe('unavailable');
    expect((err as GuardianError).message).toContain('HTTP 503: maintenance');
    expect((err as GuardianError).details).toMatchObject({ actionId: 'act-0001', attempts: 3, status: 503 });
    expect(stub.requests).toHaveLength(3);
    expect(stub.executed.size).toBe(0);
  });

  it('hang past the per-attempt timeout: retried, then thrown when exhausted', async () => {
    stub.setBehaviour(() => 'hang');
    const p = platform({ timeoutMs: 100, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 } }).execute(action());
    const err = await p.then(
      () => expect.unreachable('should have thrown'),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GuardianError);
    expect((err as GuardianError).code).toBe('unavailable');
    expect((err as GuardianError).message).toMatch(/timeout after 100 ms/);
    expect((err as GuardianError).details).toMatchObject({ attempts: 2 });
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests.every((r) => r.status === undefined)).toBe(true);
  });

  it('a hang on the first attempt only: the retry succeeds', async () => {
    let first = true;
    stub.setBehaviour(() => (first ? ((first = false), 'hang') : undefined));
    const res = await platform({ timeoutMs: 100 }).execute(action());
    expect(res).toStrictEqual({ ok: true, alreadyDone: false, attempts: 2 });
  });

  it('connection refused: retried, then thrown', async () => {
    const url = stub.url;
    await stub.close();
    stub = await startPlatformStub({ secret: SECRET }); // for afterEach; the old port is now closed
    const err = await createWebhookPlatform({ url, secret: SECRET, timeoutMs: 2_000, retry: FAST_RETRY })
      .execute(action())
      .then(
        () => expect.unreachable('should have thrown'),
        (e: unknown) => e,
      );
    expect((err as GuardianError).code).toBe('unavailable');
    expect((err as GuardianError).details).toMatchObject({ attempts: 3 });
    // The last error is named, and it is the platform's, never taken for a database outage (issue 12).
    expect(err).toBeInstanceOf(PlatformUnavailableError);
    expect((err as Error).message).toMatch(/^platform unreachable after 3 attempt\(s\): network error: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(isConnectionError(err)).toBe(false);
    expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
  });

  it('the same actionId twice is executed once on the stub (second is 409 → alreadyDone)', async () => {
    const p = platform();
    const a = action({ actionId: 'act-dup' });
    const first = await p.execute(a);
    const second = await p.execute({ ...a });

    expect(first).toStrictEqual({ ok: true, alreadyDone: false, attempts: 1 });
    expect(second).toStrictEqual({ ok: true, alreadyDone: true, attempts: 1 });
    expect(stub.requests.map((r) => r.status)).toEqual([200, 409]);
    expect(stub.executed.size).toBe(1);
    expect(stub.executed.get('act-dup')).toStrictEqual(a);
  });

  it('concurrent duplicates of one actionId: still executed once', async () => {
    const p = platform();
    const a = action({ actionId: 'act-race' });
    const results = await Promise.all([p.execute(a), p.execute(a), p.execute(a)]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => r.ok && !r.alreadyDone)).toHaveLength(1);
    expect(stub.executed.size).toBe(1);
  });

  it('the same actionId with a different body is refused (422, permanent) and recorded as a conflict', async () => {
    const p = platform();
    await p.execute(action({ actionId: 'act-x', reason: 'first' }));
    const res = await p.execute(action({ actionId: 'act-x', reason: 'second' }));
    expect(res).toMatchObject({ ok: false, permanent: true, attempts: 1 });
    expect(stub.conflicts).toHaveLength(1);
    expect(stub.executed.get('act-x')!.reason).toBe('first');
  });

  it('an actionId that cannot be an Idempotency-Key is a permanent failure, nothing sent', async () => {
    const res = await platform().execute(action({ actionId: 'bad\r\nid' }));
    expect(res).toMatchObject({ ok: false, permanent: true, attempts: 0 });
    expect(stub.requests).toHaveLength(0);
  });

  it('waitForRequests resolves on the stub signal', async () => {
    stub.setBehaviour(() => 'hang');
    const p = platform({ timeoutMs: 60_000 });
    const pending = p.execute(action()).catch((e: unknown) => e);
    const seen = await stub.waitForRequests(1);
    expect(seen[0]!.idempotencyKey).toBe('act-0001');
    await stub.close(); // drop the hung connection: the client sees a network error and retries into a closed port
    stub = await startPlatformStub({ secret: SECRET });
    expect(await pending).toBeInstanceOf(GuardianError);
  });
});

describe('createWebhookPlatform options', () => {
  it('rejects unusable options up front', () => {
    const ok = { url: 'http://127.0.0.1:1', secret: SECRET, timeoutMs: 1000 };
    expect(() => createWebhookPlatform({ ...ok, secret: '' })).toThrow(/secret/);
    expect(() => createWebhookPlatform({ ...ok, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createWebhookPlatform({ ...ok, retry: { maxAttempts: 0, initialDelayMs: 1, maxDelayMs: 1 } })).toThrow(/maxAttempts/);
    expect(() => createWebhookPlatform({ ...ok, url: 'http://user:pw@127.0.0.1:1' })).toThrow(/credentials/);
    expect(createWebhookPlatform(ok).name).toBe('webhook');
  });
});
