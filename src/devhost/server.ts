// Dev host — TEST/DEV ONLY, never bundled into the Electron app (electron.vite.config.ts has no entry
// for it). Serves the built renderer on loopback and carries the same IPC contract over a WebSocket,
// calling the same dispatcher as Electron main, so Playwright can drive the real UI in Chromium.
//
// Protection: a random token (printed / returned to tests) is required for the WebSocket, whose Origin
// must be this host. Each browser tab is a seat (its id kept in the tab's sessionStorage) where a person
// signs in with their own login, exactly as in the Electron app: there is no way to act as someone else.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/core.js';
import { silentLogger } from '../core/log.js';
import type { Logger } from '../core/ports.js';
import { createSessionHost, type Credentials, type SessionHost } from '../core/session/session-host.js';
import { createDispatcher } from '../main/ipc/dispatcher.js';
import { forwardCoreEvents, forwardOutboxEvents, forwardUpdateEvents } from '../main/ipc/events.js';
import { CSP } from '../main/csp.js';
import { createActivity } from '../core/update/activity.js';
import { createUpdateController, type UpdateController } from '../core/update/controller.js';
import type { UpdaterPort, VerifyDownload } from '../core/update/port.js';
import type { ManagedView } from '../shared/contract.js';
import { createScriptedUpdater, type ScriptedUpdater } from './scripted-updater.js';

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
  /**
   * The updater port (default: a scripted one, steered by the test holding `DevHost.updater` or through
   * POST /__dev/update). Test/dev only: nothing the dev host "downloads" is ever run.
   */
  updater?: UpdaterPort;
  /** How a download is checked (default: accepted — the scripted port's files are not builds). */
  verifyUpdate?: VerifyDownload;
  /** Download as soon as a check finds an update (default true, as in the app). */
  updateAutoDownload?: boolean;
  /** This build's version (default: package.json's). */
  version?: string;
  /** The managed settings view settings:get answers (config.managed; default: no policy file, nothing listed). */
  settings?: () => ManagedView;
  /** Wellbeing: the break point of a person who set none (config.wellbeing.breakAfter; default 25). */
  breakAfter?: number;
  /** The update channel shown (config.update.channel). */
  channel?: 'stable' | 'beta';
  /**
   * How long a seat whose every tab has gone keeps its session (default 10 s: a reload comes back within
   * it). Then its session closes and its database connections are given back; a tab that returns later
   * with the same seat id starts a new seat (signed in again, or with `initial`).
   */
  seatIdleMs?: number;
}

export interface DevHost {
  url: string;
  token: string;
  /** The page URL, token included. */
  urlFor(): string;
  /** The workstation's update controller, and the scripted port behind it when none was given. */
  updates: UpdateController;
  updater?: ScriptedUpdater;
  /** Seats open now (a tab, or one gone for less than seatIdleMs). */
  openSeats(): number;
  close(): Promise<void>;
}

