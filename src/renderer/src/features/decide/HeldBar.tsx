// The undo window's bar (store/held.ts): the decision waiting to be sent, a countdown, Undo (z) and
// Send now; then how the send went. It says plainly that closing the app during the window cancels it.
import { useEffect, useState } from 'react';
import { humanizeMessage, label } from '../../lib/format';
import { keysOf } from '../../lib/keymap';
import { heldLabel, useCase } from '../../store/case';
import { useHeld } from '../../store/held';
import { useQueue } from '../../store/queue';
import { useUi } from '../../store/ui';
import { UserText } from '../../lib/UserText';

export function HeldBar() {
  const { held, sent, undo, flush, dismissSent } = useHeld();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!held) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [held]);
  // A delivered decision's line goes by itself after a while; a refused one stays until dismissed.
  useEffect(() => {
    if (!sent?.result.ok) return;
    const t = setTimeout(() => useHeld.getState().dismissSent(), 10_000);
    return () => clearTimeout(t);
  }, [sent]);
  const openCase = (caseId: string) => {
    useUi.getState().setView('queue');
    useQueue.getState().select(caseId);
    void useCase.getState().open(caseId);
  };
  if (held) {
    const left = Math.max(0, Math.ceil((held.dueAt - now) / 1000));
    return (
      <div className="held-bar" role="status" aria-live="polite" data-testid="held-bar" data-case-id={held.caseId}>
        <span>
          <strong>{label(heldLabel(held.decision))}</strong> on <UserText identifier text={held.contentId} /> is sent in{' '}
          <span data-testid="held-seconds">{left}</span> s.{' '}
          <span className="muted small">Closing the app before then cancels it (it is not sent).</span>
        </span>
        <button className="primary" onClick={() => undo()} aria-keyshortcuts={keysOf('decide.undo')}>
          Undo <kbd>{keysOf('decide.undo')}</kbd>
        </button>
        <button onClick={() => void flush()}>Send now</button>
      </div>
    );
  }
  if (!sent) return null;
  const r = sent.result;
  const text = r.ok
    ? r.value.status === 'pending'
      ? 'saved in the outbox — it will be delivered once the servers can be reached'
      : r.value.duplicate
        ? 'already recorded'
        : r.value.status
    : humanizeMessage(r.error.message);
  return (
    <div className={`held-bar ${r.ok ? '' : 'held-failed'}`} role={r.ok ? 'status' : 'alert'} data-testid="held-sent" data-ok={r.ok ? 'true' : 'false'}>
      <span>
        <strong>{label(sent.label)}</strong> on <UserText identifier text={sent.contentId} />: {text}
      </span>
      {!r.ok && (
        <button onClick={() => openCase(sent.caseId)}>Open the case</button>
      )}
      <button className="ghost small" onClick={dismissSent} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
