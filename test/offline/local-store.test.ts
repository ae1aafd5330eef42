// Issue 12, must show 3: a garbage or damaged local store is moved aside (kept for recovery) and a fresh
// one opened; the data dir and the store's files are private (0700 / 0600).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/ports.js';
import { openLocalStore } from '../../src/core/offline/local-store.js';
import { createWorkstation } from '../../src/core/offline/workstation.js';
import type { CoreApi } from '../../src/core/api.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-store-'));
  dirs.push(d);
  return path.join(d, 'seat'); // not yet created: openLocalStore creates it
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const cmd = (n: number) => ({ type: 'note' as const, caseId: '00000000-0000-4000-8000-000000000001', text: `note ${n} `.repeat(200), tool: 'ui' as const, commandId: `store-test-${n}` });

/** A store with some outbox entries and cached cases, closed (checkpointed) so its pages are in the main file. */
function filledStore(dir: string) {
  const s = openLocalStore(dir);
  for (let i = 0; i < 40; i++) s.outbox.add(cmd(i), 'mod-1');
  s.close();
  return path.join(dir, 'workstation.sqlite');
}

describe('a corrupt local store', () => {
  it('a file that is not a database (SQLITE_NOTADB) is moved aside, kept as it was, and a fresh store opens', () => {
    const dir = tmp();
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'workstation.sqlite');
    const garbage = Buffer.from('this is not an SQLite file at all '.repeat(300));
    fs.writeFileSync(file, garbage);
    const s = openLocalStore(dir);
    try {
      expect(s.movedAside).toMatch(/workstation\.sqlite\.corrupt-/);
      expect(fs.readFileSync(s.movedAside!)).toEqual(garbage);
      expect(s.outbox.recent()).toEqual([]);
      expect(s.outbox.add(cmd(1), 'mod-1').state).toBe('pending');
    } finally {
      s.close();
    }
    // Opened again, the fresh store is fine: nothing more is moved.
    const again = openLocalStore(dir);
    expect(again.movedAside).toBeNull();
    expect(again.outbox.get('store-test-1')?.state).toBe('pending');
    again.close();
  });

  it('a store with damaged pages (SQLITE_CORRUPT on read) is moved aside at open, not failing at the first read', () => {
    const dir = tmp();
    const file = filledStore(dir);
    const bytes = fs.readFileSync(file);
    // Overwrite pages past the schema page with noise (a torn disk, a bad sector).
    for (let i = 4096 * 2; i < Math.min(bytes.length, 4096 * 6); i++) bytes[i] = (i * 7919) & 0xff;
    fs.writeFileSync(file, bytes);
    const s = openLocalStore(dir);
    try {
      expect(s.movedAside).toMatch(/workstation\.sqlite\.corrupt-/);
      expect(fs.readFileSync(s.movedAside!)).toEqual(bytes);
      expect(s.outbox.active()).toEqual([]);
      expect(s.outbox.add(cmd(99), 'mod-1').state).toBe('pending');
    } finally {
      s.close();
    }
  });

  it('the workstation names the moved-aside file and logs it', () => {
    const dir = tmp();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'workstation.sqlite'), 'garbage'.repeat(1000));
    const lines: string[] = [];
    const rec = (obj: object, msg?: string) => void lines.push(JSON.stringify({ ...obj, msg }));
    const logger: Logger = { debug: rec, info: rec, warn: rec, error: rec, child: () => logger };
    const store = openLocalStore(dir);
    const core = { connection: () => ({ database: 'down', broker: 'down' }), onEvent: () => () => {} } as unknown as CoreApi;
    const ws = createWorkstation({ core, store, user: 'mod-1', logger });
    try {
      expect(ws.storeMovedAside).toBe(store.movedAside);
      expect(ws.storeMovedAside).toBeTruthy();
      expect(lines.join('')).toContain(path.basename(store.movedAside!));
    } finally {
      ws.stop();
      store.close();
    }
  });
});

describe('local store permissions', () => {
  it('the data dir is 0700 and the store and its WAL files 0600, also when they were created looser', () => {
    const dir = tmp();
    const file = filledStore(dir);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(file, 0o644);
    const s = openLocalStore(dir);
    try {
      s.outbox.add(cmd(500), 'mod-1');
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      for (const f of fs.readdirSync(dir)) expect([f, fs.statSync(path.join(dir, f)).mode & 0o777]).toEqual([f, 0o600]);
      expect(fs.readdirSync(dir)).toEqual(expect.arrayContaining(['workstation.sqlite', 'workstation.sqlite-wal']));
    } finally {
      s.close();
    }
  });
});
