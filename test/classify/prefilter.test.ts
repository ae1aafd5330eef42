// The cheap word gate in front of the sentence analysis (frames.ts) must never keep out a text that a
// phrase list could flag: it is derived from the lists, and this checks it stays so.
import { describe, expect, it } from 'vitest';
import { analyzeFrames, gateWordsOf, mayMatter, prefilter } from '../../src/core/classify/frames.js';

/** The phrase with one member of each of its needs (what a text must hold for the finding). */
const witness = (r: (typeof prefilter.rules)[number]) => [r.phrase, ...r.needs.map((n) => [...n][0]!)].join(' ');

describe('sentence-analysis prefilter', () => {
  it('lets through every phrase that can raise a finding on its own (with what else it needs)', () => {
    expect(prefilter.rules.length).toBeGreaterThan(50);
    const blocked = prefilter.rules.filter((r) => !mayMatter(witness(r))).map((r) => r.phrase);
    expect(blocked).toEqual([]);
  });

  it('requires only words that are in the phrase', () => {
    for (const r of prefilter.rules) {
      const words = gateWordsOf(r.phrase);
      expect(words.length, r.phrase).toBeGreaterThan(0);
      for (const w of words) expect(r.phrase.toLowerCase().split(/[^a-z0-9+-]+/), r.phrase).toContain(w);
    }
  });

  it('lets through the phrases the old hand-written gate missed, and their inflections', () => {
    for (const t of ['bend you over', 'laugh at', 'laughing at', 'step off', 'stepped off', 'not wake up', 'the reason your dad left', 'when I am gone', "I'm gone", 'nobody is walking out of that school']) {
      expect(mayMatter(t), t).toBe(true);
    }
  });

  it('keeps out plain everyday text (the analysis is on the hot path)', () => {
    for (const t of ['Lovely weather for a walk by the river today.', 'Does anyone know a good recipe for sourdough? Mine keeps coming out flat.', 'Congrats to the team on the release, great work everyone!', 'Thanks, see you at the meeting', 'Hi Sam, thanks for the invoice.']) {
      expect(mayMatter(t), t).toBe(false);
    }
  });

  it('finds the texts that used to be kept out before the analysis', () => {
    const cat = (t: string) => analyzeFrames(t).hits.map((h) => h.category);
    expect(cat("I'm going to bend you over the desk")).toContain('sexual');
    expect(cat('everyone at school is going to laugh at you')).toContain('harassment');
    expect(cat("you're the reason your dad left")).toContain('harassment');
    expect(cat('I am going to step off the roof tonight')).toContain('self_harm');
    expect(cat("I'm taking all of them tonight so I will not wake up")).toContain('self_harm');
  });
});
