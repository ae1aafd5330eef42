// One ticking clock for every countdown on screen (the SLA of each queue row and of the open case): a
// single interval, running only while something shows a countdown, so time passes on screen without
// reading the list again and without one timer per row.
import { useSyncExternalStore } from 'react';

const TICK_MS = 1000;
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The current time, re-rendering the caller once a second (all callers on the same tick). */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}
