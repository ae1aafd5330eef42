import { createHash } from 'node:crypto';
import type { AuditEvent } from '../../shared/domain.js';
import type { Tool } from '../api.js';
import type { Queryable } from './db.js';

export interface AuditInput {
  caseId: string | null;
  type: string;
  actor: string;
  tool: Tool;
  payload?: Record<string, unknown>;
}

/** JSON with sorted keys: jsonb does not keep key order, and the hash must be recomputable. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function hashEvent(prev: string | null, e: { stream: string; type: string; actor: string; tool: string; payload: unknown; at: string }) {
  return createHash('sha256')
    .update([prev ?? '', e.stream, e.type, e.actor, e.tool, e.at, canonicalJson(e.payload)].join('\n'))
    .digest('hex');
}

const streamOf = (caseId: string | null) => (caseId ? `case:${caseId}` : 'global');

/**
 * Appends one event to its stream's hash chain. Must run inside the transaction of the change it
 * records; the advisory lock serialises appends per stream so the chain never forks.
 */
export async function appendAudit(q: Queryable, input: AuditInput): Promise<void> {
  const stream = streamOf(input.caseId);
  // Takes the stream's lock, then reads the head and the transaction time (one round trip; the function's
  // read is its own statement after the lock, so it sees a head committed while we waited).
  const { rows } = await q.query<{ hash: string | null; at: string }>('SELECT head AS hash, at FROM audit_chain_head($1)', [stream]);
  const at = rows[0]!.at;
  const payload = input.payload ?? {};
  const prevHash = rows[0]?.hash ?? null;
  const hash = hashEvent(prevHash, { stream, type: input.type, actor: input.actor, tool: input.tool, payload, at });
  await q.query(
    `INSERT INTO audit_events (stream, case_id, type, actor, tool, payload, prev_hash, hash, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [stream, input.caseId, input.type, input.actor, input.tool, JSON.stringify(payload), prevHash, hash, at],
  );
}

interface AuditRow {
  id: number;
  stream: string;
  case_id: string | null;
  type: string;
  actor: string;
  tool: string;
  payload: Record<string, unknown>;
  prev_hash: string | null;
  hash: string;
  created_at: string;
}

const toEvent = (r: AuditRow): AuditEvent => ({
  id: r.id,
  caseId: r.case_id,
  type: r.type,
  actor: r.actor,
  tool: r.tool,
  payload: r.payload,
  hash: r.hash,
  prevHash: r.prev_hash,
  at: r.created_at,
});

export async function queryAudit(
  q: Queryable,
  f: { caseId?: string; actor?: string; type?: string; from?: string; to?: string; limit?: number },
): Promise<AuditEvent[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.caseId) add('case_id = ?', f.caseId);
  if (f.actor) add('actor = ?', f.actor);
  if (f.type) add('type = ?', f.type);
  if (f.from) add('created_at >= ?', f.from);
  if (f.to) add('created_at <= ?', f.to);
  params.push(Math.min(f.limit ?? 1000, 10_000));
  const { rows } = await q.query<AuditRow>(
    `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`,
    params,
  );
  return rows.map(toEvent);
}

/** Recomputes a stream's chain; returns the id of the first event that does not match, or null. */
export async function verifyAuditChain(q: Queryable, caseId: string | null): Promise<number | null> {
  const { rows } = await q.query<AuditRow>('SELECT * FROM audit_events WHERE stream = $1 ORDER BY id', [streamOf(caseId)]);
  let prev: string | null = null;
  for (const r of rows) {
    const expected = hashEvent(prev, { stream: r.stream, type: r.type, actor: r.actor, tool: r.tool, payload: r.payload, at: r.created_at });
    if (r.prev_hash !== prev || r.hash !== expected) return r.id;
    prev = r.hash;
  }
  return null;
}
