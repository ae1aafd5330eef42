import pino from 'pino';
import type { Logger } from './ports.js';

/** Structured JSON logs on stderr (stdout is reserved for `--json` output of the CLI). */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino(
    { name: opts.name ?? 'guardian', level: opts.level ?? process.env.GUARDIAN_LOG_LEVEL ?? 'info' },
    pino.destination({ fd: 2, sync: true }),
  ) as unknown as Logger;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
