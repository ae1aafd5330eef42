import type { AuditEvent } from '../../shared/domain.js';
import type { Queryable } from './db.js';

// Audit events are written only by the database's functions (private.append_audit, which also computes
// the hash chain); this file reads them. Verification: src/core/audit/verify.ts.

/** JSON with sorted keys (the simulator's stored bodies; the version-1 audit hashes, see audit/verify.ts). */
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
