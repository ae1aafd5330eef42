import { createCore } from '../core/core.js';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/log.js';

/** `guardian worker`: the core without UI, until SIGTERM/SIGINT; then it stops in order. */
export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'guardian-worker' });
  const core = await createCore({ config, logger, worker: true });
  await core.start();
  logger.info({ mode: config.mode }, 'worker running; SIGTERM or SIGINT stops it');
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping: no new deliveries, finishing in-flight work');
      core.stop().then(resolve, (err: Error) => {
        logger.error({ err: err.message }, 'stop failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
