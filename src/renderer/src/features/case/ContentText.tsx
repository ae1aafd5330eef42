import type { KeyPhrase } from '../../lib/contract-types';
import { highlightParts } from '../../lib/highlight';
import { UserText } from '../../lib/UserText';

/**
 * Moderated content is untrusted: it is only ever rendered as React text children (escaped), never as
 * HTML. Every key phrase is highlighted by its offsets; overlapping ones share one mark.
 */
export function ContentText({ text, phrases }: { text: string; phrases: KeyPhrase[] }) {
  const parts = highlightParts(text, phrases);
  return (
    <UserText as="p" className="content-text" testId="content-text">
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
}
