import { createHmac, timingSafeEqual } from 'node:crypto';
import { ExponentialBackoff, fullJitterGenerator, handleWhen, retry } from 'cockatiel';
import { GuardianError } from '../errors.js';
import { silentLogger } from '../log.js';
import type { Logger } from '../ports.js';
import type { Platform, PlatformAction, PlatformResult } from './platform.js';
import { platformUrlProblem } from './url.js';

/**
 * Webhook adapter of the platform port (DESIGN §7, stable public contract):
 *
 *   POST {url}/actions
 *   Content-Type: application/json
 *   Idempotency-Key: <actionId>
 *   X-Guardian-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes, keyed with the secret>
 *   X-Guardian-Timestamp: <Unix seconds of this attempt>                     (added, issue 12)
 *   X-Guardian-Signature-V2: sha256=<hex HMAC-SHA256 of timestamp + "." + body> (added, issue 12)
 *   { actionId, kind, contentId, authorId, caseId, reason, durationHours?, statement? }
 *   (`statement`, added in issue 15: the statement of reasons, src/shared/statement.ts; inside the signed body)
 *
 *   2xx            → done                  { ok: true,  alreadyDone: false }
 *   409            → already done (success) { ok: true,  alreadyDone: true }
 *   408, 429       → retried like 5xx: "try again later" by definition (DESIGN §7 lists them under
 *                    "4xx else = permanent"; retrying them is the safe reading, see the closing note)
 *   other 3xx/4xx  → permanent failure      { ok: false, permanent: true, error } (never retried)
 *   5xx, network errors, timeouts → retried here with exponential backoff + full jitter;
 *                    when the retries are exhausted execute() THROWS (see below).
 */

export const SIGNATURE_HEADER = 'X-Guardian-Signature';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/**
 * Replay protection (issue 12), added to the stable contract without changing what was there: each attempt
 * carries the time it was sent (Unix seconds) and a second signature over `timestamp + "." + body`. The
 * body-only X-Guardian-Signature stays as it was, so a platform that verifies it keeps working; a platform
 * that verifies X-Guardian-Signature-V2 and rejects stale timestamps is protected against replays.
 */
export const TIMESTAMP_HEADER = 'X-Guardian-Timestamp';
export const SIGNATURE_V2_HEADER = 'X-Guardian-Signature-V2';
/** What we advise platforms to accept between their clock and X-Guardian-Timestamp (README). */
export const DEFAULT_TIMESTAMP_TOLERANCE_SECONDS = 300;
const SIGNATURE_PREFIX = 'sha256=';
const SIGNATURE_RE = /^sha256=([0-9a-f]{64})$/i;
const TIMESTAMP_RE = /^[0-9]{1,12}$/;
/** How much of an error response body goes into the `error` string. */
const MAX_ERROR_BODY = 200;
/**
 * The most of a response body ever read (issue 12: a 400 MB 2xx answer, buffered whole, took RSS from 90 to
 * 509 MB). The contract gives a body no meaning beyond the status; an error's first bytes are kept for
 * the operator. Past this bound the stream is cancelled, which closes the connection.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface WebhookRetryOptions {
  /** Total attempts per execute() call, the first one included (>= 1). */
  maxAttempts: number;
  /** Upper bound of the first backoff delay; delays are full-jittered: random in [0, min(maxDelayMs, initialDelayMs * 2^n)]. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface WebhookPlatformOptions {
  /** Base URL of the platform; `/actions` is appended. A trailing slash is tolerated. */
  url: string;
  /** PLATFORM_WEBHOOK_SECRET. Only used to sign; never logged. */
  secret: string;
  /** Per-attempt timeout (connect + response + body), enforced with AbortSignal.timeout. */
  timeoutMs: number;
  logger?: Logger;
  retry?: WebhookRetryOptions;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryOptions = { maxAttempts: 5, initialDelayMs: 250, maxDelayMs: 10_000 };

/** HMAC-SHA256 of prefix + body (prefix "" for the body-only signature, `${timestamp}.` for V2). */
const mac = (secret: string, prefix: string, body: string | Uint8Array) => createHmac('sha256', secret).update(prefix).update(body).digest();

