import type { AuditEvent } from '../../lib/contract-types';

/** One readable line per payload field of an event ("text: seen before"), nested values as compact JSON. */
export function auditDetail(e: AuditEvent): Array<[string, string]> {
  return Object.entries(e.payload as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
}

/** The short id the audit list shows for a case (its first 8 hex digits); the case filter takes it back. */
export const shortCaseId = (id: string) => id.slice(0, 8);
