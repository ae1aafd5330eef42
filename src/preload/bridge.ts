// Builds window.api from the channel list: one method per contract command plus typed on(event).
// No electron import here so the contract test can check it; index.ts passes ipcRenderer-backed functions.
import { COMMAND_NAMES, EVENT_NAMES, methodName, type CommandName, type EventName } from '../shared/channels.js';

export type Invoke = (channel: CommandName, input: unknown) => Promise<unknown>;
export type Subscribe = (event: EventName, cb: (payload: unknown) => void) => () => void;

export function buildBridge(invoke: Invoke, subscribe: Subscribe): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  for (const name of COMMAND_NAMES) api[methodName(name)] = (input?: unknown) => invoke(name, input);
  api.on = (event: EventName, cb: (payload: unknown) => void) => {
    if (!(EVENT_NAMES as readonly string[]).includes(event)) throw new Error(`unknown event ${String(event)}`);
    if (typeof cb !== 'function') throw new Error('callback required');
    return subscribe(event, cb);
  };
  return api;
}
