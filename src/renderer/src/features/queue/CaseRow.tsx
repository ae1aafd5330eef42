import type { CaseSummary, OutboxEntry } from '../../lib/contract-types';
import { label, waitingFor } from '../../lib/format';
import { claimActive } from '../../../../shared/permissions';
import { UserText } from '../../lib/UserText';
import { commandNote } from '../../lib/command-note';
import { blurLabel, blurredCategories, sensitiveCategoriesOf } from '../../lib/wellbeing';
import { useWellbeing } from '../../store/wellbeing';
import { SlaCountdown } from '../../lib/SlaCountdown';
import { PresenceBadges } from '../presence/PresenceBadges';
import { maskPreview } from '../../../../shared/pii';

/** `mine`: the user's latest outbox command on this case, shown so cached (stale) rows say what is on its way. */
/** `bulk`: a supervisor's checkbox for bulk actions (issue 14); outside the tab order — `s` toggles it from the keyboard. */
export function CaseRow({ c, selected, open, onOpen, mine, bulk }: {
  c: CaseSummary; selected: boolean; open: boolean; onOpen(): void; mine?: OutboxEntry; bulk?: { checked: boolean; toggle(): void };
}) {
  const claimed = claimActive(c);
  const note = mine ? commandNote(mine, c) : undefined;
  // An opted-out category's preview is not shown in the list either (issue 15); the case view reveals it.
  const hidden = useWellbeing((w) => w.settings?.hiddenCategories);
  const blurred = blurredCategories(sensitiveCategoriesOf(c), hidden ?? []);
  return (
    <div
      role="option"
      id={`case-${c.id}`}
      aria-selected={selected}
      data-testid="case-row"
      data-content-id={c.contentId}
      className={`row${selected ? ' selected' : ''}${open ? ' open' : ''}`}
      onClick={onOpen}
    >
      <div className="row-top">
        {bulk && (
          <input
            type="checkbox"
            className="row-check"
            tabIndex={-1}
            data-testid="row-check"
            aria-label={`select ${c.contentId} for a bulk action`}
            checked={bulk.checked}
            onClick={(e) => e.stopPropagation()}
            onChange={bulk.toggle}
          />
        )}
        {c.priority === 'urgent' && <span className="badge urgent">urgent</span>}
        {c.level >= 2 && <span className="badge level2">L{c.level}{c.reviewKind ? ` ${c.reviewKind}` : ''}</span>}
        <UserText identifier className="content-id" text={c.contentId} />
        <span className={`badge sev-${c.severity ?? 'none'}`}>{label(c.severity)}</span>
        <span className="muted">{label(c.violationType)}</span>
        <span className="spacer" />
        {c.status === 'awaiting_review' && <SlaCountdown due={c.slaDueAt} start={c.createdAt} />}
        <span className="muted" title={`created ${c.createdAt}`}>{waitingFor(c.createdAt)}</span>
      </div>
      <div className="row-bottom">
        {blurred.length > 0 ? (
          <span className="preview muted" data-testid="preview-hidden">
            {blurLabel(blurred)} — open the case to reveal it
          </span>
        ) : (
          // Personal data is masked in the list; the case view reveals it (audited).
          <UserText className="preview" text={maskPreview(c.textPreview)} />
        )}
      </div>
      <div className="row-meta">
        <span className={`status st-${c.status}`} data-testid="row-status">{label(c.status)}</span>
        <span className="muted">by <UserText identifier text={c.authorId} /></span>
        {claimed && (
          <span className="claim" data-testid="row-claim">
            claimed by <UserText identifier text={c.claimedBy} />
          </span>
        )}
        <PresenceBadges caseId={c.id} compact />
        {note && mine && (
          <span className="row-command" data-testid="row-command" data-state={mine.state} title={mine.summary}>
            your {note.what}: <span className={`ostate os-${note.superseded ? 'superseded' : mine.state}`}>{note.state}</span>
          </span>
        )}
      </div>
    </div>
  );
}
