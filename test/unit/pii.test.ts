// Personal data masking (issue 14): detection with checksums (Luhn, IBAN mod-97), masks, and masking a
// rendered part by the original offsets so key phrase highlighting is unchanged.
import { describe, expect, it } from 'vitest';
import { findPii, ibanValid, luhnValid, maskPart, maskPii } from '../../src/shared/pii.js';

describe('personal data detection', () => {
  it('checks card numbers with Luhn and IBANs with mod-97', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('378282246310005')).toBe(true); // Amex, 15 digits
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(ibanValid('GB82 WEST 1234 5698 7654 33')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
  });

  it.each([
    ['my card 4242 4242 4242 4242 exp 12/29', 'card', 'my card •••• •••• •••• 4242 (card) exp 12/29'],
    ['card: 4242-4242-4242-4242.', 'card', 'card: •••• •••• •••• 4242 (card).'],
    ['amex 378282246310005 ok', 'card', 'amex •••• •••• •••• 0005 (card) ok'],
    ['his SSN is 123-45-6789!', 'ssn', 'his SSN is •••-••-6789 (SSN)!'],
    ['pay to GB82 WEST 1234 5698 7654 32 now', 'iban', 'pay to GB•• •••• •••• 5432 (IBAN) now'],
    ['mail jane.doe@example.com today', 'email', 'mail j•••@•••.com (e-mail) today'],
    ['call 555-867-5309 tonight', 'phone', 'call ••••••••09 (phone) tonight'],
  ])('masks %s', (text, kind, masked) => {
    const spans = findPii(text);
    expect(spans.map((s) => s.kind)).toEqual([kind]);
    expect(maskPii(text)).toBe(masked);
  });

  it.each([
    'order 4242424242424241 shipped', // fails Luhn
    'timestamp 1764000000018 in the log', // passes Luhn, but no card issuer starts with 1
    'SSN 000-12-3456 is never issued',
    'meet at 10:30, room 12',
    'I scored 1234 points',
  ])('leaves alone: %s', (text) => {
    expect(findPii(text)).toEqual([]);
  });

  it('a card and an SSN in one post are both masked, and a card is not also a phone number', () => {
    const text = 'card 4111 1111 1111 1111 and ssn 078-05-1120';
    expect(findPii(text).map((s) => s.kind)).toEqual(['card', 'ssn']);
    expect(maskPii(text)).toBe('card •••• •••• •••• 1111 (card) and ssn •••-••-1120 (SSN)');
  });
});

describe('masking a rendered part by original offsets', () => {
  const text = 'I will find you, 123-45-6789, card 4242 4242 4242 4242';
  const spans = findPii(text);

  it('splits a part at the data and keeps the rest', () => {
    expect(maskPart(text, 0, spans)).toEqual([
      { text: 'I will find you, ' },
      { text: '•••-••-6789 (SSN)', pii: 'ssn' },
      { text: ', card ' },
      { text: '•••• •••• •••• 4242 (card)', pii: 'card' },
    ]);
  });

  it('data crossing two parts shows its mask once, where it starts', () => {
    const cut = text.indexOf('6789');
    const first = maskPart(text.slice(0, cut), 0, spans);
    const second = maskPart(text.slice(cut), cut, spans);
    expect(first.at(-1)).toEqual({ text: '•••-••-6789 (SSN)', pii: 'ssn' });
    expect(second[0]).toEqual({ text: '', pii: 'ssn' });
    expect([...first, ...second].map((p) => p.text).join('')).toBe(maskPii(text));
  });
});
