import type { AuditEvent } from '../../lib/contract-types';
import { csvCell } from '../../../../shared/csv';

export const AUDIT_COLUMNS = ['id', 'at', 'caseId', 'type', 'actor', 'tool', 'payload'] as const;

export function auditRows(events: AuditEvent[]): string[][] {
  return events.map((e) => [String(e.id), e.at, e.caseId ?? '', e.type, e.actor, e.tool, JSON.stringify(e.payload)]);
}

export function toCsv(events: AuditEvent[]): string {
  // The header unquoted, every cell quoted (as before), formulas neutralised (content is untrusted).
  return [AUDIT_COLUMNS.join(','), ...auditRows(events).map((r) => r.map((v) => csvCell(v, 'always')).join(','))].join('\r\n') + '\r\n';
}

export function toJson(events: AuditEvent[]): string {
  return JSON.stringify(events, null, 2);
}

export function download(name: string, type: string, body: string) {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
