import type { AuditEvent } from '../../shared/domain.js';
import { invalidInput } from '../errors.js';
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

/** What the audit list filters by (the contract's AuditQuery; `guardian audit`). */
export interface AuditFilter {
  /** A case id: the whole UUID, or its first 4+ hex digits (the audit view shows the first 8). */
  caseId?: string;
  /** The platform's content id of a case (cases.content_id). */
  contentId?: string;
  actor?: string;
  type?: string;
  from?: string;
  to?: string;
  limit?: number;
  /** Default oldest first (chain order: `guardian audit`, a case's timeline); the audit view asks newest. */
  order?: 'newest' | 'oldest';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Where a UUID's text has its dashes, as offsets into its 32 hex digits. */
const DASHES = [8, 12, 16, 20];
const MIN_PREFIX = 4;

const asUuid = (hex32: string) => `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20)}`.toLowerCase();

/** The 32 hex digits a prefix stands for, or undefined when it is no UUID prefix (dashes only where a UUID has them). */
function prefixDigits(s: string): string | undefined {
  if (!/^[0-9a-f-]+$/i.test(s)) return undefined;
  let digits = '';
  for (const ch of s) {
    if (ch === '-') {
      if (!DASHES.includes(digits.length)) return undefined;
    } else digits += ch;
  }
  return digits.length <= 32 ? digits : undefined;
}

/** How a case filter was resolved: one case, or none (a valid id or content id no case has). */
export type CaseResolution = { caseId: string; contentId: string | null } | { caseId: null };

/**
 * A case filter as people type it: a full UUID, the short id the audit view shows (a prefix of 4+ hex
 * digits, resolved as a range scan of the cases' primary key), or, with `contentId`, the platform's
 * content id. A prefix two cases share is refused (invalid_input, the matches in details), never guessed.
 */
export async function resolveCase(q: Queryable, f: { caseId?: string; contentId?: string }): Promise<CaseResolution | undefined> {
  const caseText = f.caseId?.trim();
  const contentText = f.contentId?.trim();
  let caseId: string | null | undefined;
  if (caseText) {
    if (UUID.test(caseText)) caseId = caseText.toLowerCase();
    else {
      const digits = prefixDigits(caseText);
      if (digits === undefined || digits.length < MIN_PREFIX)
        throw invalidInput(`caseId: "${caseText.slice(0, 40)}" is not a case id: give the whole id or at least its first ${MIN_PREFIX} hex digits`, {
          field: 'caseId',
        });
      const lo = asUuid(digits.padEnd(32, '0'));
      const hi = asUuid(digits.padEnd(32, 'f'));
      const { rows } = await q.query<{ id: string }>('SELECT id FROM cases WHERE id BETWEEN $1 AND $2 ORDER BY id LIMIT 11', [lo, hi]);
      if (rows.length > 1)
        throw invalidInput(
          `caseId: "${caseText}" is the start of ${rows.length > 10 ? 'more than 10' : rows.length} cases' ids: type more of it (${rows
            .slice(0, 3)
            .map((r) => r.id.slice(0, 13))
            .join(', ')}${rows.length > 3 ? ', …' : ''})`,
          { field: 'caseId', reason: 'ambiguous', matches: rows.slice(0, 10).map((r) => r.id) },
        );
      caseId = rows[0]?.id ?? null;
    }
  }
  if (contentText) {
    const { rows } = await q.query<{ id: string }>('SELECT id FROM cases WHERE content_id = $1', [contentText]);
    const byContent = rows[0]?.id ?? null;
    // Both given: the same case, or no case at all.
    caseId = caseId === undefined || caseId === byContent ? byContent : null;
    return caseId ? { caseId, contentId: contentText } : { caseId: null };
  }
  if (caseId === undefined) return undefined;
  return caseId ? { caseId, contentId: null } : { caseId: null };
}

function instant(field: 'from' | 'to', v: string | undefined): string | undefined {
  const s = v?.trim();
  if (!s) return undefined;
  const t = Date.parse(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(t)) throw invalidInput(`${field}: "${s.slice(0, 40)}" is not a date and time (ISO 8601, e.g. 2026-01-31T00:00:00Z)`, { field });
  return new Date(t).toISOString();
}

export async function queryAudit(q: Queryable, f: AuditFilter): Promise<AuditEvent[]> {
  const from = instant('from', f.from);
  const to = instant('to', f.to);
  if (from && to && from > to) throw invalidInput(`from: ${from} is after to (${to})`, { field: 'from' });
  if (f.order !== undefined && f.order !== 'newest' && f.order !== 'oldest') throw invalidInput('order: "newest" or "oldest"', { field: 'order' });
  const limit = f.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1) throw invalidInput('limit: a whole number of at least 1', { field: 'limit' });
  const resolved = await resolveCase(q, f);
  if (resolved && resolved.caseId === null) return [];
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (resolved) add('case_id = ?', resolved.caseId);
  if (f.actor?.trim()) add('actor = ?', f.actor.trim());
  if (f.type?.trim()) add('type = ?', f.type.trim());
  if (from) add('created_at >= ?', from);
  if (to) add('created_at <= ?', to);
  params.push(Math.min(limit, 10_000));
  const { rows } = await q.query<AuditRow>(
    `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY id ${f.order === 'newest' ? 'DESC' : ''} LIMIT $${params.length}`,
    params,
  );
  return rows.map(toEvent);
}

/** The event and case a verification problem points at (the stream names the case when the event is gone). */
export async function describeAuditEvent(q: Queryable, eventId: number | null, stream: string): Promise<{ caseId: string | null; type: string | null }> {
  const fromStream = stream.startsWith('case:') ? stream.slice(5) : null;
  if (eventId === null) return { caseId: fromStream, type: null };
  const { rows } = await q.query<{ case_id: string | null; type: string }>('SELECT case_id, type FROM audit_events WHERE id = $1', [eventId]);
  return rows[0] ? { caseId: rows[0].case_id, type: rows[0].type } : { caseId: fromStream, type: null };
}
