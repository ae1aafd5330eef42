// Content in a category the person opted out of seeing at once (issue 15): blurred, named, and revealed
// with one key (v) or the button. The reveal is recorded in the audit first; the text is shown only once
// the database answered, so offline it stays blurred and says it needs the server.
import type { ReactNode } from 'react';
import { useAction } from '../../lib/keyboard';
import { blurLabel, type SensitiveCategory } from '../../lib/wellbeing';
import { useCase } from '../../store/case';
import { useWellbeing } from '../../store/wellbeing';

export function BlurGate({ caseId, categories, children }: { caseId: string; categories: SensitiveCategory[]; children: ReactNode }) {
  const { revealed, revealing, revealError, reveal } = useWellbeing();
  const blurred = categories.length > 0 && revealed !== caseId;
  // Read again once recorded, so the case's timeline shows the reveal at once.
  const doReveal = () => void reveal(caseId, categories[0]!).then((ok) => (ok ? useCase.getState().refresh() : undefined));

  // The key is the action table's (lib/keymap.ts: case.reveal, v), so the help sheet and palette list it.
  useAction('case.reveal', doReveal, () => (revealing ? 'the reveal is being recorded' : true), blurred);

  if (!blurred) return <>{children}</>;
  return (
    <div className="blur-gate" data-testid="blur-gate" data-categories={categories.join(' ')}>
      <div className="blur-label" role="group" aria-label="Hidden content">
        <strong data-testid="blur-label">{blurLabel(categories)}</strong>
        <span className="muted small">You chose not to see this at once. Revealing it is recorded in the audit.</span>
        <button onClick={doReveal} disabled={revealing} data-testid="reveal">
          Reveal <kbd>v</kbd>
        </button>
        {revealError && (
          <span className="error small" role="alert" data-testid="reveal-error">
            {revealError.message}
          </span>
        )}
      </div>
      {/* Hidden from screen readers too: the label says what it is, the reveal is the way in. */}
      <div className="blurred" aria-hidden="true" data-testid="blurred-content">
        {children}
      </div>
    </div>
  );
}
