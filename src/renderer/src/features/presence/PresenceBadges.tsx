import type { PresenceEntry } from '../../lib/contract-types';
import { UserText } from '../../lib/UserText';
import { usePresenceOf } from '../../store/presence';
import { useSession } from '../../store/session';

const verb = (e: PresenceEntry) => (e.state === 'typing' ? 'typing a decision' : 'viewing');

/** Who else is on a case: compact chips on a queue row, a sentence in the case view. */
export function PresenceBadges({ caseId, compact = false }: { caseId: string; compact?: boolean }) {
  const others = usePresenceOf(caseId);
  const moderators = useSession((s) => s.moderators);
  if (others.length === 0) return null;
  const name = (id: string) => moderators.find((m) => m.id === id)?.displayName ?? id;
  return (
    <span className={`presence${compact ? ' compact' : ''}`} data-testid="presence" role="status" aria-live="polite">
      {!compact && <span className="muted">Also here: </span>}
      {others.map((e) => (
        <span key={e.personId} className={`presence-chip ps-${e.state}`} data-testid="presence-person" data-person={e.personId} data-state={e.state} title={`${name(e.personId)} is ${verb(e)}`}>
          <span className="presence-dot" aria-hidden="true" />
          <UserText identifier text={name(e.personId)} />
          <span className="presence-state">{compact ? (e.state === 'typing' ? ' ✎' : '') : ` — ${verb(e)}`}</span>
          <span className="sr-only">{compact ? ` ${verb(e)}` : ''}</span>
        </span>
      ))}
    </span>
  );
}