/** Whether a `sha256=<hex>` header carries exactly this digest (constant time); a malformed header does not. */
function carries(header: string, expected: Buffer): boolean {
  const m = SIGNATURE_RE.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `sha256=<hex HMAC-SHA256(body, secret)>`: the value of the X-Guardian-Signature header. */
export function signBody(body: string | Uint8Array, secret: string): string {
  return SIGNATURE_PREFIX + mac(secret, '', body).toString('hex');
}

/**
 * Timing-safe check of an X-Guardian-Signature header against the exact body bytes.
 * Accepts a missing / malformed header (returns false) so callers can pass the raw header.
 */
export function verifySignature(body: string | Uint8Array, header: string | string[] | null | undefined, secret: string): boolean {
  return typeof header === 'string' && carries(header, mac(secret, '', body));
}

/** `sha256=<hex HMAC-SHA256(timestamp + "." + body, secret)>`: the value of the X-Guardian-Signature-V2 header. */
export function signTimestamped(timestamp: string, body: string | Uint8Array, secret: string): string {
  return SIGNATURE_PREFIX + mac(secret, `${timestamp}.`, body).toString('hex');
}

export type TimestampedVerdict = { ok: true; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'invalid' };

/**
 * The receiving side of the replay protection, as a platform implements it (README): the timestamp is
 * whole Unix seconds within `toleranceSeconds` of the receiver's clock, and X-Guardian-Signature-V2 is the
 * HMAC of `timestamp + "." + exact body bytes`, compared in constant time. A replay inside the window is
 * the same Idempotency-Key again (409, never executed twice); outside it, it is stale.
 */
export function verifyTimestamped(o: {
  body: string | Uint8Array;
  timestamp: string | string[] | null | undefined;
  signature: string | string[] | null | undefined;
  secret: string;
  toleranceSeconds?: number;
  /** The receiver's clock, Unix seconds. */
  nowSeconds?: number;
}): TimestampedVerdict {
  if (typeof o.timestamp !== 'string' || typeof o.signature !== 'string') return { ok: false, reason: 'missing' };
  const ts = o.timestamp.trim();
  if (!TIMESTAMP_RE.test(ts) || !SIGNATURE_RE.test(o.signature.trim())) return { ok: false, reason: 'malformed' };
  if (!carries(o.signature, mac(o.secret, `${ts}.`, o.body))) return { ok: false, reason: 'invalid' };
  const now = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(ts)) > (o.toleranceSeconds ?? DEFAULT_TIMESTAMP_TOLERANCE_SECONDS)) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: Number(ts) };
}

/**
 * The exact body of DESIGN §7, with a fixed key order and durationHours omitted when undefined.
 * Only the contract's fields are sent, whatever else the caller's object carries.
 */
export function serializeAction(action: PlatformAction): string {
  const body: PlatformAction = {
    actionId: action.actionId,
    kind: action.kind,
    contentId: action.contentId,
    authorId: action.authorId,
    caseId: action.caseId,
    reason: action.reason,
  };
  if (action.durationHours !== undefined) body.durationHours = action.durationHours;
  if (action.statement !== undefined) body.statement = action.statement;
  return JSON.stringify(body);
}

/** A failure worth retrying (5xx, network error, timeout). Only these are handled by the retry policy. */
class TransientPlatformError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TransientPlatformError';
  }
}

/**
 * The platform could not be reached (or kept answering 5xx/408/429) through all of execute()'s attempts.
 * `origin` tells the worker it is not a database outage although its message may say ECONNREFUSED or
 * ETIMEDOUT (isConnectionError): the job's retries are counted, and when they run out the case is failed
 * for an operator with this message (issue 12).
 */
export class PlatformUnavailableError extends GuardianError {
  readonly origin = 'platform';
  constructor(message: string, details: Record<string, unknown>) {
    super('unavailable', message, details);
    this.name = 'PlatformUnavailableError';
  }
}

