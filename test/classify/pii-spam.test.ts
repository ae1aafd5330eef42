// Personal data with no e-mail or US-style number (UK mobiles, street addresses, IP addresses) and
// short spam without a link (drug sales, bought followers): flagged, with their everyday look-alikes not.
import { describe, expect, it } from 'vitest';
import { createRulesClassifier } from '../../src/core/classify/rules.js';

const rules = createRulesClassifier();
const classify = (text: string) => rules.classify({ caseId: 'c', contentId: 'x', authorId: 'a', text });

describe('rules classifier: personal data and short spam', () => {
  it.each([
    ['personal_data', 'message her on 07812 345678 and make her life hell'],
    ['personal_data', 'his number is +44 7911 654321, go on'],
    ['personal_data', 'the teacher lives at 9 Birch Lane, give him a surprise'],
    ['personal_data', 'her ip is 81.2.69.160 lol'],
    ['spam', 'Cheap Xanax online, next day delivery'],
    ['spam', 'buying real instagram followers? 5k for $10'],
  ])('flags %s: %s', async (label, text) => {
    const r = await classify(text);
    expect(r.violationType).toBe(label);
    expect(r.verdict).not.toBe('ok');
  });

  it.each([
    'the bus stops at 14 Station Road every ten minutes',
    'set the DNS server to 8.8.8.8 and restart',
    'I finally reached 1000 followers, thank you all!',
    'the pharmacy said my prescription is ready',
  ])('leaves clean: %s', async (text) => {
    expect((await classify(text)).violationType).toBe('ok');
  });
});
