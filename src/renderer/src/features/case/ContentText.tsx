import { useState } from 'react';
import type { KeyPhrase } from '../../lib/contract-types';
import { highlightParts } from '../../lib/highlight';
import { UserText } from '../../lib/UserText';

/** Longer content is shown collapsed, so the decision form stays in reach (issue 14: a 20,000-character post). */
export const COLLAPSE_FROM_CHARS = 1_200;

/**
 * Moderated content is untrusted: it is only ever rendered as React text children (escaped), never as
 * HTML. Every key phrase is highlighted by its offsets; overlapping ones share one mark. Long content is
 * collapsed to its first lines with "Show all"; the count says how much is hidden and how many
 * highlighted phrases are in it.
 */
export function ContentText({ text, phrases }: { text: string; phrases: KeyPhrase[] }) {
  const parts = highlightParts(text, phrases);
  const long = text.length >= COLLAPSE_FROM_CHARS;
  const [expanded, setExpanded] = useState(false);
  const collapsed = long && !expanded;
  const body = (
    <UserText as="p" className={`content-text${collapsed ? ' collapsed' : ''}`} testId="content-text">
      {parts.map((part, i) =>
        part.categories ? (
          <mark
            key={i}
            title={part.categories.length ? `key phrase: ${part.categories.map((c) => c.replace(/_/g, ' ')).join(', ')}` : 'key phrase'}
            data-category={part.categories.join(' ') || undefined}
          >
            {part.text}
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </UserText>
  );
  if (!long) return body;
  const marks = parts.filter((p) => p.categories).length;
  return (
    <div className="content-long">
      {body}
      <button type="button" aria-expanded={expanded} data-testid="content-toggle" onClick={() => setExpanded((v) => !v)}>
        {expanded ? 'Show less' : `Show all (${text.length.toLocaleString('en')} characters${marks ? `, ${marks} highlighted` : ''})`}
      </button>
    </div>
  );
}
