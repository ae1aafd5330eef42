import type { CoreEvent } from '../api.js';
import type { Logger } from '../ports.js';

/** The process's live events (case updates from the broker, connection changes) for every session in it. */
export function createEventHub(logger: Logger) {
  const listeners = new Set<(e: CoreEvent) => void>();
  return {
    emit(e: CoreEvent) {
      for (const l of listeners) {
        try {
          l(e);
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'core event listener failed');
        }
      }
    },
    on(l: (e: CoreEvent) => void): () => void {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

export type EventHub = ReturnType<typeof createEventHub>;
