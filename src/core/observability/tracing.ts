// LangSmith tracing (DESIGN §11), on only when config says so. Runs are traced through LangChain
// callbacks (a LangChainTracer with our own Client), so the root "analyze" run and every LangChain
// call inside it (ChatGroq, the structured-output parser, a LangGraph invoke) carry `caseId` in
// their metadata and can be found per case. Nothing here reads LANGSMITH_* itself: config does.
// Note: the moderated text is part of the traced inputs and is sent to the endpoint in clear.
import { AsyncLocalStorage } from 'node:async_hooks';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { RunnableLambda } from '@langchain/core/runnables';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { LangChainTracer } from '@langchain/core/tracers/tracer_langchain';
import { Client } from 'langsmith';
import type { Config } from '../config.js';
import type { Logger } from '../ports.js';

export type TracingConfig = Config['langsmith'];

export interface TraceMeta {
  caseId: string;
  [key: string]: unknown;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Run `fn` as a traced run named `name`; LangChain calls made inside nest under it. */
  traced<T>(name: string, meta: TraceMeta, inputs: Record<string, unknown>, fn: () => Promise<T>): Promise<T>;
  /** Config to pass to a LangChain/LangGraph invoke so that its runs are traced for this case. */
  runConfig(meta: TraceMeta): { callbacks?: LangChainTracer[]; metadata: TraceMeta };
  /** Wait for this tracer's pending runs, at most `timeoutMs`. True when everything was sent. */
  flush(timeoutMs: number): Promise<boolean>;
}

// Every client created here, so that flushTraces() on shutdown reaches all of them.
const clients = new Set<Client>();

/** Resolve true when `work` settles within `ms`, false otherwise; never rejects, never hangs. */
async function bounded(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Await pending LangChain callbacks and the LangSmith clients' trace batches, bounded by
 * `timeoutMs`: with the endpoint down the batches retry for over a minute (FACTS), and quitting
 * must not wait for that. Resolves false when the bound was hit (runs may be lost).
 */
export function flushTraces(timeoutMs: number): Promise<boolean> {
  return bounded(Promise.all([awaitAllCallbacks(), ...[...clients].map((c) => c.awaitPendingTraceBatches())]), timeoutMs);
}

export function createTracing(cfg: TracingConfig, opts: { logger?: Logger } = {}): Tracing {
  if (!cfg.tracing) {
    return {
      enabled: false,
      traced: (_name, _meta, _inputs, fn) => fn(),
      runConfig: (meta) => ({ metadata: meta }),
      flush: async () => true,
    };
  }
  // LangChain finds the parent run of a nested call (ChatGroq inside our traced run) through an
  // AsyncLocalStorage that nothing installs by default outside LangGraph; without it the model call
  // would not be traced at all. First installer wins, so this is harmless when LangGraph did it.
  AsyncLocalStorageProviderSingleton.initializeGlobalInstance(new AsyncLocalStorage());
  const client = new Client({
    apiUrl: cfg.endpoint,
    apiKey: cfg.apiKey,
    // A few retries only: tracing is best effort and must not pile up work while the endpoint is down.
    callerOptions: { maxRetries: 2 },
  });
  clients.add(client);
  // The tracer's client type comes from @langchain/core's own copy of langsmith; the API is the same.
  const tracer = () => new LangChainTracer({ client: client as never, projectName: cfg.project });
  opts.logger?.info({ endpoint: cfg.endpoint ?? 'default', project: cfg.project }, 'LangSmith tracing on');
  return {
    enabled: true,
    async traced(name, meta, inputs, fn) {
      return RunnableLambda.from(async () => fn()).invoke(inputs, { callbacks: [tracer()], metadata: meta, runName: name });
    },
    runConfig: (meta) => ({ callbacks: [tracer()], metadata: meta }),
    flush: (timeoutMs) =>
      bounded(Promise.all([awaitAllCallbacks(), client.awaitPendingTraceBatches()]), timeoutMs),
  };
}
