import type { ReactNode } from 'react';

/** Bidi embedding, override and isolate controls, and the implicit marks (U+061C, U+200E/F, U+202A–E, U+2066–9). */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const BIDI_CONTROLS_ALL = new RegExp(BIDI_CONTROLS.source, 'g');
const NAMES: Record<string, string> = {
  '\u061c': 'ALM', '\u200e': 'LRM', '\u200f': 'RLM', '\u202a': 'LRE', '\u202b': 'RLE', '\u202c': 'PDF', '\u202d': 'LRO',
  '\u202e': 'RLO', '\u2066': 'LRI', '\u2067': 'RLI', '\u2068': 'FSI', '\u2069': 'PDI',
};

/** An identifier with its bidi controls made visible (⟨RLO⟩): an id has no business reordering itself. */
export const revealBidi = (s: string) => s.replace(BIDI_CONTROLS_ALL, (c) => `⟨${NAMES[c] ?? 'BIDI'}⟩`);

/**
 * Text someone else supplied (moderated content, author and content ids, people's ids and names, reasons,
 * notes): isolated from the text around it (`<bdi dir="auto">`, or `dir="auto"` on a block), so a
 * right-to-left override or any other bidi control inside it cannot reorder the interface around it
 * (issue 12). It is still only React text (escaped), never HTML. Text carrying bidi controls is marked
 * (`data-bidi="controls"`, a tooltip); in an identifier (`identifier`: content, author and people's ids) the
 * controls are shown, not obeyed (`⟨RLO⟩`), so "author-\u202enimda" never reads as "author-admin".
 */
export function UserText({
  text,
  as = 'bdi',
  identifier = false,
  className,
  testId,
  children,
}: {
  text?: string | null;
  as?: 'bdi' | 'p' | 'div';
  identifier?: boolean;
  className?: string;
  testId?: string;
  children?: ReactNode;
}) {
  const value = text ?? '';
  const marked = BIDI_CONTROLS.test(value);
  const Tag = as;
  return (
    <Tag
      dir="auto"
      className={className ? `user-text ${className}` : 'user-text'}
      data-testid={testId}
      data-bidi={marked ? 'controls' : undefined}
      title={marked ? 'Contains invisible text-direction controls' : undefined}
    >
      {children ?? (identifier && marked ? revealBidi(value) : value)}
    </Tag>
  );
}
