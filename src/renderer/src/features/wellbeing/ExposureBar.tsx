// This session's exposure (issue 15): how many cases in sensitive categories the person opened, shown
// quietly in the header, and a break suggestion from the configured point on, which they can dismiss.
import { breakDue, effectiveBreakAfter } from '../../lib/wellbeing';
import { useWellbeing } from '../../store/wellbeing';

export function ExposureCount() {
  const n = useWellbeing((s) => s.exposure.opened.length);
  if (n === 0) return null;
  return (
    <span className="exposure muted small" data-testid="exposure-count" title="Cases in sensitive categories (violence, self-harm, sexual, hate) you opened this session">
      {n} sensitive this session
    </span>
  );
}

export function BreakSuggestion() {
  const { exposure, settings, dismissBreak } = useWellbeing();
  const point = settings ? effectiveBreakAfter(settings) : 0;
  if (!breakDue(exposure, point)) return null;
  return (
    <div className="notice notice-info break-suggestion" role="status" data-testid="break-suggestion">
      <span>
        You have opened <strong>{exposure.opened.length}</strong> cases in sensitive categories this session. Consider a short break away from the
        screen.
      </span>
      <button className="ghost small" onClick={dismissBreak} data-testid="dismiss-break">
        Dismiss
      </button>
    </div>
  );
}
