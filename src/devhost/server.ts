// Dev host — TEST/DEV ONLY, never bundled into the Electron app (electron.vite.config.ts has no entry
// for it). Serves the built renderer on loopback and carries the same IPC contract over a WebSocket,
// calling the same dispatcher as Electron main, so Playwright can drive the real UI in Chromium.
//
// Protection: a random token (printed / returned to tests) is required for the WebSocket, whose Origin
// must be this host. Each browser tab is a seat (its id kept in the tab's sessionStorage) where a person
// signs in with their own login, exactly as in the Electron app: there is no way to act as someone else.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/core.js';
import { silentLogger } from '../core/log.js';
import type { Logger } from '../core/ports.js';
import { createSessionHost, type Credentials, type SessionHost } from '../core/session/session-host.js';
import { createDispatcher } from '../main/ipc/dispatcher.js';
import { forwardCoreEvents, forwardOutboxEvents } from '../main/ipc/events.js';
import { CSP } from '../main/csp.js';

export interface DevHostOptions {
  core: Core;
  /** The built renderer (electron-vite build output). */
  rendererDir: string;
  /** Each login's local store and outbox (DESIGN §9) live under this directory. */
  dataDir: string;
  /** Route decisions through the outbox, as the Electron app does (default true). */
  outbox?: boolean;
  /** Every new seat starts signed in with these (the dev host's own login, like kept credentials). */
  initial?: Credentials;
  port?: number;
  host?: string;
  token?: string;
  logger?: Logger;
}

export interface DevHost {
  url: string;
  token: string;
  /** The page URL, token included. */
  urlFor(): string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

interface SeatEntry {
  host: SessionHost;
  sockets: Set<WebSocket>;
  started: Promise<void>;
  stopOutbox?: () => void;
  stopEvents?: () => void;
}

const SEAT_RE = /^[A-Za-z0-9-]{8,64}$/;

export async function startDevHost(o: DevHostOptions): Promise<DevHost> {
  const bind = o.host ?? '127.0.0.1';
  const token = o.token ?? randomBytes(24).toString('base64url');
  const root = resolve(o.rendererDir);
  const logger = o.logger ?? silentLogger;
  if (!existsSync(join(root, 'index.html'))) throw new Error(`No built renderer in ${root}: run \`npx electron-vite build\` first.`);
  const dispatcher = createDispatcher({ onError: (name, err) => logger.error({ name, err: (err as Error)?.message }, 'handler failed') });
  const seats = new Map<string, SeatEntry>();
  const send = (sockets: Iterable<WebSocket>, event: string, payload: unknown) => {
    const msg = JSON.stringify({ event, payload });
    for (const sock of sockets) if (sock.readyState === sock.OPEN) sock.send(msg);
  };

  function seatFor(id: string): SeatEntry {
    let seat = seats.get(id);
    if (seat) return seat;
    const sockets = new Set<WebSocket>();
    const entry: SeatEntry = { sockets, host: undefined as never, started: Promise.resolve() };
    // Live events (ids and states only) and the connection state of this seat's own session, only while
    // someone is signed in here.
    const rewire = () => {
      entry.stopOutbox?.();
      entry.stopEvents?.();
      const current = entry.host.current();
      entry.stopOutbox = current?.workstation ? forwardOutboxEvents(current.workstation, (event, payload) => send(sockets, event, payload)) : undefined;
      entry.stopEvents = current ? forwardCoreEvents(current.api, (event, payload) => send(sockets, event, payload)) : undefined;
      send(sockets, 'session:changed', { signedIn: !!entry.host.current() });
    };
    entry.host = createSessionHost({ core: o.core, logger, dataDir: o.dataDir, outbox: o.outbox ?? true, initial: o.initial, onChange: rewire });
    entry.started = entry.host.start();
    seats.set(id, (seat = entry));
    return seat;
  }

  const serveStatic = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };
    if (req.method !== 'GET' || (file !== root && !file.startsWith(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  };

  const server = createServer(serveStatic);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const clients = new Set<WebSocket>();

  const tokenOk = (given: string | null) => {
    if (!given) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  let origin = '';
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const refuse = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== '/ws' || !tokenOk(url.searchParams.get('token'))) return refuse('401 Unauthorized');
    if (req.headers.origin !== origin) return refuse('403 Forbidden');
    const seatId = url.searchParams.get('seat') ?? '';
    if (!SEAT_RE.test(seatId)) return refuse('400 Bad Request');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, seatFor(seatId)));
  });

  function attach(ws: WebSocket, seat: SeatEntry) {
    clients.add(ws);
    seat.sockets.add(ws);
    ws.on('close', () => {
      clients.delete(ws);
      seat.sockets.delete(ws);
    });
    ws.on('message', (raw) => {
      let msg: { id?: unknown; name?: unknown; input?: unknown };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        return;
      }
      const id = msg.id;
      if (typeof id !== 'number' || typeof msg.name !== 'string') return;
      const name = msg.name;
      void seat.started
        .then(() => dispatcher.dispatch(name, msg.input, { host: seat.host, shell: 'devhost' }))
        .then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
        });
    });
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, bind, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${bind}:${port}`;
  return {
    url: origin,
    token,
    urlFor: () => `${origin}/?token=${encodeURIComponent(token)}`,
    async close() {
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((ok) => server.close(() => ok()));
      for (const seat of seats.values()) {
        seat.stopOutbox?.();
        seat.stopEvents?.();
        await seat.host.stop();
      }
    },
  };
}
