// Issue 16, must show 5: the standalone app's first start opens a pre-initialised data dir (the template the
// build makes) instead of running initdb; the template holds no person, login or secret; a template built from
// another PGlite, saver or database files is detected as stale and not used (initdb instead, logged).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createCore } from '../../src/core/core.js';
import type { Logger } from '../../src/core/ports.js';
import { buildStandaloneTemplate, currentTemplateStamp, startEmbeddedPostgres, templateProblem, type TemplateStamp } from '../../src/core/store/embedded.js';
import { resourcesDir } from '../../src/core/resources.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'guardian-template-'));
const template = path.join(root, 'standalone-template');
let stamp: TemplateStamp;

/** A logger that keeps what was logged (the template's use is visible in the log). */
function recordingLogger(lines: Array<{ msg?: string; obj: Record<string, unknown> }>): Logger {
  const rec = (obj: object, msg?: string) => void lines.push({ msg, obj: obj as Record<string, unknown> });
  const l: Logger = { debug: rec, info: rec, warn: rec, error: rec, child: () => l };
  return l;
}

beforeAll(async () => {
  stamp = await buildStandaloneTemplate(template, recordingLogger([]));
}, 120_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A copy of the template with its stamp changed. */
function staleCopy(name: string, change: Partial<TemplateStamp>): string {
  const dir = path.join(root, name);
  fs.cpSync(template, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'stamp.json'), JSON.stringify({ ...stamp, ...change }));
  return dir;
}

