// Sandboxed preload: exposes exactly one method per contract command and on(event) — no generic
// ipcRenderer, no Node. The channel list is the contract's (src/shared/channels.ts).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildBridge } from './bridge.js';

const api = buildBridge(
  (channel, input) => ipcRenderer.invoke(channel, input),
  (event, cb) => {
    const listener = (_e: IpcRendererEvent, payload: unknown) => cb(payload);
    ipcRenderer.on(event, listener);
    return () => ipcRenderer.removeListener(event, listener);
  },
);

contextBridge.exposeInMainWorld('api', api);
