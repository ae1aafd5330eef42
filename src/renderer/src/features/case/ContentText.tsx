import { useMemo, useState, type ReactNode } from 'react';
import type { KeyPhrase } from '../../lib/contract-types';
import { highlightParts } from '../../lib/highlight';
import { UserText } from '../../lib/UserText';
import { findPii, maskPart, PII_LABEL, type PiiKind, type PiiSpan } from '../../../../shared/pii';
import { useCase } from '../../store/case';
import { useWellbeing } from '../../store/wellbeing';

/** Longer content is shown collapsed, so the decision form stays in reach (issue 14: a 20,000-character post). */
export const COLLAPSE_FROM_CHARS = 1_200;

/**
 * Moderated content is untrusted: it is only ever rendered as React text children (escaped), never as
 * HTML. Every key phrase is highlighted by its offsets; overlapping ones share one mark. Long content is
 * collapsed to its first lines with "Show all"; the count says how much is hidden and how many
 * highlighted phrases are in it. Personal data (card numbers, SSNs, IBANs, e-mail addresses, phone numbers;
 * shared/pii.ts) is masked at render time, per part, so highlighting keeps the original offsets; "Show
 * personal data" records the reveal in the audit (api.record_reveal, 'personal_data') before it shows it.
 */
export function ContentText({ caseId, text, phrases }: { caseId?: string; text: string; phrases: KeyPhrase[] }) {
  const parts = highlightParts(text, phrases);
  const pii = useMemo(() => findPii(text), [text]);
  const { personalRevealed, revealing, revealError, reveal } = useWellbeing();
  const masked = pii.length > 0 && (!caseId || personalRevealed !== caseId);
  const offsets: number[] = [];
  parts.reduce((at, p) => (offsets.push(at), at + p.text.length), 0);
  const render = (partText: string, i: number): ReactNode => (masked ? maskedNodes(partText, offsets[i]!, pii) : partText);
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
            {render(part.text, i)}
          </mark>
        ) : (
          <span key={i}>{render(part.text, i)}</span>
        ),
      )}
    </UserText>
  );
  const doReveal = () => void (caseId && reveal(caseId, 'personal_data').then((ok) => (ok ? useCase.getState().refresh() : undefined)));
  const piiBar = pii.length > 0 && (
    <div className="pii-bar small" role="group" aria-label="Personal data" data-testid="pii-bar">
      {masked ? (
        <>
          <span className="muted" data-testid="pii-summary">Personal data masked: {piiSummary(pii)}.</span>
          {caseId && (
            <button type="button" onClick={doReveal} disabled={revealing} data-testid="pii-reveal" title="Revealing it is recorded in the audit">
              Show personal data
            </button>
          )}
          {revealError && (
            <span className="error small" role="alert" data-testid="pii-reveal-error">
              {revealError.message}
            </span>
          )}
        </>
      ) : (
        <span className="muted" data-testid="pii-revealed">Personal data shown (your reveal is recorded in the audit).</span>
      )}
    </div>
  );
  if (!long) return piiBar ? (<>{piiBar}{body}</>) : body;
  const marks = parts.filter((p) => p.categories).length;
  return (
    <div className="content-long">
      {piiBar}
      {body}
      <button type="button" aria-expanded={expanded} data-testid="content-toggle" onClick={() => setExpanded((v) => !v)}>
        {expanded ? 'Show less' : `Show all (${text.length.toLocaleString('en')} characters${marks ? `, ${marks} highlighted` : ''})`}
      </button>
    </div>
  );
}

function maskedNodes(partText: string, offset: number, spans: readonly PiiSpan[]): ReactNode {
  return maskPart(partText, offset, spans).map((piece, j) =>
    piece.pii ? (
      piece.text && (
        <span key={j} className="pii-mask" data-testid="pii-mask" data-kind={piece.pii} title={`${PII_LABEL[piece.pii]} (masked)`}>
          {piece.text}
        </span>
      )
    ) : (
      piece.text
    ),
  );
}

function piiSummary(spans: readonly PiiSpan[]): string {
  const counts = new Map<PiiKind, number>();
  for (const s of spans) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${PII_LABEL[k]}${n > 1 ? (k === 'email' ? ' addresses' : 's') : ''}`).join(', ');
}
