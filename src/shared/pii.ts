// Personal data in moderated content (issue 14: "card numbers, SSNs shown unmasked"). Pure (no Node
// APIs), so the renderer masks at render time with the same detection the tests prove. The e-mail and
// phone patterns are the rules classifier's (resources/policy.json, personal_data); card numbers are
// checked with Luhn (and an issuer prefix) and IBANs with ISO 13616 mod-97, so ordinary long numbers (order ids, timestamps)
// stay visible. Offsets are into the original text: key phrase highlighting keeps working on it and
// only the rendered characters are replaced.

export type PiiKind = 'card' | 'ssn' | 'iban' | 'email' | 'phone';

export interface PiiSpan {
  kind: PiiKind;
  start: number;
  end: number;
  /** What is shown instead, e.g. "•••• •••• •••• 4242 (card)". */
  mask: string;
}

export const PII_LABEL: Record<PiiKind, string> = { card: 'card', ssn: 'SSN', iban: 'IBAN', email: 'e-mail', phone: 'phone' };

const digitsOf = (s: string) => s.replace(/\D/g, '');

/** The Luhn (mod 10) check of a card number's digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 13616 IBAN check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])/g;
const SSN = /(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])/g;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;
const EMAIL = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g;
const PHONE = /(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{3,4}[\s.-]?\d{3,4}(?!\w)/g;

const dots = (n: number) => '•'.repeat(Math.max(0, n));

function maskOf(kind: PiiKind, raw: string): string {
  const d = digitsOf(raw);
  switch (kind) {
    case 'card': {
      const last = d.slice(-4);
      const groups = Math.ceil((d.length - 4) / 4);
      return `${Array.from({ length: groups }, () => '••••').join(' ')} ${last} (card)`;
    }
    case 'ssn':
      return `•••-••-${d.slice(-4)} (SSN)`;
    case 'iban': {
      const s = raw.replace(/\s/g, '');
      return `${s.slice(0, 2)}•• ${dots(4)} ${dots(4)} ${s.slice(-4)} (IBAN)`;
    }
    case 'email': {
      const [local = '', domain = ''] = raw.split('@');
      const tld = domain.slice(domain.lastIndexOf('.'));
      return `${local.slice(0, 1)}•••@•••${tld} (e-mail)`;
    }
    case 'phone':
      return `${dots(Math.max(3, d.length - 2))}${d.slice(-2)} (phone)`;
  }
}

/**
 * The personal data in `text`, in order, not overlapping (the more specific kind wins: a Luhn-valid
 * card number is not also a phone number).
 */
export function findPii(text: string): PiiSpan[] {
  const found: PiiSpan[] = [];
  const taken = (s: number, e: number) => found.some((f) => s < f.end && f.start < e);
  const scan = (kind: PiiKind, re: RegExp, ok: (m: string) => boolean = () => true) => {
    for (const m of text.matchAll(re)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      if (!ok(m[0]) || taken(start, end)) continue;
      found.push({ kind, start, end, mask: maskOf(kind, m[0]) });
    }
  };
  scan('card', CARD, (m) => {
    const d = digitsOf(m);
    // Issuer prefixes start 2-6 (Mastercard 2/5, Amex/Diners 3, Visa 4, Discover 6).
    return d.length >= 13 && d.length <= 19 && /^[2-6]/.test(d) && luhnValid(d);
  });
  scan('iban', IBAN, ibanValid);
  scan('ssn', SSN);
  scan('email', EMAIL);
  scan('phone', PHONE, (m) => digitsOf(m).length >= 7);
  return found.sort((a, b) => a.start - b.start);
}

/** The text with every piece of personal data replaced by its mask (previews, titles). */
export function maskPii(text: string, spans: readonly PiiSpan[] = findPii(text)): string {
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + s.mask;
    at = s.end;
  }
  return out + text.slice(at);
}

export interface MaskedPiece {
  text: string;
  /** Set when this piece stands for personal data (its text is then the mask, or '' for a continuation). */
  pii?: PiiKind;
}

/**
 * Masks one rendered part of the text that starts at `offset` (e.g. a highlighted key phrase): the part
 * is split at personal-data boundaries. Data crossing parts shows its whole mask where it starts and
 * nothing in the parts after, so highlighting by the original offsets is unchanged.
 */
export function maskPart(partText: string, offset: number, spans: readonly PiiSpan[]): MaskedPiece[] {
  const end = offset + partText.length;
  const pieces: MaskedPiece[] = [];
  let at = offset;
  for (const s of spans) {
    if (s.end <= offset || s.start >= end) continue;
    if (s.start > at) pieces.push({ text: partText.slice(at - offset, s.start - offset) });
    pieces.push({ text: s.start >= offset ? s.mask : '', pii: s.kind });
    at = Math.min(s.end, end);
  }
  if (at < end) pieces.push({ text: partText.slice(at - offset) });
  return pieces;
}

/**
 * A list preview: its text may be cut mid-number, so besides the data found, any remaining run of nine or
 * more digits (spaces/dashes between) is masked too — a cut card number is no longer Luhn-valid.
 */
export function maskPreview(text: string): string {
  return maskPii(text).replace(/\d(?:[ -]?\d){8,}/g, (m) => `${'•'.repeat(4)} (number)`);
}
