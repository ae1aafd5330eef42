import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { CaseDetail, CaseSummary } from '../../shared/domain.js';
import type { CommandInput } from '../api.js';
import { GuardianError } from '../errors.js';
import { ensurePrivateDir } from '../store/private-dir.js';

export type OutboxState = 'pending' | 'delivered' | 'applied' | 'conflict' | 'rejected' | 'discarded';

export interface OutboxEntry {
  id: string;
  seq: number;
  user: string;
  caseId: string;
  type: CommandInput['type'];
  command: CommandInput;
  state: OutboxState;
  error: { code: string; message: string; details?: Record<string, unknown> } | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

interface OutboxRow {
  id: string;
  seq: number;
  user: string;
  case_id: string;
  type: CommandInput['type'];
  command: string;
  state: OutboxState;
  error: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
}

/** A stored command; entries written before the trust model carried an actor, which the database now derives. */
function commandOf(json: string): CommandInput {
  const { actor: _actor, ...command } = JSON.parse(json) as CommandInput & { actor?: string };
  void _actor;
  return command as CommandInput;
}

const toEntry = (r: OutboxRow): OutboxEntry => ({
  id: r.id,
  seq: r.seq,
  user: r.user,
  caseId: r.case_id,
  type: r.type,
  command: commandOf(r.command),
  state: r.state,
  error: r.error ? JSON.parse(r.error) : null,
  attempts: r.attempts,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

// Versioned with PRAGMA user_version: each entry upgrades the file by one version.
const MIGRATIONS = [
  `CREATE TABLE outbox (
     seq        INTEGER PRIMARY KEY AUTOINCREMENT,
     id         TEXT NOT NULL UNIQUE,
     user       TEXT NOT NULL,
     case_id    TEXT NOT NULL,
     type       TEXT NOT NULL,
     command    TEXT NOT NULL,
     state      TEXT NOT NULL,
     error      TEXT,
     attempts   INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX outbox_active ON outbox (state, user, seq);
   CREATE TABLE cached_cases (
     id        TEXT PRIMARY KEY,
     summary   TEXT NOT NULL,
     detail    TEXT,
     synced_at TEXT NOT NULL
   );
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

/** "Not saved" when the disk is full or read-only: nothing half-written is ever shown as saved. */
function storageError(err: unknown, file: string): never {
  const code = (err as { code?: string }).code ?? '';
  if (/SQLITE_FULL|SQLITE_IOERR|SQLITE_READONLY|SQLITE_CANTOPEN|ENOSPC|EROFS/.test(code))
    throw new GuardianError('unavailable', `Not saved: could not write to ${file} (${code === 'SQLITE_FULL' ? 'the disk is full' : code}).`, { storage: code });
  throw err;
}

/** A store file SQLite cannot use: not a database at all, or a database with damaged pages. */
const isCorrupt = (err: unknown) => /^SQLITE_(NOTADB|CORRUPT)/.test((err as { code?: string }).code ?? '');

/** Opens (creating, upgrading) the store file and checks it whole: a damaged page fails here, not at a later read. */
function openChecked(file: string): Database.Database {
  // Created private (0600) before SQLite opens it: its -wal and -shm files take the same mode. It holds
  // moderated content and people's decisions (issue 12: other local users could read it).
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw Object.assign(new Error(`quick_check: ${String(check)}`), { code: 'SQLITE_CORRUPT' });
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
    // Also the cached rows, as they are read: JSON a torn page mangled is damage too.
    db.prepare('SELECT count(*) FROM outbox').get();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Moves a corrupt store (with its -wal and -shm) aside, kept for recovery; returns its new name. */
function moveAside(file: string): string {
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['', '-wal', '-shm'])
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
  return aside;
}

/**
 * The workstation's own store in its data dir (SQLite via better-sqlite3): the command outbox and a read
 * cache. WAL with synchronous=FULL: a commit is on disk (fsync) before it returns, so "saved" survives
 * a crash or power loss, and a torn write is rolled back on the next open. A file SQLite cannot read
 * (garbage, damaged pages) is moved aside — kept for recovery, its name in `movedAside` for the UI and
 * the log — and a fresh store is opened: the app starts, and nothing in the old file is destroyed.
 * The data dir is 0700 and the files 0600.
 */
export function openLocalStore(dataDir: string) {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, 'workstation.sqlite');
  let db: Database.Database;
  let movedAside: string | null = null;
  try {
    try {
      db = openChecked(file);
    } catch (err) {
      if (!isCorrupt(err)) throw err;
      movedAside = moveAside(file);
      db = openChecked(file);
    }
  } catch (err) {
    storageError(err, file);
  }
  const now = () => new Date().toISOString();
  // Everyone using this store in the process hears every change of an entry, whoever made it: two seats
  // of one login (two dev-host tabs) share the store, and either's relay may deliver the other's command.
  const listeners = new Set<(e: OutboxEntry) => void>();
  const emit = (id: string) => {
    const r = stmt.byId.get(id) as OutboxRow | undefined;
    if (r) for (const l of [...listeners]) l(toEntry(r));
  };
  let relayTail: Promise<unknown> = Promise.resolve();

  const stmt = {
    insert: db.prepare(
      `INSERT INTO outbox (id, user, case_id, type, command, state, created_at, updated_at)
       VALUES (@id, @user, @caseId, @type, @command, 'pending', @at, @at)`,
    ),
    byId: db.prepare('SELECT * FROM outbox WHERE id = ?'),
    active: db.prepare(`SELECT * FROM outbox WHERE state IN ('pending', 'delivered') ORDER BY seq`),
    recent: db.prepare('SELECT * FROM outbox ORDER BY seq DESC LIMIT ?'),
    setState: db.prepare('UPDATE outbox SET state = @state, error = @error, updated_at = @at WHERE id = @id'),
    attempt: db.prepare('UPDATE outbox SET attempts = attempts + 1, updated_at = @at WHERE id = @id'),
    putCase: db.prepare(
      `INSERT INTO cached_cases (id, summary, detail, synced_at) VALUES (@id, @summary, @detail, @at)
       ON CONFLICT (id) DO UPDATE SET summary = excluded.summary, detail = COALESCE(excluded.detail, cached_cases.detail), synced_at = excluded.synced_at`,
    ),
    getCase: db.prepare('SELECT * FROM cached_cases WHERE id = ?'),
    allCases: db.prepare('SELECT summary FROM cached_cases'),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
  };

  return {
    file,
    /** Where a corrupt store found at open was moved (kept for recovery); null when it opened cleanly. */
    movedAside,
    outbox: {
      /** Durably records a person's command; returns only once it is on disk. */
      add(cmd: CommandInput, user: string): OutboxEntry {
        try {
          stmt.insert.run({ id: cmd.commandId, user, caseId: cmd.caseId, type: cmd.type, command: JSON.stringify(cmd), at: now() });
        } catch (err) {
          if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return toEntry(stmt.byId.get(cmd.commandId) as OutboxRow);
          storageError(err, file);
        }
        emit(cmd.commandId);
        return toEntry(stmt.byId.get(cmd.commandId) as OutboxRow);
      },
      get: (id: string) => {
        const r = stmt.byId.get(id) as OutboxRow | undefined;
        return r && toEntry(r);
      },
      active: () => (stmt.active.all() as OutboxRow[]).map(toEntry),
      recent: (limit = 200) => (stmt.recent.all(limit) as OutboxRow[]).map(toEntry),
      setState(id: string, state: OutboxState, error: OutboxEntry['error'] = null) {
        stmt.setState.run({ id, state, error: error ? JSON.stringify(error) : null, at: now() });
        emit(id);
      },
      attempted(id: string) {
        stmt.attempt.run({ id, at: now() });
      },
      /** Hears every added entry and every state change, made through this store by anyone in the process. */
      onChange(l: (e: OutboxEntry) => void): () => void {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      /** Runs one relay pass at a time over this outbox, whichever seat's relay asks (passes queue up). */
      exclusive<T>(fn: () => Promise<T>): Promise<T> {
        const run = relayTail.then(fn, fn);
        relayTail = run.catch(() => {});
        return run;
      },
    },
    cache: {
      putCases(cases: CaseSummary[], syncedAt = now()) {
        db.transaction(() => {
          for (const c of cases) stmt.putCase.run({ id: c.id, summary: JSON.stringify(c), detail: null, at: syncedAt });
          stmt.setMeta.run('cases_synced_at', syncedAt);
        })();
      },
      putCase(detail: CaseDetail, syncedAt = now()) {
        stmt.putCase.run({ id: detail.id, summary: JSON.stringify(detail), detail: JSON.stringify(detail), at: syncedAt });
      },
      /** Applies a live update (case:updated) so the cache never shows a case where it no longer is. */
      patchCase(id: string, patch: Partial<CaseSummary>) {
        const r = stmt.getCase.get(id) as { summary: string; detail: string | null; synced_at: string } | undefined;
        if (!r) return;
        const merge = (json: string) => JSON.stringify({ ...JSON.parse(json), ...patch });
        stmt.putCase.run({ id, summary: merge(r.summary), detail: r.detail ? merge(r.detail) : null, at: r.synced_at });
      },
      cases: () => (stmt.allCases.all() as Array<{ summary: string }>).map((r) => JSON.parse(r.summary) as CaseSummary),
      getCase(id: string): { detail: CaseDetail; syncedAt: string } | undefined {
        const r = stmt.getCase.get(id) as { detail: string | null; synced_at: string } | undefined;
        return r?.detail ? { detail: JSON.parse(r.detail) as CaseDetail, syncedAt: r.synced_at } : undefined;
      },
      syncedAt: () => (stmt.getMeta.get('cases_synced_at') as { value: string } | undefined)?.value ?? null,
    },
    close(): void {
      db.close();
    },
  };
}

export type LocalStore = ReturnType<typeof openLocalStore>;

const shared = new Map<string, { store: LocalStore; refs: number }>();

/**
 * The process's one store for a data dir: seats of the same login (dev-host tabs, a window reopened before
 * the last one closed) share it, so one outbox has one set of listeners and one relay pass at a time,
 * instead of two SQLite handles whose relays deliver each other's commands unheard. `release()` closes it
 * once its last user lets go.
 */
export function shareLocalStore(dataDir: string): { store: LocalStore; release(): void } {
  const key = path.resolve(dataDir);
  let entry = shared.get(key);
  if (!entry) shared.set(key, (entry = { store: openLocalStore(dataDir), refs: 0 }));
  entry.refs++;
  const e = entry;
  let released = false;
  return {
    store: e.store,
    release() {
      if (released) return;
      released = true;
      if (--e.refs > 0) return;
      shared.delete(key);
      e.store.close();
    },
  };
}
