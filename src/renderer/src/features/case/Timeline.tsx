import type { AuditEvent } from '../../lib/contract-types';
import { fmtTime, noteText } from '../../lib/format';
import { UserText } from '../../lib/UserText';

/** One line of human-readable detail from an audit payload. */
export function describeEvent(e: AuditEvent): string {
  const p = e.payload as Record<string, unknown>;
  const bits: string[] = [];
  for (const k of ['decision', 'outcome', 'kind', 'status', 'level', 'reviewKind', 'verdict', 'reason', 'error', 'category']) {
    const v = p[k];
    if (v !== undefined && v !== null && typeof v !== 'object') bits.push(`${k}: ${String(v)}`);
  }
  return bits.join(' · ');
}

export function Timeline({ events }: { events: AuditEvent[] }) {
  return (
    <ol className="timeline" aria-label="Timeline">
      {events.map((e) => (
        <li key={e.id} data-testid="timeline-event" data-type={e.type}>
          <span className={`tl-type tl-${e.type.split('.')[0]}`}>{e.type}</span>
          <UserText identifier className="tl-actor" text={e.actor} />
          <span className="muted">via {e.tool}</span>
          <time className="muted" dateTime={e.at}>
            {fmtTime(e.at)}
          </time>
          <UserText as="div" className="tl-detail" text={describeEvent(e)} />
          {noteText(e) !== undefined && <UserText as="div" className="tl-note" testId="timeline-note" text={noteText(e)!} />}
        </li>
      ))}
    </ol>
  );
}
