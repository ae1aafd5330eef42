// What makes a restart unsafe right now (issue 13: "never a restart in the middle of a decision, and never
// with commands pending in the outbox that are not durable"). The dispatcher holds the gate while a
// command sent straight to the core is on its way (until the core answered); a command given to the outbox is
// on disk when its synchronous submit returns, so it never needs to. A draft in a
// decision form lives in the renderer, which disables "Restart now" while it has one (features/update). The outbox's saved (`pending`) entries are durable
// (local-store.ts, fsync) and do not block: they are delivered after the restart.

export interface Activity {
  /** Marks something unsafe to interrupt; call the returned function when it is over (idempotent). */
  hold(reason: string): () => void;
  /** Why a restart would interrupt something now, or null when it is safe. */
  blocker(): string | null;
  /** Called whenever the answer of blocker() may have changed. */
  onChange(cb: () => void): () => void;
}

export function createActivity(): Activity {
  const held = new Map<number, string>();
  const listeners = new Set<() => void>();
  let seq = 0;
  const changed = () => {
    for (const l of listeners) l();
  };
  return {
    hold(reason) {
      const id = ++seq;
      held.set(id, reason);
      changed();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        held.delete(id);
        changed();
      };
    },
    blocker() {
      for (const r of held.values()) return r;
      return null;
    },
    onChange(cb) {
      listeners.add(cb);
      return () => {
        listeners.delete(cb);
      };
    },
  };
}