it('a built template is current, and a first start opens it (no initdb) with no person, login or secret in it', async () => {
  expect(stamp).toEqual(currentTemplateStamp());
  expect(templateProblem(template)).toBeUndefined();

  const dataDir = path.join(root, 'first-start');
  const lines: Array<{ msg?: string; obj: Record<string, unknown> }> = [];
  const embedded = await startEmbeddedPostgres(dataDir, recordingLogger(lines), { templateDir: template });
  try {
    expect(lines.find((l) => l.msg === 'embedded database ready')?.obj.from).toBe('template');
    const c = new pg.Client({ connectionString: embedded.connectionString });
    await c.connect();
    try {
      // Set up already (the checksum setup compares at every start), and nobody in it yet.
      const inst = await c.query('SELECT mode, setup_checksum FROM private.installation');
      expect(inst.rows).toEqual([{ mode: 'standalone', setup_checksum: stamp.setup }]);
      expect((await c.query('SELECT count(*)::int AS n FROM moderators')).rows[0].n).toBe(0);
      expect((await c.query('SELECT count(*)::int AS n FROM cases')).rows[0].n).toBe(0);
      expect((await c.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n).toBe(0);
      const logins = await c.query(`SELECT rolname FROM pg_roles WHERE rolcanlogin AND rolname <> current_user AND rolname NOT LIKE 'pg\\_%'`);
      expect(logins.rows).toEqual([]);
      const passwords = await c.query(`SELECT rolname FROM pg_authid WHERE rolpassword IS NOT NULL`);
      expect(passwords.rows).toEqual([]);
    } finally {
      await c.end();
    }
  } finally {
    await embedded.stop();
  }
  // The data dir is this OS user's only (issue 12), also when copied from the template.
  const loose: string[] = [];
  for (const e of fs.readdirSync(path.join(dataDir, 'pgdata'), { withFileTypes: true, recursive: true })) {
    const mode = fs.statSync(path.join(e.parentPath, e.name)).mode & 0o777;
    if (mode !== (e.isDirectory() ? 0o700 : 0o600)) loose.push(`${e.name} ${mode.toString(8)}`);
  }
  expect(loose).toEqual([]);
}, 120_000);

it('the standalone core starts from the template: the local person is created at first start and the queue answers', async () => {
  const dataDir = path.join(root, 'core');
  // What a first start that crashed mid-copy (another process) left behind: removed by the next first start.
  const leftover = path.join(dataDir, 'pgdata.template-99999');
  fs.mkdirSync(leftover, { recursive: true });
  fs.writeFileSync(path.join(leftover, 'PG_VERSION'), '18');
  const lines: Array<{ msg?: string; obj: Record<string, unknown> }> = [];
  const prev = process.env.GUARDIAN_STANDALONE_TEMPLATE;
  process.env.GUARDIAN_STANDALONE_TEMPLATE = template;
  try {
    const core = await createCore({ config: loadConfig({ GUARDIAN_DATA_DIR: dataDir, GUARDIAN_USER: 'local-tpl' }), logger: recordingLogger(lines) });
    try {
      await core.start();
      const session = await core.openSession({ tool: 'ui' });
      expect(session.person.id).toBe('local-tpl');
      expect(await session.listCases({ limit: 10 })).toEqual([]);
      expect(await core.seedDemo()).toBeGreaterThan(0);
      await core.drain();
      expect((await session.listCases({ limit: 100 })).length).toBeGreaterThan(0);
    } finally {
      await core.stop();
    }
  } finally {
    if (prev === undefined) delete process.env.GUARDIAN_STANDALONE_TEMPLATE;
    else process.env.GUARDIAN_STANDALONE_TEMPLATE = prev;
  }
  expect(lines.find((l) => l.msg === 'embedded database ready')?.obj.from).toBe('template');
  expect(fs.existsSync(leftover)).toBe(false);
}, 120_000);

it('a stale or missing template is detected, naming what changed', () => {
  expect(templateProblem(staleCopy('old-pglite', { pglite: '0.4.0' }))).toMatch(/stale \(pglite: built from 0\.4\.0, now \d/);
  expect(templateProblem(staleCopy('old-saver', { saver: '0.9.0' }))).toMatch(/stale \(saver: built from 0\.9\.0/);
  expect(templateProblem(staleCopy('old-format', { format: 0 }))).toMatch(/stale \(format/);
  expect(templateProblem(path.join(root, 'nowhere'))).toMatch(/no template at/);
  const empty = path.join(root, 'no-data');
  fs.mkdirSync(empty);
  fs.writeFileSync(path.join(empty, 'stamp.json'), JSON.stringify(stamp));
  expect(templateProblem(empty)).toMatch(/has no data dir/);
});

it('a change to a database file makes the built template stale', () => {
  // The same resources with one command function changed (as the next commit to one would).
  const resources = path.join(root, 'resources');
  fs.cpSync(resourcesDir(), resources, { recursive: true });
  const fn = path.join(resources, 'db', 'functions', 'worker', 'ingest_content.sql');
  fs.appendFileSync(fn, '\n-- changed\n');
  const prev = process.env.GUARDIAN_RESOURCES_DIR;
  process.env.GUARDIAN_RESOURCES_DIR = resources;
  try {
    expect(currentTemplateStamp().setup).not.toBe(stamp.setup);
    expect(templateProblem(template)).toMatch(/stale \(setup: built from [0-9a-f]{64}, now [0-9a-f]{64}\)/);
  } finally {
    if (prev === undefined) delete process.env.GUARDIAN_RESOURCES_DIR;
    else process.env.GUARDIAN_RESOURCES_DIR = prev;
  }
});

it('a first start with a stale template runs initdb instead (logged) and works', async () => {
  const dataDir = path.join(root, 'stale-start');
  const lines: Array<{ msg?: string; obj: Record<string, unknown> }> = [];
  const embedded = await startEmbeddedPostgres(dataDir, recordingLogger(lines), { templateDir: staleCopy('stale-for-start', { pglite: '0.0.1' }) });
  try {
    expect(lines.find((l) => l.msg === 'first start without a usable data-dir template: running initdb')?.obj.problem).toMatch(/pglite: built from 0\.0\.1/);
    expect(lines.find((l) => l.msg === 'embedded database ready')?.obj.from).toBe('initdb');
    const c = new pg.Client({ connectionString: embedded.connectionString });
    await c.connect();
    // A bare initdb'd cluster: setupDatabase (at every start) sets it up.
    expect((await c.query(`SELECT to_regclass('private.installation') AS t`)).rows[0].t).toBeNull();
    await c.end();
  } finally {
    await embedded.stop();
  }
}, 120_000);
