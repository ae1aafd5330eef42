import { useMemo } from 'react';
import { slaView } from '../../../shared/sla';
import { fmtTime } from './format';
import { useNow } from './clock';

// A mark only where it matters (a glyph every font has): "soon" and "overdue" also differ in their words.
const MARK = { ok: '', soon: '⚠ ', overdue: '⚠ ' } as const;

/**
 * A case's SLA countdown ("1h 12m left", "overdue 5m"): amber when due soon, red when overdue, the level
 * also said in words (aria-label, title) and by its mark, not by colour alone. Nothing without a deadline.
 */
export function SlaCountdown({ due, start, className = '' }: { due: string | null | undefined; start?: string | null; className?: string }) {
  const now = useNow();
  // The local time of the deadline once per deadline, not on every tick (toLocaleString is not free).
  const dueText = useMemo(() => fmtTime(due), [due]);
  const v = slaView(due, start, now);
  if (!v) return null;
  return (
    <span
      className={`sla sla-${v.level} ${className}`.trim()}
      data-testid="sla"
      data-sla={v.level}
      role="timer"
      aria-live="off"
      aria-label={v.spoken}
      title={`${v.spoken} (due ${dueText})`}
    >
      {MARK[v.level] && <span aria-hidden="true">{MARK[v.level]}</span>}
      {v.text}
    </span>
  );
}
