import type { KeyPhrase } from '../../lib/contract-types';
import { UserText } from '../../lib/UserText';

/**
 * Moderated content is untrusted: it is only ever rendered as React text children (escaped), never as
 * HTML. Key phrases are highlighted by their offsets; overlapping or out-of-range phrases are skipped.
 */
export function ContentText({ text, phrases }: { text: string; phrases: KeyPhrase[] }) {
  const sorted = [...phrases].filter((p) => p.start < p.end && p.end <= text.length).sort((a, b) => a.start - b.start);
  const parts: Array<{ text: string; phrase?: KeyPhrase }> = [];
  let at = 0;
  for (const p of sorted) {
    if (p.start < at) continue;
    if (p.start > at) parts.push({ text: text.slice(at, p.start) });
    parts.push({ text: text.slice(p.start, p.end), phrase: p });
    at = p.end;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return (
    <UserText as="p" className="content-text" testId="content-text">
      {parts.map((part, i) =>
        part.phrase ? (
          <mark key={i} title={part.phrase.category ? `key phrase: ${part.phrase.category.replace(/_/g, ' ')}` : 'key phrase'} data-category={part.phrase.category}>
            {part.text}
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </UserText>
  );
}
