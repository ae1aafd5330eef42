// Local HTTP servers speaking just enough of Groq's and LangSmith's APIs for the adapters' tests.
// No internet here; these also let tests count requests and misbehave on purpose.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnalysisResult } from '../../src/shared/domain.js';

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Never answer (the socket stays open until the server closes). */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Resolves with the first request (from now or already recorded) matching `pred`. */
  waitFor(pred: (r: RecordedRequest) => boolean): Promise<RecordedRequest>;
  close(): Promise<void>;
}

async function startServer(handle: (req: RecordedRequest) => FakeReply): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const waiters: { pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      for (const w of [...waiters]) {
        if (w.pred(rec)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(rec);
        }
      }
      const reply = handle(rec);
      if (reply.hang) return;
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitFor(pred) {
      const hit = requests.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** What the model "says" through the `extract` tool (fields of AnalysisResult the model fills). */
export type ModelSays = Pick<AnalysisResult, 'verdict' | 'suggestedAction' | 'violationType' | 'severity' | 'confidence' | 'reasoning'> & {
  keyPhrases: { text: string; category: AnalysisResult['violationType'] }[];
};

/** An OpenAI-style chat completion whose message is a tool call of `extract` with these arguments. */
export function toolCallCompletion(args: ModelSays | string, name = 'extract') {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'fake-model',
    choices: [
      {
        index: 0,
        finish_reason: 'tool_calls',
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) } }],
        },
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

/**
 * A Groq chat-completions endpoint (`POST /openai/v1/chat/completions`). `reply` decides per request
 * (n = 1 for the first); it can be swapped during a test.
 */
export async function startFakeGroq(reply: (n: number, req: RecordedRequest) => FakeReply) {
  let next = reply;
  let n = 0;
  const server = await startServer((req) => {
    if (req.method !== 'POST' || req.url !== '/openai/v1/chat/completions') return { status: 404, body: { error: { message: 'not found' } } };
    n++;
    return next(n, req);
  });
  return {
    ...server,
    /** Requests that reached the chat-completions endpoint. */
    get count() {
      return n;
    },
    setReply(r: (n: number, req: RecordedRequest) => FakeReply) {
      next = r;
    },
  };
}

/**
 * A LangSmith endpoint: GET /info, and run ingestion on POST /runs/multipart, /runs, /runs/batch.
 * With `hang`, nothing is ever answered (an endpoint that is up but dead).
 */
export function startFakeLangSmith(opts: { hang?: boolean } = {}) {
  return startServer((req) => {
    if (opts.hang) return { hang: true };
    if (req.method === 'GET' && req.url.startsWith('/info')) return { body: { version: '0.10.0', license_expiration_time: null } };
    if (req.method === 'POST' && /^\/runs(\/multipart|\/batch)?\/?$/.test(req.url)) return { status: 202, body: {} };
    if (req.method === 'PATCH' && req.url.startsWith('/runs/')) return { status: 202, body: {} };
    return { status: 404, body: { detail: 'not found' } };
  });
}

/** A port nothing listens on (connections are refused). */
export async function refusedPortUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return `http://127.0.0.1:${port}`;
}
