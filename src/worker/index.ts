import os from 'node:os';
import { createCore } from '../core/core.js';
import { loadConfig } from '../core/config.js';
import { GuardianError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import type { Handler, QueueName } from '../core/queue/bus.js';
import { superviseWorkers } from './supervisor.js';
import { CHILD_ENV, type ChildMessage } from './protocol.js';

export interface WorkerOptions {
  /** How many worker processes: 1 runs the core in this process; more start a supervisor of that many. */
  processes?: number;
}

/**
 * `--processes N|auto`: a whole number ≥ 1, or the machine's cores. Throws a typed error naming the option
 * (the CLI maps it to exit 2).
 */
export function parseProcesses(v: string): number {
  if (v === 'auto') return Math.max(1, os.availableParallelism());
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new GuardianError('invalid_input', `--processes: must be a whole number from 1 to 256, or "auto" (got "${v}")`);
  return n;
}

/** `guardian worker`: the core without UI, until SIGTERM/SIGINT; then it stops in order. */
export async function runWorker(o: WorkerOptions = {}): Promise<number> {
  const processes = o.processes ?? 1;
  if (processes > 1) {
    const config = loadConfig();
    // The embedded database has one owner (its data dir is locked): several processes need the shared servers.
    if (config.mode !== 'connected')
      throw new GuardianError('invalid_input', '--processes: more than 1 needs the connected mode (DATABASE_URL and AMQP_URL); the embedded database has one owner');
    return superviseWorkers({ processes, config });
  }
  return runOne();
}

/** Counts what this process's consumers handled, for the supervisor's progress lines. */
function countDeliveries(bus: { consume: (q: QueueName, h: Handler, opts: never) => Promise<void> }) {
  const handled: Record<string, number> = {};
  const consume = bus.consume.bind(bus);
  bus.consume = (queue, handler, opts) =>
    consume(
      queue,
      async (d) => {
        await handler(d);
        handled[queue] = (handled[queue] ?? 0) + 1;
      },
      opts,
    );
  return handled;
}

async function runOne(): Promise<number> {
  const config = loadConfig();
  const index = process.env[CHILD_ENV];
  const logger = createLogger({ level: config.logLevel, name: index ? `guardian-worker-${index}` : 'guardian-worker' });
  const send = (m: ChildMessage) => {
    if (process.send && process.connected) process.send(m);
  };
  const core = await createCore({ config, logger, worker: true });
  const handled = countDeliveries(core.bus as never);
  await core.start();
  logger.info({ mode: config.mode }, 'worker running; SIGTERM or SIGINT stops it');
  send({ type: 'ready', pid: process.pid });
  // A supervised child reports what it handled every few seconds (the supervisor prints progress).
  const progress = index ? setInterval(() => send({ type: 'progress', pid: process.pid, handled: { ...handled } }), 2_000) : undefined;
  progress?.unref();
  let failed = false;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (why: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal: why }, 'stopping: no new deliveries, finishing in-flight work');
      core.stop().then(resolve, (err: Error) => {
        failed = true;
        logger.error({ err: err.message }, 'stop failed');
        resolve();
      });
    };
    // `on`, not `once`: a terminal's Ctrl-C reaches the supervisor's children too, and the supervisor then
    // forwards its own SIGTERM; a second signal must not kill a child that is finishing its work.
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // The supervisor is gone (killed): no one would stop this child any more.
    if (index) process.on('disconnect', () => stop('supervisor gone'));
  });
  if (progress) clearInterval(progress);
  logger.info({ pid: process.pid, handled }, 'worker stopped');
  send({ type: 'stopped', pid: process.pid, handled: { ...handled } });
  if (process.connected) process.disconnect();
  return failed ? 1 : 0;
}
