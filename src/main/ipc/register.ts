// One ipcMain.handle per contract command, all through one wrapper: sender check, dispatch (zod parse,
// core call, errors as values). Nothing is thrown across IPC.
import { ipcMain, type BrowserWindow } from 'electron';
import { COMMAND_NAMES, type Result } from '../../shared/contract.js';
import { isTrustedSender } from '../security.js';
import type { DispatchContext, Dispatcher } from './dispatcher.js';

export function registerIpc(opts: {
  dispatcher: Dispatcher;
  context: () => DispatchContext;
  window: () => BrowserWindow | null;
  isOwnOrigin: (url: string) => boolean;
}): () => void {
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(name, async (event, input: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(event, opts.window(), opts.isOwnOrigin)) {
        return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted sender was refused.' } };
      }
      return opts.dispatcher.dispatch(name, input, opts.context());
    });
  }
  return () => {
    for (const name of COMMAND_NAMES) ipcMain.removeHandler(name);
  };
}
