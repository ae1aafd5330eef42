/**
 * `guardian audit verify` and `guardian audit anchor`: checks the audit log's hash chains.
 *
 * The database writes every event (private.append_audit, resources/db/functions/private/audit.sql) and
 * computes its hash there. This file recomputes every hash here, in TypeScript, from the stored fields: a
 * check that asked the database's own function would trust exactly what an attacker with the database
 * might have replaced. The stored hash is only ever compared, never believed.
 *
 * What the chain alone can show: an edited event, a removed or inserted one in the middle, and (through
 * audit_heads) a removed tail or stream. What it cannot show: someone who removes a tail AND moves
 * audit_heads back, or rewrites a whole stream consistently. For that an anchor, a copy of the heads kept
 * outside the database (a JSON Lines file, one line per `guardian audit anchor` run), is compared as well.
 */
import { createHash } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { canonicalJson } from '../store/audit-repo.js';
import type { Queryable } from '../store/db.js';

export type AuditProblemKind = 'edited' | 'deleted' | 'inserted' | 'tail_deleted' | 'stream_deleted' | 'rewritten' | 'head_mismatch';

export interface AuditProblem { stream: string; eventId: number | null; seq: number | null; kind: AuditProblemKind; message: string }

export interface AnchorHead { stream: string; seq: number; hash: string }
export interface AnchorEntry { at: string; database: string; heads: AnchorHead[] }

export interface VerifyReport {
  ok: boolean;
  streams: number;
  events: number;
  /** The problem with the lowest event id (problems without one: the first stream). */
  firstBroken?: AuditProblem;
  /** Everything found, in (stream, seq) order; at most MAX_PROBLEMS. */
  problems: AuditProblem[];
  /** checked: anchored (stream, seq, hash) points compared. */
  anchor?: { file?: string; entries: number; checked: number };
}

/** anchorFile only names the file in the report; pageSize is for tests (streams crossing pages). */
export interface VerifyOptions { caseId?: string; anchor?: AnchorEntry[]; anchorFile?: string; pageSize?: number }

const MAX_PROBLEMS = 100;
const PAGE_SIZE = 5000;

/** One event as read for verification: every hashed field as text, exactly as the database hashed it. */
export interface HashedFields {
  prev_hash: string | null; stream: string; seq: number | string; type: string; actor: string; tool: string; db_login: string | null;
  /** to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'): microseconds, as v2 hashes them. */
  at_us: string;
  /** payload::text: jsonb's own text form, so key order and number spelling are the database's. */
  payload_text: string;
}

// int8 columns arrive as numbers or strings, depending on whether db.ts's type parsers are loaded.
interface EventRow extends HashedFields { id: number | string; hash: string; hash_version: number; head_seq: number | string | null; head_hash: string | null }

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** hash_version 2, the same text private.audit_hash builds (concat_ws never sees a NULL there). */
export function auditHashV2(e: HashedFields): string {
  return sha256([e.prev_hash ?? '', e.stream, String(e.seq), e.type, e.actor, e.tool, e.db_login ?? '', e.at_us, e.payload_text].join('\n'));
}

/**
 * hash_version 1, as the application computed it before the hash moved into the database: millisecond
 * time (Date#toISOString of the stored timestamp) and canonical JSON, no seq and no login.
 */
export function auditHashV1(e: HashedFields): string {
  const at = new Date(e.at_us).toISOString();
  return sha256([e.prev_hash ?? '', e.stream, e.type, e.actor, e.tool, at, canonicalJson(JSON.parse(e.payload_text))].join('\n'));
}

const recompute = (e: EventRow) => (e.hash_version === 2 ? auditHashV2(e) : e.hash_version === 1 ? auditHashV1(e) : null);

/** Problems as found; the first broken one is the lowest event id, even past the listing cap. */
class Findings {
  list: AuditProblem[] = [];
  first?: AuditProblem;
  add(p: AuditProblem) {
    if (this.list.length < MAX_PROBLEMS) this.list.push(p);
    const q = this.first;
    if (!q || (p.eventId !== null ? q.eventId === null || p.eventId < q.eventId : q.eventId === null && p.stream < q.stream)) this.first = p;
  }
}

/** Anchored (seq → hashes) per stream: every anchor line counts, two lines may even disagree. */
function anchorPoints(entries: AnchorEntry[], only?: string): Map<string, Map<number, Set<string>>> {
  const out = new Map<string, Map<number, Set<string>>>();
  for (const entry of entries) {
    for (const h of entry.heads) {
      if (h.seq <= 0 || (only && h.stream !== only)) continue;
      const bySeq = out.get(h.stream) ?? out.set(h.stream, new Map()).get(h.stream)!;
      (bySeq.get(h.seq) ?? bySeq.set(h.seq, new Set()).get(h.seq)!).add(h.hash);
    }
  }
  return out;
}

/**
 * Events in (stream, seq) order, a page at a time (keyset on the unique (stream, seq) index), so a large
 * log is never in memory at once. Each row carries its stream's head from the same statement: the head
 * compared with a stream's last event is then never newer than that event's snapshot.
 */
