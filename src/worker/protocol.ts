/** What a supervised worker process tells its supervisor over the IPC channel. */
export type ChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; pid: number; handled: Record<string, number> }
  | { type: 'stopped'; pid: number; handled: Record<string, number> };

/** Set in a supervised child's environment: its index (1..N). */
export const CHILD_ENV = 'GUARDIAN_WORKER_INDEX';
