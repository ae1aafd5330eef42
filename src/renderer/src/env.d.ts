/// <reference types="vite/client" />
interface Window {
  /** Present in Electron only (preload bridge); the dev host is reached over a WebSocket instead. */
  api?: Record<string, unknown> & { on(event: string, cb: (payload: unknown) => void): () => void };
}