async function* readEvents(db: Queryable, only: string | undefined, pageSize: number): AsyncGenerator<EventRow> {
  let after: { stream: string; seq: number | string } | undefined;
  for (;;) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (only) where.push(`e.stream = $${params.push(only)}`);
    if (after) where.push(`(e.stream, e.seq) > ($${params.push(after.stream)}, $${params.push(after.seq)}::bigint)`);
    const { rows } = await db.query<EventRow>(
      `SELECT e.id, e.stream, e.seq, e.type, e.actor, e.tool, e.db_login, e.payload::text AS payload_text,
              e.prev_hash, e.hash, e.hash_version,
              to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_us,
              h.seq AS head_seq, h.head AS head_hash
         FROM audit_events e LEFT JOIN audit_heads h ON h.stream = e.stream
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY e.stream, e.seq LIMIT ${pageSize}`,
      params,
    );
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!;
  }
}

interface Last { id: number; seq: number; hash: string; version: number; headSeq: number | null; headHash: string | null }

/** Walks one stream's events in order; `last` is what the next event must link to. */
class StreamCheck {
  last?: Last;
  checked = 0;
  constructor(readonly stream: string, private found: Findings, private anchored?: Map<number, Set<string>>) {}

  private add(eventId: number | null, seq: number | null, kind: AuditProblemKind, message: string) {
    this.found.add({ stream: this.stream, eventId, seq, kind, message });
  }

  event(row: EventRow) {
    const id = Number(row.id), seq = Number(row.seq), prev = this.last;
    const expected = prev ? prev.seq + 1 : 1;
    // A gap explains the broken link after it too: one problem, not two.
    if (seq !== expected) {
      this.add(id, seq, 'deleted', `seq ${expected}${seq - 1 > expected ? `–${seq - 1}` : ''} missing before this event`);
    } else if (row.prev_hash !== (prev?.hash ?? null)) {
      this.add(id, seq, 'inserted', prev
        ? `prev_hash does not link to seq ${prev.seq} (event ${prev.id}): an event was inserted or replaced before this one`
        : 'the first event of the stream has a prev_hash: the events before it are gone');
    }
    // Versions only ever go up: a v1 after a v2 is a v2 event re-hashed the weaker, older way.
    if (prev && row.hash_version < prev.version) this.add(id, seq, 'edited', `hash_version ${row.hash_version} after ${prev.version}`);
    const computed = recompute(row);
    if (computed === null) this.add(id, seq, 'edited', `unknown hash_version ${row.hash_version}`);
    else if (computed !== row.hash) this.add(id, seq, 'edited', 'the stored hash does not match the event\'s content');
    this.compareAnchor(id, seq, row.hash);
    // The next event links to the STORED hash: an edit left un-rehashed is then reported once, here.
    const headSeq = row.head_seq === null ? null : Number(row.head_seq);
    this.last = { id, seq, hash: row.hash, version: row.hash_version, headSeq, headHash: row.head_hash };
  }

  private compareAnchor(id: number, seq: number, hash: string) {
    const want = this.anchored?.get(seq);
    if (!want) return;
    this.checked += want.size;
    for (const h of want) if (h !== hash) this.add(id, seq, 'rewritten', `the anchor recorded hash ${h.slice(0, 12)}… at this seq, the database has ${hash.slice(0, 12)}…`);
  }

  /** The stream's end against audit_heads (always) and against the anchor (when given). */
  end() {
    const last = this.last!, head = last.headSeq;
    if (head === null) this.add(null, null, 'head_mismatch', 'no audit_heads row for this stream');
    else if (head > last.seq) this.add(null, last.seq + 1, 'tail_deleted', `audit_heads says the stream ends at seq ${head}, its last event is seq ${last.seq}`);
    else if (head < last.seq) this.add(null, head + 1, 'head_mismatch', `events after audit_heads' seq ${head} (written past append_audit)`);
    else if (last.headHash !== last.hash) this.add(last.id, last.seq, 'head_mismatch', "audit_heads' hash is not the last event's");
    // A tail the anchor remembers: the one loss audit_heads cannot show once it has been moved back too.
    const beyond = [...(this.anchored?.entries() ?? [])].filter(([seq]) => seq > last.seq);
    if (beyond.length === 0) return;
    this.checked += beyond.reduce((n, [, hashes]) => n + hashes.size, 0);
    const max = Math.max(...beyond.map(([seq]) => seq));
    if (head === null || max > head) this.add(null, last.seq + 1, 'tail_deleted', `the anchor recorded seq ${max}, the stream ends at seq ${last.seq}`);
  }
}

/** Streams that have a head but no events at all (seq 0 is a head created and never used: harmless). */
async function headsWithoutEvents(db: Queryable, only?: string): Promise<Array<{ stream: string; seq: number }>> {
  const { rows } = await db.query<{ stream: string; seq: number | string }>(
    `SELECT h.stream, h.seq FROM audit_heads h
      WHERE h.seq > 0 ${only ? 'AND h.stream = $1' : ''}
        AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.stream = h.stream)
      ORDER BY h.stream LIMIT ${MAX_PROBLEMS + 1}`,
    only ? [only] : [],
  );
  return rows.map((r) => ({ stream: r.stream, seq: Number(r.seq) }));
}

