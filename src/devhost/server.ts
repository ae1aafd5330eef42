// Dev host — TEST/DEV ONLY, never bundled into the Electron app (electron.vite.config.ts has no entry
// for it). Serves the built renderer on loopback and carries the same IPC contract over a WebSocket,
// calling the same dispatcher as Electron main, so Playwright can drive the real UI in Chromium.
//
// Protection: a random token (printed / returned to tests) is required for the WebSocket, whose Origin
// must be this host. The `user` query parameter (?token=…&user=mod-1) picks the acting user per
// connection so several browser contexts can act as different people. That user switch exists ONLY
// here: in Electron the user is fixed by the session (GUARDIAN_USER / the standalone local user).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CoreApi } from '../core/api.js';
import { silentLogger } from '../core/log.js';
import { openLocalStore, type LocalStore } from '../core/offline/local-store.js';
import { createWorkstation, type Workstation } from '../core/offline/workstation.js';
import type { SessionUser } from '../shared/contract.js';
import { createDispatcher, resolveSessionUser } from '../main/ipc/dispatcher.js';
import { forwardCoreEvents, forwardOutboxEvents } from '../main/ipc/events.js';
import { CSP } from '../main/csp.js';

export interface DevHostOptions {
  core: CoreApi;
  /** The built renderer (electron-vite build output). */
  rendererDir: string;
  /** Acting user when the URL names none. */
  defaultUser: string;
  port?: number;
  host?: string;
  token?: string;
  /**
   * Route decisions through a per-user local outbox under this directory, as the Electron app does
   * (DESIGN §9). Without it, commands go straight to the core.
   */
  outboxDir?: string;
}

export interface DevHost {
  url: string;
  token: string;
  /** The page URL for a user, token included. */
  urlFor(user?: string): string;
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

export async function startDevHost(o: DevHostOptions): Promise<DevHost> {
  const host = o.host ?? '127.0.0.1';
  const token = o.token ?? randomBytes(24).toString('base64url');
  const root = resolve(o.rendererDir);
  if (!existsSync(join(root, 'index.html'))) throw new Error(`No built renderer in ${root}: run \`npx electron-vite build\` first.`);
  const workstations = new Map<string, { ws: Workstation; store: LocalStore; users: Set<WebSocket> }>();
  const workstationFor = (userId: string) => {
    if (!o.outboxDir) return undefined;
    let w = workstations.get(userId);
    if (!w) {
      const store = openLocalStore(join(o.outboxDir, userId));
      const ws = createWorkstation({ core: o.core, store, user: userId, logger: silentLogger });
      ws.start();
      const users = new Set<WebSocket>();
      forwardOutboxEvents(ws, (event, payload) => {
        const msg = JSON.stringify({ event, payload });
        for (const sock of users) if (sock.readyState === sock.OPEN) sock.send(msg);
      });
      workstations.set(userId, (w = { ws, store, users }));
    }
    return w.ws;
  };
  const dispatcher = createDispatcher(o.core, { workstationFor });

  /**
   * The acting user, checked against the shared database. With an outbox, a user who worked here before
   * is remembered in their outbox folder, so the page still opens (read-only cache + outbox) while the
   * database is unreachable, as the workstation must (DESIGN §9). An unknown user is always refused.
   */
  const sessionUser = (id: string): Promise<SessionUser> =>
    resolveSessionUser(o.core, id, o.outboxDir && /^[A-Za-z0-9._@-]{1,64}$/.test(id) ? join(o.outboxDir, id, 'session-user.json') : undefined);


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
  const stopEvents = forwardCoreEvents(o.core, (event, payload) => {
    const msg = JSON.stringify({ event, payload });
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(msg);
  });

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
    const requested = url.searchParams.get('user') || o.defaultUser;
    sessionUser(requested).then(
      (user) => wss.handleUpgrade(req, socket, head, (ws) => attach(ws, user)),
      () => refuse('403 Forbidden'),
    );
  });

  function attach(ws: WebSocket, user: SessionUser) {
    clients.add(ws);
    if (workstationFor(user.id)) workstations.get(user.id)!.users.add(ws);
    ws.on('close', () => {
      clients.delete(ws);
      workstations.get(user.id)?.users.delete(ws);
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
      void dispatcher.dispatch(name, msg.input, { user, shell: 'devhost' }).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
      });
    });
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host}:${port}`;
  return {
    url: origin,
    token,
    urlFor: (user) => `${origin}/?token=${encodeURIComponent(token)}${user ? `&user=${encodeURIComponent(user)}` : ''}`,
    async close() {
      stopEvents();
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((ok) => server.close(() => ok()));
      for (const { ws, store } of workstations.values()) {
        ws.stop();
        store.close();
      }
    },
  };
}
