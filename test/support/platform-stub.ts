import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, verifySignature } from '../../src/core/platform/webhook.js';
import type { PlatformAction } from '../../src/core/platform/platform.js';
import { ActionKind } from '../../src/shared/domain.js';
import { StatementOfReasons } from '../../src/shared/statement.js';

/**
 * A fake moderated platform implementing the receiving side of DESIGN §7:
 * verifies X-Guardian-Signature (401), executes each Idempotency-Key at most once
 * (repeat with the same body → 409, with a different body → 422 + a `conflicts` entry),
 * and lets a test inject behaviour per request. Tests wait on `events` / `waitForRequests`,
 * never on sleeps.
 */

export interface StubRequest {
  /** 1-based index of this request among all requests the stub received. */
  n: number;
  method: string;
  path: string;
  /** From the parsed body (undefined when the body is not a JSON object). */
  actionId: string | undefined;
  kind: string | undefined;
  /** The raw body, exactly as received. */
  body: string;
  idempotencyKey: string | undefined;
  signatureValid: boolean;
  /** The status the stub answered with; undefined while pending, or if it hung / the client went away. */
  status?: number;
}

/**
 * What to do with a request (after the signature check, before idempotency processing):
 * - `undefined` / `'default'`: normal processing (execute once, 409 / 422 on repeats).
 * - `'hang'`: never answer (the connection is destroyed on close()).
 * - `{ status, body? }`: answer with that, without executing.
 * - `{ status, body?, executeFirst: true }`: execute normally, then answer with that
 *   (simulates "the platform did it but the response was lost").
 */
export type StubResponse = undefined | 'default' | 'hang' | { status: number; body?: string; executeFirst?: boolean };
export type StubBehaviour = (req: StubRequest) => StubResponse;

export interface StubConflict {
  idempotencyKey: string;
  first: PlatformAction;
  attempted: unknown;
}

export interface PlatformStub {
  /** Base URL, e.g. http://127.0.0.1:54321 (the client appends /actions). */
  url: string;
  close(): Promise<void>;
  requests: StubRequest[];
  /** Keyed by Idempotency-Key; holds the first executed body. */
  executed: Map<string, PlatformAction>;
  conflicts: StubConflict[];
  setBehaviour(fn: StubBehaviour | undefined): void;
  /** Emits 'request' (StubRequest) when a request's body has been received, 'response' (StubRequest) when answered. */
  events: EventEmitter;
  /** Resolves once the stub has received at least n requests (in total since start). */
  waitForRequests(n: number): Promise<StubRequest[]>;
}

/** Answer `status` for the first `times` requests, then default processing. */
export function failTimes(times: number, status = 500, body = 'stub: injected failure'): StubBehaviour {
  let left = times;
  return () => (left-- > 0 ? { status, body } : undefined);
}

export async function startPlatformStub(opts: { secret: string; behaviour?: StubBehaviour }): Promise<PlatformStub> {
  let behaviour = opts.behaviour;
  const requests: StubRequest[] = [];
  const executed = new Map<string, PlatformAction>();
  const conflicts: StubConflict[] = [];
  const events = new EventEmitter();
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const body = raw.toString('utf8');
    const parsed = parseJson(body);
    const idempotencyKey = header(req, IDEMPOTENCY_HEADER);
    const r: StubRequest = {
      n: requests.length + 1,
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0]!,
      actionId: typeof parsed?.actionId === 'string' ? parsed.actionId : undefined,
      kind: typeof parsed?.kind === 'string' ? parsed.kind : undefined,
      body,
      idempotencyKey,
      // Over the exact received bytes, as a real receiver must.
      signatureValid: verifySignature(raw, header(req, SIGNATURE_HEADER), opts.secret),
    };
    requests.push(r);
    events.emit('request', r);

    const reply = (status: number, text: string) => {
      r.status = status;
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
      events.emit('response', r);
    };

    if (r.method !== 'POST' || r.path !== '/actions') return reply(404, 'not found');
    if (!r.signatureValid) return reply(401, 'invalid signature');
    if (!(header(req, 'content-type') ?? '').toLowerCase().startsWith('application/json')) return reply(415, 'expected application/json');

    const action = parseAction(parsed);
    if (typeof action === 'string') return reply(400, action);
    if (!idempotencyKey) return reply(400, `missing ${IDEMPOTENCY_HEADER}`);
    if (idempotencyKey !== action.actionId) return reply(400, `${IDEMPOTENCY_HEADER} must equal actionId`);

    const b = behaviour?.(r);
    if (b === 'hang') return; // never answered; close() destroys the socket
    if (b && b !== 'default' && !b.executeFirst) return reply(b.status, b.body ?? '');

    const first = executed.get(idempotencyKey);
    let status: number;
    let text: string;
    if (!first) {
      executed.set(idempotencyKey, action);
      [status, text] = [200, 'executed'];
    } else if (canonical(first) === canonical(action)) {
      [status, text] = [409, 'already executed'];
    } else {
      conflicts.push({ idempotencyKey, first, attempted: action });
      [status, text] = [422, 'idempotency key reused with a different body'];
    }
    if (b && b !== 'default') return reply(b.status, b.body ?? '');
    reply(status, text);
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    executed,
    conflicts,
    events,
    setBehaviour(fn) {
      behaviour = fn;
    },
    waitForRequests(n) {
      if (requests.length >= n) return Promise.resolve(requests.slice());
      return new Promise((resolve) => {
        const onRequest = () => {
          if (requests.length < n) return;
          events.off('request', onRequest);
          resolve(requests.slice());
        };
        events.on('request', onRequest);
      });
    },
    async close() {
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      for (const s of sockets) s.destroy(); // idle keep-alive and hung connections
      await closed;
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const REQUIRED = ['actionId', 'contentId', 'authorId', 'caseId', 'reason'] as const;
// `statement` (issue 15) is additive: optional, and when present a whole statement of reasons.
const ALLOWED = new Set<string>([...REQUIRED, 'kind', 'durationHours', 'statement']);

/** Validates the DESIGN §7 body strictly; returns an error message or the action. */
function parseAction(v: Record<string, unknown> | undefined): PlatformAction | string {
  if (!v) return 'body must be a JSON object';
  for (const k of Object.keys(v)) if (!ALLOWED.has(k)) return `unexpected field ${k}`;
  for (const k of REQUIRED) if (typeof v[k] !== 'string' || v[k] === '') return `${k} must be a non-empty string`;
  const kind = ActionKind.safeParse(v.kind);
  if (!kind.success) return `kind must be one of ${ActionKind.options.join('|')}`;
  if ('durationHours' in v && (typeof v.durationHours !== 'number' || !(v.durationHours > 0)))
    return 'durationHours must be a positive number when present';
  if ('statement' in v) {
    const st = StatementOfReasons.safeParse(v.statement);
    if (!st.success) return `statement: ${st.error.issues[0]?.path.join('.')}: ${st.error.issues[0]?.message}`;
    if (v.kind === 'restore_content' || v.kind === 'unban_user') return 'statement on a reversal';
    if (st.data.caseId !== v.caseId || st.data.contentId !== v.contentId || st.data.authorId !== v.authorId) return 'statement about another case';
  }
  return v as unknown as PlatformAction;
}

/** Key-order-independent comparison of two bodies. */
function canonical(a: PlatformAction): string {
  return JSON.stringify(Object.fromEntries(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : 1))));
}
