import { fork, type ChildProcess } from 'node:child_process';
import type { Config } from '../core/config.js';
import { createLogger } from '../core/log.js';
import { backoffMs } from '../core/queue/bus.js';
import { CHILD_ENV, type ChildMessage } from './protocol.js';

export interface SuperviseOptions {
  processes: number;
  config: Config;
  /** The entry to fork with `worker` (default: the one this process was started with, e.g. bin/guardian.js). */
  entry?: string;
}

interface Slot {
  index: number;
  child?: ChildProcess;
  pid?: number;
  /** Deliveries the current and the earlier (restarted) processes of this slot handled, by queue. */
  handled: Record<string, number>;
  earlier: Record<string, number>;
  restarts: number;
  readyAt?: number;
  exitCode?: number | null;
  exited?: Promise<void>;
  restartTimer?: NodeJS.Timeout;
}

/** DATABASE_URL with this child's application_name, so pg_stat_activity shows whose session is whose. */
function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

const sum = (a: Record<string, number>, b: Record<string, number>) => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
};

/**
 * `guardian worker --processes N`: N children, each the whole worker (`guardian worker` in its own process,
 * its own pools and broker connection), competing for the same queues. A child that dies unexpectedly is
 * restarted with backoff (one that cannot start as it is — exit 2 or 5 — stops them all with its code); SIGTERM/
 * SIGINT stop every child gracefully (each stops consuming, finishes and acks its in-flight work) and the
 * supervisor exits 0 only when every child did. A second signal kills them.
 */
export async function superviseWorkers(o: SuperviseOptions): Promise<number> {
  const logger = createLogger({ level: o.config.logLevel, name: 'guardian-supervisor' });
  const entry = o.entry ?? process.argv[1]!;
  const slots: Slot[] = Array.from({ length: o.processes }, (_, i) => ({ index: i + 1, handled: {}, earlier: {}, restarts: 0 }));
  let stopping = false;
  let forced = false;
  let lastProgress = '';
  let stopAll: ((why: string) => void) | undefined;
  let permanent: number | undefined;

  const start = (slot: Slot) => {
    const child = fork(entry, ['worker'], {
      execArgv: process.execArgv,
      env: {
        ...process.env,
        [CHILD_ENV]: String(slot.index),
        DATABASE_URL: withApplicationName(o.config.databaseUrl!, `guardian-worker-${slot.index}`),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    slot.child = child;
    slot.pid = child.pid;
    slot.handled = {};
    slot.readyAt = undefined;
    logger.info({ worker: slot.index, pid: child.pid, restarts: slot.restarts }, 'worker process started');
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'ready') {
        slot.readyAt = Date.now();
        logger.info({ worker: slot.index, pid: m.pid }, 'worker process ready');
      } else slot.handled = m.handled;
    });
    slot.exited = new Promise<void>((resolve) =>
      child.on('exit', (code, signal) => {
        slot.exitCode = code;
        slot.earlier = sum(slot.earlier, slot.handled);
        slot.handled = {};
        slot.child = undefined;
        if (stopping) {
          logger.info({ worker: slot.index, pid: child.pid, code, signal, handled: slot.earlier }, 'worker process stopped');
          return resolve();
        }
        // A clean exit is a stop someone asked for (a terminal's Ctrl-C reaches the children too, maybe before
        // this process hears it; or a signal to that child alone): not restarted.
        if (code === 0) {
          logger.warn({ worker: slot.index, pid: child.pid, handled: slot.earlier }, 'worker process stopped on its own signal; not restarted');
          resolve();
          if (slots.every((s) => !s.child && !s.restartTimer)) stopAll?.('every worker process stopped');
          return;
        }
        // Cannot start as it is (2: invalid configuration, 5: older than the team's minimum version): restarting
        // cannot help, and the others are the same build: all stop, with that exit code.
        if (code === 2 || code === 5) {
          permanent ??= code;
          logger.error({ worker: slot.index, pid: child.pid, code }, 'worker process cannot start as it is; not restarted, stopping the others');
          resolve();
          stopAll?.('a worker process cannot start');
          return;
        }
        // Died on its own: restart it, sooner if it had been running a while (a crash loop backs off to 30 s).
        const ranMs = slot.readyAt ? Date.now() - slot.readyAt : 0;
        if (ranMs > 60_000) slot.restarts = 0;
        slot.restarts++;
        const delay = backoffMs(slot.restarts, 500, 30_000);
        logger.error({ worker: slot.index, pid: child.pid, code, signal, restartInMs: Math.round(delay), restarts: slot.restarts }, 'worker process died unexpectedly; restarting');
        slot.restartTimer = setTimeout(() => {
          slot.restartTimer = undefined;
          if (!stopping) start(slot);
          resolve();
        }, delay);
      }),
    );
  };

  for (const s of slots) start(s);

  const progress = setInterval(() => {
    const per = slots.map((s) => ({ worker: s.index, pid: s.pid, handled: sum(s.earlier, s.handled) }));
    const line = JSON.stringify(per);
    if (line === lastProgress) return;
    lastProgress = line;
    logger.info({ workers: per }, 'progress');
  }, 5_000);
  progress.unref();

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) {
        if (forced || slots.every((s) => !s.child)) return;
        forced = true;
        logger.warn({ signal }, 'second signal: killing the worker processes');
        for (const s of slots) s.child?.kill('SIGKILL');
        return;
      }
      stopping = true;
      logger.info({ signal, processes: o.processes }, 'stopping every worker process: no new deliveries, finishing in-flight work');
      for (const s of slots) {
        clearTimeout(s.restartTimer);
        s.child?.kill('SIGTERM');
      }
      resolve();
    };
    stopAll = stop;
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  // Every child's exit (a restart pending at the signal resolves without starting one).
  for (;;) {
    const pending = slots.filter((s) => s.child);
    if (!pending.length) break;
    await Promise.all(pending.map((s) => s.exited));
  }
  clearInterval(progress);
  const clean = !forced && slots.every((s) => s.exitCode === 0);
  logger.info({ clean, workers: slots.map((s) => ({ worker: s.index, exitCode: s.exitCode, handled: s.earlier, restarts: s.restarts })) }, 'all worker processes stopped');
  return permanent ?? (clean ? 0 : 1);
}