export async function verifyAudit(db: Queryable, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const only = opts.caseId ? `case:${opts.caseId}` : undefined;
  const anchored = anchorPoints(opts.anchor ?? [], only);
  const found = new Findings();
  let streams = 0, events = 0, checked = 0, cur: StreamCheck | undefined;
  const finish = (s: StreamCheck) => {
    s.end();
    checked += s.checked;
    anchored.delete(s.stream); // what stays in `anchored` has no events at all
  };
  for await (const row of readEvents(db, only, Math.max(1, Math.trunc(opts.pageSize ?? PAGE_SIZE)))) {
    if (cur?.stream !== row.stream) {
      if (cur) finish(cur);
      cur = new StreamCheck(row.stream, found, anchored.get(row.stream));
      streams++;
    }
    cur.event(row);
    events++;
  }
  if (cur) finish(cur);

  const gone = await headsWithoutEvents(db, only);
  for (const h of gone) found.add({ stream: h.stream, eventId: null, seq: 1, kind: 'stream_deleted', message: `audit_heads says seq ${h.seq}, the stream has no events` });
  // What is left of the anchor are streams without a single event: deleted, or the whole table truncated.
  const reported = new Set(gone.map((h) => h.stream));
  for (const [stream, bySeq] of anchored) {
    checked += [...bySeq.values()].reduce((n, hashes) => n + hashes.size, 0);
    if (reported.has(stream)) continue;
    const why = events === 0 ? 'the audit log is empty (truncated?)' : 'the stream has no events';
    found.add({ stream, eventId: null, seq: 1, kind: 'stream_deleted', message: `the anchor recorded seq ${Math.max(...bySeq.keys())}, ${why}` });
  }

  const anchor = opts.anchor && { ...(opts.anchorFile ? { file: opts.anchorFile } : {}), entries: opts.anchor.length, checked };
  return { ok: found.list.length === 0, streams, events, ...(found.first && { firstBroken: found.first }), problems: found.list, ...(anchor && { anchor }) };
}

/** Appends the current heads as one anchor line (the file is created owner-only: it maps the cases). */
export async function appendAnchor(db: Queryable, file: string): Promise<AnchorEntry> {
  const [{ rows: [me] }, { rows }] = await Promise.all([
    db.query<{ database: string }>('SELECT current_database() AS database'),
    db.query<{ stream: string; seq: number | string; hash: string }>('SELECT stream, seq, head AS hash FROM audit_heads WHERE seq > 0 ORDER BY stream'),
  ]);
  const entry: AnchorEntry = { at: new Date().toISOString(), database: me!.database, heads: rows.map((r) => ({ stream: r.stream, seq: Number(r.seq), hash: r.hash })) };
  await appendFile(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  return entry;
}

function parseJson(line: string, bad: (why: string) => Error): any {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw bad(`invalid JSON (${(err as Error).message})`);
  }
}

/** Every anchor line of the file, oldest first. */
export async function readAnchor(file: string): Promise<AnchorEntry[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  return lines.flatMap((line, i) => (line.trim() ? [parseAnchorLine(line, i + 1, file)] : []));
}

function parseAnchorLine(line: string, n: number, file: string): AnchorEntry {
  const bad = (why: string) => new Error(`${file}: line ${n} is not an audit anchor: ${why}`);
  const v = parseJson(line, bad);
  if (typeof v?.at !== 'string' || typeof v.database !== 'string' || !Array.isArray(v.heads)) throw bad('needs "at", "database" and "heads"');
  const heads = (v.heads as any[]).map((h, j): AnchorHead => {
    if (typeof h?.stream !== 'string' || !Number.isSafeInteger(h.seq) || h.seq < 0 || typeof h.hash !== 'string') {
      throw bad(`heads[${j}] needs "stream", an integer "seq" and "hash"`);
    }
    return { stream: h.stream, seq: h.seq, hash: h.hash };
  });
  return { at: v.at, database: v.database, heads };
}

const describe = (p: AuditProblem) =>
  `${p.stream}${p.eventId !== null ? ` event ${p.eventId}` : ''}${p.seq !== null ? ` (seq ${p.seq})` : ''} ${p.kind}: ${p.message}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatVerifyReport(r: VerifyReport): string {
  const anchor = r.anchor ? `; anchor${r.anchor.file ? ` ${r.anchor.file}` : ''}: ${r.anchor.entries} ${r.anchor.entries === 1 ? 'entry' : 'entries'}, ${r.anchor.checked} checked` : '';
  const scope = `${plural(r.streams, 'stream')}, ${plural(r.events, 'event')}${anchor}`;
  if (r.ok) return `audit intact: ${scope}`;
  const more = r.problems.length >= MAX_PROBLEMS ? ` (the first ${MAX_PROBLEMS} listed)` : '';
  return [`audit BROKEN: ${describe(r.firstBroken!)}`, `${scope}; ${plural(r.problems.length, 'problem')}${more}:`, ...r.problems.map((p) => `  ${describe(p)}`)].join('\n');
}
