import { useState } from 'react';
import type { CaseView } from '../../lib/contract-types';
import { fmtTime, label } from '../../lib/format';
import { UserText } from '../../lib/UserText';
import { useDraft, type Draft } from '../../store/draft';

/** Someone else decided the review you were writing a decision for: who decided what, and your draft, kept. */
export function DecidedElsewhere({ c, draft }: { c: CaseView; draft: Draft }) {
  const clear = useDraft((s) => s.clear);
  const [copied, setCopied] = useState(false);
  const d = c.lastDecision!;
  return (
    <section className="card decided-elsewhere" role="status" aria-label="Decided by someone else" data-testid="decided-elsewhere">
      <p className="notice notice-warn">
        <strong>
          <UserText identifier text={d.actor} />
        </strong>{' '}
        decided this case while you were writing: <strong>{label(d.decision)}</strong> at {fmtTime(d.at)} — “<UserText text={d.reason} />”. Nothing of
        yours was sent.
      </p>
      <h4>Your draft (kept)</h4>
      <dl className="facts" data-testid="kept-draft">
        <dt>Decision</dt>
        <dd>{draft.choice ? label(draft.choice) : '—'}</dd>
        <dt>Reason</dt>
        <dd>
          <UserText text={draft.reason || '—'} />
        </dd>
      </dl>
      <div className="row-actions">
        {draft.reason && (
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard?.writeText(draft.reason).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? 'Copied' : 'Copy my reason'}
          </button>
        )}
        <button type="button" onClick={() => clear(c.id)}>
          Dismiss
        </button>
      </div>
    </section>
  );
}
