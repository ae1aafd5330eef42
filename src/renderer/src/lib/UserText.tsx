import type { ReactNode } from 'react';

/** Bidi embedding, override and isolate controls, and the implicit marks (U+061C, U+200E/F, U+202A–E, U+2066–9). */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Text someone else supplied (moderated content, author and content ids, people's ids and names, reasons,
 * notes): isolated from the text around it (`<bdi dir="auto">`, or `dir="auto"` on a block), so a
 * right-to-left override or any other bidi control inside it cannot reorder the interface around it
 * (issue 12). It is still only React text (escaped), never HTML. Text carrying bidi controls is marked
 * (`data-bidi="controls"`, a tooltip), so a moderator can tell a spoofed id from a real one.
 */
export function UserText({ text, as = 'bdi', className, testId, children }: { text?: string | null; as?: 'bdi' | 'p' | 'div'; className?: string; testId?: string; children?: ReactNode }) {
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
      {children ?? value}
    </Tag>
  );
}