const packageVersion = (): string => {
  try {
    return (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
};

/**
 * POST /__dev/update?token=… (test/dev only): steers the scripted updater port, one step per request —
 * {"offer": "0.2.0" | null}, {"check": true}, {"progress": 42}, {"finish": true}, {"fail": "message"}.
 */
async function steer(port: ScriptedUpdater, updates: UpdateController, body: Record<string, unknown>): Promise<string | null> {
  if ('offer' in body) {
    if (body.offer !== null && typeof body.offer !== 'string') return 'offer: a version string or null';
    port.offer(body.offer as string | null);
  } else if (body.check === true) await updates.check();
  else if (typeof body.progress === 'number') port.progress(body.progress);
  else if (body.finish === true) port.finish();
  else if (typeof body.fail === 'string') port.fail(body.fail);
  else return 'one of offer, check, progress, finish, fail';
  return null;
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
  idle?: NodeJS.Timeout;
}

const SEAT_RE = /^[A-Za-z0-9-]{8,64}$/;

export async function startDevHost(o: DevHostOptions): Promise<DevHost> {
  const bind = o.host ?? '127.0.0.1';
  const token = o.token ?? randomBytes(24).toString('base64url');
  const root = resolve(o.rendererDir);
  const logger = o.logger ?? silentLogger;
  if (!existsSync(join(root, 'index.html'))) throw new Error(`No built renderer in ${root}: run \`npx electron-vite build\` first.`);
  const scripted = o.updater ? undefined : createScriptedUpdater(o.version ?? packageVersion());
  const activity = createActivity();
  const updates = createUpdateController({
    port: o.updater ?? scripted!,
    currentVersion: o.version ?? o.updater?.currentVersion ?? packageVersion(),
    verify: o.verifyUpdate ?? (async () => ({ ok: true, problems: [] })),
    activity,
    autoDownload: o.updateAutoDownload ?? true,
    channel: o.channel ?? 'stable',
    logger,
  });
  const settings = o.settings ?? (() => ({ file: null, settings: [] }));
  const dispatcher = createDispatcher({
    updates,
    activity,
    settings,
    wellbeing: { breakAfter: o.breakAfter ?? 25 },
    onError: (name, err) => logger.error({ name, err: (err as Error)?.message }, 'handler failed'),
  });
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

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/__dev/update') return serveStatic(req, res);
    if (req.method !== 'POST' || !tokenOk(url.searchParams.get('token'))) return void res.writeHead(401).end('unauthorized');
    if (!scripted) return void res.writeHead(409).end('this dev host was given its own updater port');
    let raw = '';
    req.on('data', (c: Buffer) => (raw.length < 4096 ? (raw += c) : req.destroy()));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return void res.writeHead(400).end('body: JSON expected');
      }
      steer(scripted, updates, body ?? {}).then(
        (problem) => (problem ? res.writeHead(400).end(problem) : res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(updates.status()))),
        (err: unknown) => res.writeHead(409).end((err as Error).message),
      );
    });
  };
  const server = createServer(serve);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const clients = new Set<WebSocket>();
  // The workstation's update state goes to every tab (it is the machine's, not a person's).
  const stopUpdates = forwardUpdateEvents(updates, (event, payload) => send(clients, event, payload));

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
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, seatFor(seatId), seatId));
  });

  const seatIdleMs = o.seatIdleMs ?? 10_000;
  async function endSeat(id: string, seat: SeatEntry) {
    clearTimeout(seat.idle);
    if (seats.get(id) === seat) seats.delete(id);
    seat.stopOutbox?.();
    seat.stopEvents?.();
    await seat.started.catch(() => {});
    await seat.host.stop();
  }
  // A seat nobody is looking at any more holds no database connections: each session has its own pool,
  // and a day of opened and closed tabs would otherwise run the server out of connection slots.
  const closing = new Set<Promise<void>>();
  function attach(ws: WebSocket, seat: SeatEntry, id: string) {
    clients.add(ws);
    seat.sockets.add(ws);
    clearTimeout(seat.idle);
    seat.idle = undefined;
    ws.on('close', () => {
      clients.delete(ws);
      seat.sockets.delete(ws);
      if (seat.sockets.size > 0 || seats.get(id) !== seat) return;
      seat.idle = setTimeout(() => {
        if (seat.sockets.size > 0) return;
        const done = endSeat(id, seat).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'closing an idle seat failed'));
        closing.add(done);
        void done.finally(() => closing.delete(done));
      }, seatIdleMs);
      seat.idle.unref();
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
  updates.start();
  return {
    url: origin,
    token,
    urlFor: () => `${origin}/?token=${encodeURIComponent(token)}`,
    updates,
    updater: scripted,
    openSeats: () => seats.size,
    async close() {
      stopUpdates();
      updates.stop();
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((ok) => server.close(() => ok()));
      for (const [id, seat] of [...seats]) await endSeat(id, seat);
      await Promise.all([...closing]);
    },
  };
}
