// Groq adapter (DESIGN §8): ChatGroq with structured output (a forced `extract` tool call), wrapped in
// our own per-call timeout, bounded retries with backoff + jitter on 429/5xx/network errors, and a
// cockatiel circuit breaker. ChatGroq's own retries are off (maxRetries 0) so every request the
// server sees is one we counted. When the model is unavailable the fallback (rules) classifier answers
// and the result says so; when the model answers nonsense a human reviews, never an automatic action.
import { ChatGroq } from '@langchain/groq';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import { ZodError } from 'zod';
import type { AnalysisResult } from '../../shared/domain.js';
import type { Logger } from '../ports.js';
import type { Classifier, ContentForAnalysis } from './classifier.js';
import { guardAnalysis } from './guard.js';
import { defaultPolicyFile, loadPolicy, type Policy } from './policy.js';
import { ModelAnswer, systemPrompt, userPrompt } from './prompt.js';

export interface GroqClassifierOptions {
  apiKey: string;
  model: string;
  /** Groq's endpoint root; requests go to `{baseUrl}/openai/v1/chat/completions`. */
  baseUrl?: string;
  /** Per request; a request past it is aborted, not retried, and the fallback answers. */
  timeoutMs: number;
  fallback: Classifier;
  logger?: Logger;
  policy?: Policy;
  policyFile?: string;
  /** Retries after the first attempt (429, 5xx, network errors). Default 2. */
  retries?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** A 429 whose retry-after is longer than this is not waited for: the fallback answers. Default 20 s. */
  maxRetryAfterMs?: number;
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  /** Longer content is truncated for the model (the guard and the fallback still see all of it). */
  maxTextChars?: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open' | 'isolated';

export interface GroqStats {
  calls: number;
  /** Requests sent by the last classify() call (1 = no retry). */
  lastAttempts: number;
  totalAttempts: number;
  retries: number;
  fallbacks: number;
  malformed: number;
  /** Delays waited before each retry of the last call (retry-after or backoff). */
  lastDelaysMs: number[];
  lastOutcome: 'none' | 'ok' | 'fallback' | 'malformed';
  lastError?: string;
  breakerState: BreakerState;
}

export type GroqClassifier = Classifier & { readonly stats: GroqStats };

const BREAKER_STATE: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/** The caller cancelled: not the service's fault, so the breaker must not count it. */
class CallerAbortError extends Error {
  constructor(readonly reason: unknown) {
    super('cancelled by the caller');
    this.name = 'CallerAbortError';
  }
}

class GroqTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'GroqTimeoutError';
  }
}

interface Failure {
  kind: 'rate_limited' | 'server' | 'timeout' | 'network' | 'client';
  status?: number;
  retryAfterMs?: number;
  message: string;
}

function isMalformed(err: unknown): boolean {
  const e = err as { lc_error_code?: string; name?: string } | null;
  return e?.lc_error_code === 'OUTPUT_PARSING_FAILURE' || e?.name === 'OutputParserException' || err instanceof ZodError;
}

function header(err: unknown, name: string): string | undefined {
  const h = (err as { headers?: unknown } | null)?.headers as { get?: (n: string) => string | null } | Record<string, string> | undefined;
  if (!h) return undefined;
  if (typeof h.get === 'function') return h.get(name) ?? undefined;
  return (h as Record<string, string>)[name];
}