export function createWebhookPlatform(opts: WebhookPlatformOptions): Platform {
  const { secret, timeoutMs } = opts;
  const retryOpts = opts.retry ?? DEFAULT_WEBHOOK_RETRY;
  if (!secret) throw new TypeError('webhook platform: secret is required');
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError('webhook platform: timeoutMs must be > 0');
  if (!Number.isInteger(retryOpts.maxAttempts) || retryOpts.maxAttempts < 1)
    throw new TypeError('webhook platform: retry.maxAttempts must be an integer >= 1');
  const parsed = new URL(`${opts.url.replace(/\/+$/, '')}/actions`);
  // fetch refuses URLs with userinfo; fail now rather than on every attempt (and keep them out of logs).
  if (parsed.username || parsed.password) throw new TypeError('webhook platform: url must not contain credentials');
  const problem = platformUrlProblem(parsed.toString());
  if (problem) throw new TypeError(`webhook platform: url ${problem}`);
  const endpoint = parsed.toString();
  const log = (opts.logger ?? silentLogger).child({ platform: 'webhook', endpoint });

  // cockatiel's maxAttempts counts RETRIES (first call excluded); ours counts total attempts.
  const policy = retry(
    handleWhen((err) => err instanceof TransientPlatformError),
    {
      maxAttempts: retryOpts.maxAttempts - 1,
      backoff: new ExponentialBackoff({
        generator: fullJitterGenerator,
        initialDelay: retryOpts.initialDelayMs,
        maxDelay: retryOpts.maxDelayMs,
      }),
    },
  );

  async function attempt(action: PlatformAction, body: string, signature: string, n: number): Promise<PlatformResult> {
    let res: Response;
    let text: string;
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [IDEMPOTENCY_HEADER]: action.actionId,
          [SIGNATURE_HEADER]: signature,
          // Per attempt: a retry minutes later is not stale; the Idempotency-Key keeps it executed once.
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_V2_HEADER]: signTimestamped(timestamp, body, secret),
        },
        body,
        // A redirect is a misconfiguration, not something to follow with a signed POST.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Read the body under the same per-attempt signal: a server that stalls mid-body is a timeout too.
      text = await readCapped(res, MAX_RESPONSE_BYTES);
    } catch (err) {
      const e = err as Error;
      const reason = e?.name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : `network error: ${describeCause(e)}`;
      log.warn({ actionId: action.actionId, attempt: n, reason }, 'platform webhook attempt failed (transient)');
      throw new TransientPlatformError(reason);
    }

    const status = res.status;
    if (status >= 200 && status < 300) {
      log.info({ actionId: action.actionId, kind: action.kind, attempt: n, status }, 'platform action executed');
      return { ok: true, alreadyDone: false, attempts: n };
    }
    if (status === 409) {
      log.info({ actionId: action.actionId, kind: action.kind, attempt: n, status }, 'platform action already done');
      return { ok: true, alreadyDone: true, attempts: n };
    }
    const error = `HTTP ${status}: ${shortBody(text)}`;
    if (status >= 500 || status === 408 || status === 429) {
      log.warn({ actionId: action.actionId, attempt: n, status }, 'platform webhook attempt failed (transient)');
      throw new TransientPlatformError(error, status);
    }
    // 4xx other than 409 (and anything else unexpected: 1xx/3xx): permanent, never retried.
    log.error({ actionId: action.actionId, kind: action.kind, attempt: n, status, error }, 'platform action rejected (permanent)');
    return { ok: false, permanent: true, error, attempts: n };
  }

  return {
    name: 'webhook',
    async execute(action: PlatformAction): Promise<PlatformResult> {
      // An actionId that cannot be a header value would make fetch throw on every attempt (and
      // every queue retry): reject it as permanent instead of treating it as a network error.
      if (!action.actionId || !/^[\x21-\x7e]+$/.test(action.actionId)) {
        const error = 'invalid actionId: must be non-empty printable ASCII without spaces (it is the Idempotency-Key)';
        log.error({ kind: action.kind, caseId: action.caseId }, error);
        return { ok: false, permanent: true, error, attempts: 0 };
      }
      const body = serializeAction(action);
      const signature = signBody(body, secret);
      let attempts = 0;
      try {
        return await policy.execute(() => attempt(action, body, signature, ++attempts));
      } catch (err) {
        if (!(err instanceof TransientPlatformError)) throw err;
        // Retries exhausted on a transient failure: THROW rather than return a PlatformResult.
        // The failure is not permanent, so it must not be recorded as one; the caller's job queue
        // retries the whole job later. That is safe because the retry sends the same actionId as
        // Idempotency-Key: the platform executes it at most once and answers 409 if it already did.
        log.error({ actionId: action.actionId, attempts, error: err.message }, 'platform webhook retries exhausted');
        // "unreachable": no HTTP answer at all (refused, reset, timed out); "unavailable": it answered 5xx/408/429.
        const what = err.status === undefined ? 'platform unreachable' : 'platform unavailable';
        throw new PlatformUnavailableError(`${what} after ${attempts} attempt(s): ${err.message}`, {
          actionId: action.actionId,
          attempts,
          ...(err.status !== undefined ? { status: err.status } : {}),
        });
      }
    },
  };
}

/** At most `max` bytes of the body, as text; the rest is never read (the stream is cancelled). */
async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > max) {
      chunks.push(value.subarray(0, max - size));
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function shortBody(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (!oneLine) return '(empty body)';
  return oneLine.length > MAX_ERROR_BODY ? `${oneLine.slice(0, MAX_ERROR_BODY)}…` : oneLine;
}

/** undici reports `TypeError: fetch failed` with the useful part (`connect ECONNREFUSED 10.0.0.5:443`, …) in `cause`. */
function describeCause(err: Error): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  const message = cause?.message;
  if (code && message) return message.includes(code) ? message : `${code}: ${message}`;
  return code ?? message ?? err?.message ?? String(err);
}
