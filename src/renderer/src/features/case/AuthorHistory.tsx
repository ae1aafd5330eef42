// The author's other cases (issue 14: "the author's history one key away"). One line near the author says
// what their other cases came to; `h` (or the button) opens the list and moves focus to it, `h` again closes.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CaseView as CaseDto } from '../../lib/contract-types';
import { fmtTime, label } from '../../lib/format';
import { historyLine, summariseAuthorHistory } from '../../lib/author-history';
import { useAction } from '../../lib/keyboard';
import { keysOf } from '../../lib/keymap';
import { UserText } from '../../lib/UserText';
import { useCase } from '../../store/case';

export function AuthorHistory({ c }: { c: CaseDto }) {
  const [open, setOpen] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const summary = useMemo(() => summariseAuthorHistory(c.authorCases), [c.authorCases]);
  // Closed again for the next case; focus follows the list when it opens.
  useEffect(() => setOpen(false), [c.id]);
  useEffect(() => {
    if (open) heading.current?.focus();
  }, [open]);
  useAction('case.authorHistory', () => setOpen((o) => !o));
  return (
    <section className="author-history" aria-label="Author's history" data-testid="author-history">
      <p className="small">
        <span data-testid="author-history-line">{historyLine(summary)}</span>{' '}
        {summary.total > 0 && (
          <button className="link" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="author-history-toggle">
            {open ? 'hide' : 'show'} <kbd>{keysOf('case.authorHistory')}</kbd>
          </button>
        )}
      </p>
      {open && summary.total > 0 && (
        <div className="card inset" data-testid="author-history-list">
          <h3 tabIndex={-1} ref={heading}>
            <UserText identifier text={c.authorId} />’s other cases
          </h3>
          <ul className="plain">
            {c.authorCases.map((o) => (
              <li key={o.id}>
                <button className="link" onClick={() => void useCase.getState().open(o.id)}>
                  <UserText identifier text={o.contentId} />
                </button>{' '}
                <span className="muted">
                  {label(o.status)} · {label(o.violationType)} · {fmtTime(o.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
