// The ONLY user of window.api. In Electron the preload bridge carries the contract over IPC; in a plain
// browser (test/dev only) the same contract goes over the dev host's WebSocket, token from the URL. Each
// browser tab is one seat of the dev host (a person signs in there), named by an id made once per tab.
import {
  methodName,
  type Bridge,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type EventName,
  type EventPayload,
  type Result,
} from '../../../shared/contract';

type Listener = (payload: unknown) => void;

function electronBridge(api: NonNullable<Window['api']>): Bridge {
  return {
    invoke: (name, input) => (api[methodName(name)] as (i: unknown) => Promise<never>)(input),
    on: (name, cb) => api.on(name, cb as Listener),
  };
}

/** Dev-host transport state, shown in the status bar when the page runs in a browser. */
export type HostLink = 'connecting' | 'open' | 'closed' | 'refused';
const linkListeners = new Set<(s: HostLink) => void>();
let link: HostLink = 'connecting';
const setLink = (s: HostLink) => {
  link = s;
  for (const l of linkListeners) l(s);
};
export const hostLink = {
  get: () => link,
  on(cb: (s: HostLink) => void) {
    linkListeners.add(cb);
    return () => {
      linkListeners.delete(cb);
    };
  },
};

const SEAT_KEY = 'guardian.seat';

/**
 * This tab's seat at the dev host: made once (random), kept in sessionStorage, so a reload stays signed in
 * and another tab is another seat. It only names the seat: who acts there is whoever signed in on it.
 */
export function seatId(): string {
  let id = sessionStorage.getItem(SEAT_KEY);
  if (!id || !/^[A-Za-z0-9-]{8,64}$/.test(id)) {
    id = crypto.randomUUID();
    sessionStorage.setItem(SEAT_KEY, id);
  }
  return id;
}

function devHostBridge(): Bridge {
  const params = new URLSearchParams(location.search);
  const wsUrl = new URL('/ws', location.href);
  wsUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  wsUrl.search = new URLSearchParams({ token: params.get('token') ?? '', seat: seatId() }).toString();

  const listeners = new Map<string, Set<Listener>>();
  const pending = new Map<number, (r: Result<never>) => void>();
  let seq = 0;
  let ws: WebSocket | undefined;
  let ready: Promise<WebSocket> | undefined;
  let opened = false;

  const connect = (): Promise<WebSocket> =>
    (ready ??= new Promise((resolve, reject) => {
      setLink('connecting');
      const sock = new WebSocket(wsUrl);
      sock.onopen = () => {
        opened = true;
        ws = sock;
        setLink('open');
        resolve(sock);
      };
      sock.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as { id?: number; result?: Result<never>; event?: string; payload?: unknown };
        if (typeof msg.id === 'number') {
          pending.get(msg.id)?.(msg.result!);
          pending.delete(msg.id);
        } else if (msg.event) {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        }
      };
      sock.onclose = () => {
        const wasOpen = ws === sock;
        ws = undefined;
        ready = undefined;
        for (const [, done] of pending) done({ ok: false, error: { code: 'unavailable', message: 'Lost the connection to the dev host.' } });
        pending.clear();
        if (!wasOpen) {
          setLink(opened ? 'closed' : 'refused');
          reject(new Error('The dev host refused the connection (token or seat not valid).'));
          return;
        }
        setLink('closed');
        setTimeout(() => void connect().catch(() => {}), 1000);
      };
    }));

  // Connect while the bundle is still starting (before React's first render asks for the session): the
  // dev host opens this seat's session when the socket connects (bench:ui "first row").
  void connect().catch(() => {});
  return {
    async invoke(name, input) {
      let sock: WebSocket;
      try {
        sock = await connect();
      } catch (err) {
        return { ok: false, error: { code: 'unavailable', message: (err as Error).message } };
      }
      const id = ++seq;
      return new Promise((resolve) => {
        pending.set(id, resolve as (r: Result<never>) => void);
        sock.send(JSON.stringify({ id, name, input }));
      });
    },
    on(name, cb) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(cb as Listener);
      void connect().catch(() => {});
      return () => set.delete(cb as Listener);
    },
  };
}

const bridge: Bridge = window.api ? electronBridge(window.api) : devHostBridge();
if (window.api) setLink('open');

/** Hears every answer saying the database refused this seat's login (an admin disabled the person). */
const refusedListeners = new Set<(message: string) => void>();
const noteRefusedLogin = <T>(name: CommandName, r: Result<T>): Result<T> => {
  if (!r.ok && name !== 'session:signIn' && r.error.details?.reason === 'login_refused') for (const l of refusedListeners) l(r.error.message);
  return r;
};

export const api = {
  call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<Result<CommandOutput<K>>> {
    return bridge
      .invoke(name, input)
      .catch((err: unknown) => ({
        ok: false as const,
        error: { code: 'unavailable' as const, message: err instanceof Error ? err.message : String(err) },
      }))
      .then((r) => noteRefusedLogin(name, r));
  },
  /** The database refused the signed-in login (reason login_refused on any answer but sign-in's own). */
  onLoginRefused(cb: (message: string) => void): () => void {
    refusedListeners.add(cb);
    return () => {
      refusedListeners.delete(cb);
    };
  },
  on<K extends EventName>(name: K, cb: (payload: EventPayload<K>) => void): () => void {
    return bridge.on(name, cb);
  },
};

/** Client-chosen command ids make retries idempotent (the core applies an id once). */
export const newCommandId = () => crypto.randomUUID();