/** retry-after-ms (OpenAI-style) or retry-after in seconds or as an HTTP date. */
export function retryAfterMs(err: unknown): number | undefined {
  const ms = Number(header(err, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0 && header(err, 'retry-after-ms') !== undefined) return ms;
  const raw = header(err, 'retry-after')?.trim();
  if (!raw) return undefined;
  const secs = Number(raw);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function describe(err: unknown, timedOut: boolean): Failure {
  const message = err instanceof Error ? err.message : String(err);
  if (timedOut) return { kind: 'timeout', message };
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status !== 'number') return { kind: 'network', message };
  if (status === 429) return { kind: 'rate_limited', status, retryAfterMs: retryAfterMs(err), message };
  if (status >= 500) return { kind: 'server', status, message };
  return { kind: 'client', status, message };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createGroqClassifier(opts: GroqClassifierOptions): GroqClassifier {
  const policy = opts.policy ?? loadPolicy(opts.policyFile ?? defaultPolicyFile());
  const retries = opts.retries ?? 2;
  const initialMs = opts.backoff?.initialMs ?? 500;
  const maxMs = opts.backoff?.maxMs ?? 8_000;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 20_000;
  const maxTextChars = opts.maxTextChars ?? 8_000;
  const log = opts.logger;
  const system = systemPrompt(policy);

  const llm = new ChatGroq({
    apiKey: opts.apiKey,
    model: opts.model,
    baseUrl: opts.baseUrl,
    temperature: 0,
    maxRetries: 0, // our loop retries; LangChain's would hide attempts and skip header-less 429s
  });
  const structured = llm.withStructuredOutput(ModelAnswer, { name: 'extract', method: 'functionCalling' });

  // Counts every failed request except "the model answered nonsense" (the service is up) and the
  // caller's own cancellation. Consecutive, so one success resets it.
  const breaker = circuitBreaker(
    handleWhen((err) => !isMalformed(err) && !(err instanceof CallerAbortError)),
    {
      halfOpenAfter: opts.breaker?.halfOpenAfterMs ?? 30_000,
      breaker: new ConsecutiveBreaker(opts.breaker?.consecutiveFailures ?? 5),
    },
  );

  const stats: Omit<GroqStats, 'breakerState'> = {
    calls: 0,
    lastAttempts: 0,
    totalAttempts: 0,
    retries: 0,
    fallbacks: 0,
    malformed: 0,
    lastDelaysMs: [],
    lastOutcome: 'none',
  };

  /** One request with our own timeout; resolves to the parsed model answer. */
  async function attempt(content: ContentForAnalysis, callerSignal: AbortSignal | undefined, timedOut: { value: boolean }) {
    const timer = new AbortController();
    const t = setTimeout(() => {
      timedOut.value = true;
      timer.abort(new GroqTimeoutError(opts.timeoutMs));
    }, opts.timeoutMs);
    try {
      const signal = callerSignal ? AbortSignal.any([callerSignal, timer.signal]) : timer.signal;
      const raw = await structured.invoke(
        [
          ['system', system],
          ['human', userPrompt(content, maxTextChars)],
        ],
        { signal, runName: 'groq.classify' },
      );
      return ModelAnswer.parse(raw); // parsed again: a schema slip must surface as malformed, not crash later
    } catch (err) {
      if (callerSignal?.aborted) throw new CallerAbortError(callerSignal.reason);
      throw err;
    } finally {
      clearTimeout(t);
    }
  }

  async function fallback(content: ContentForAnalysis, reason: string, signal?: AbortSignal): Promise<AnalysisResult> {
    stats.fallbacks++;
    stats.lastOutcome = 'fallback';
    log?.warn({ caseId: content.caseId, reason, fallback: opts.fallback.name }, 'groq unavailable: fallback classifier answers');
    const r = await opts.fallback.classify(content, { signal });
    return guardAnalysis({ ...r, fallbackFrom: 'groq', fallbackReason: reason }, content.text, policy, content);
  }

  /** Malformed output: a human decides. The fallback's findings are kept as hints, never as an action. */
  async function malformed(content: ContentForAnalysis, err: unknown, signal?: AbortSignal): Promise<AnalysisResult> {
    stats.malformed++;
    stats.lastOutcome = 'malformed';
    const reason = `malformed model output: ${(err instanceof Error ? err.message : String(err)).slice(0, 300)}`;
    log?.warn({ caseId: content.caseId, reason }, 'groq answered malformed output: human review');
    const hint = await opts.fallback.classify(content, { signal }).catch(() => undefined);
    const base: AnalysisResult = hint ?? {
      verdict: 'review',
      suggestedAction: 'approve',
      violationType: 'ok',
      severity: 'none',
      confidence: 0,
      reasoning: '',
      keyPhrases: [],
      classifier: 'none',
    };
    return guardAnalysis(
      {
        ...base,
        verdict: 'review',
        confidence: Math.min(base.confidence, 0.5),
        reasoning: `The model's answer could not be used (${reason}); a person must decide. ${base.reasoning}`.trim(),
        fallbackFrom: 'groq',
        fallbackReason: reason,
      },
      content.text,
      policy,
      content,
    );
  }

  async function classify(content: ContentForAnalysis, o: { signal?: AbortSignal } = {}): Promise<AnalysisResult> {
    const signal = o.signal;
    signal?.throwIfAborted();
    stats.calls++;
    stats.lastAttempts = 0;
    stats.lastDelaysMs = [];
    delete stats.lastError;
    for (let n = 1; ; n++) {
      const timedOut = { value: false };
      try {
        const answer = await breaker.execute(() => {
          // Counted inside the breaker: a call refused by an open circuit sends no request.
          stats.lastAttempts = n;
          stats.totalAttempts++;
          return attempt(content, signal, timedOut);
        });
        stats.lastOutcome = 'ok';
        return guardAnalysis(
          {
            ...answer,
            keyPhrases: answer.keyPhrases.map((k) => ({ text: k.text, start: 0, end: 0, category: k.category })),
            classifier: 'groq',
            model: opts.model,
          },
          content.text,
          policy,
          content,
        );
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (err instanceof BrokenCircuitError) return fallback(content, 'circuit breaker open (recent Groq failures)', signal);
        if (isMalformed(err)) return malformed(content, err, signal);
        const f = describe(err, timedOut.value);
        stats.lastError = `${f.kind}${f.status ? ` ${f.status}` : ''}: ${f.message}`.slice(0, 300);
        const retryable = f.kind === 'server' || f.kind === 'network' || f.kind === 'rate_limited';
        if (f.kind === 'rate_limited' && f.retryAfterMs !== undefined && f.retryAfterMs > maxRetryAfterMs) {
          return fallback(content, `rate limited (429): retry-after ${Math.ceil(f.retryAfterMs / 1000)} s exceeds ${maxRetryAfterMs / 1000} s`, signal);
        }
        if (!retryable || n > retries) {
          const what = f.kind === 'timeout' ? `timeout after ${opts.timeoutMs} ms` : f.kind === 'rate_limited' ? 'rate limited (429)' : `${f.kind} error${f.status ? ` ${f.status}` : ''}`;
          return fallback(content, `${what} after ${n} attempt${n > 1 ? 's' : ''}`, signal);
        }
        // Honour retry-after (capped above); otherwise exponential backoff with "equal jitter" so many
        // workers hitting the same limit do not retry in lockstep.
        const base = Math.min(maxMs, initialMs * 2 ** (n - 1));
        const delay = f.retryAfterMs ?? Math.round(base / 2 + (Math.random() * base) / 2);
        stats.lastDelaysMs.push(delay);
        stats.retries++;
        log?.debug({ caseId: content.caseId, attempt: n, delayMs: delay, error: stats.lastError }, 'groq request failed: retrying');
        await sleep(delay, signal);
      }
    }
  }

  return {
    name: 'groq',
    classify,
    get stats(): GroqStats {
      return { ...stats, lastDelaysMs: [...stats.lastDelaysMs], breakerState: BREAKER_STATE[breaker.state] };
    },
  };
}
