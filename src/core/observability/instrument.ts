// One structured log line per analysis (DESIGN §11: classifier, latency, verdict) and, when tracing
// is on, a LangSmith run per analysis whose metadata carries the case id. Wraps any Classifier so
// the agent does not need to know about either.
import type { Classifier, ContentForAnalysis } from '../classify/classifier.js';
import type { Logger } from '../ports.js';
import type { Tracing } from './tracing.js';

export function instrumentClassifier(inner: Classifier, deps: { logger: Logger; tracing?: Tracing }): Classifier {
  return {
    name: inner.name,
    async classify(content: ContentForAnalysis, opts?: { signal?: AbortSignal }) {
      const started = performance.now();
      const ids = { caseId: content.caseId, contentId: content.contentId };
      const run = () => inner.classify(content, opts);
      try {
        const r = deps.tracing?.enabled
          ? await deps.tracing.traced('guardian.analyze', { ...ids, classifier: inner.name }, { ...ids, text: content.text }, run)
          : await run();
        deps.logger.info(
          {
            ...ids,
            classifier: r.classifier,
            model: r.model,
            latencyMs: Math.round(performance.now() - started),
            verdict: r.verdict,
            violationType: r.violationType,
            severity: r.severity,
            confidence: r.confidence,
            fallbackFrom: r.fallbackFrom,
            fallbackReason: r.fallbackReason,
          },
          'analysis',
        );
        return r;
      } catch (err) {
        deps.logger.error(
          { ...ids, classifier: inner.name, latencyMs: Math.round(performance.now() - started), err: (err as Error)?.message ?? String(err) },
          'analysis failed',
        );
        throw err;
      }
    },
  };
}
