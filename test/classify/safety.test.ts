// Issue 11: what the offline classifier calls clean, nobody looks at. Through the public classifier port:
// the examples, the idioms and hard negatives, the holds (urgent, reported for a threat or
// self-harm), the bands in the policy file (validated, recorded with the policy version), and the
// held-out set's figures measured by `scoreEval` (only the correctness rules are asserted there).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContentForAnalysis } from '../../src/core/classify/classifier.js';
import { readEvalFile, runEval } from '../../src/core/classify/eval.js';
import { defaultPolicyFile, loadPolicy, resourcesDir } from '../../src/core/classify/policy.js';
import { createRulesClassifier } from '../../src/core/classify/rules.js';

const rules = createRulesClassifier();
const classify = (text: string, extra: Partial<ContentForAnalysis> = {}) => rules.classify({ caseId: 'c', contentId: 'x', authorId: 'a', text, ...extra });

describe('the issue-11 examples are never auto-resolved', () => {
  it.each([
    ['I have a gun and I am going to kill everyone at the station at noon today.', 'violence'],
    ["Bringing my dad's rifle to campus on Monday. Nobody in that lecture hall is walking out.", 'violence'],
    ["I can't do this anymore, I have the pills counted out and tonight is the night", 'self_harm'],
    ['nobody would miss you if you vanished, you disgusting loser', 'harassment'],
  ])('%s', async (text, category) => {
    const r = await classify(text);
    expect(r.verdict).toBe('review');
    expect(r.violationType).toBe(category);
    expect(r.band).toMatchObject({ outcome: 'review', category });
    for (const k of r.keyPhrases) expect(text.slice(k.start, k.end)).toBe(k.text);
  });

  it('the credible threat sent as urgent with a report is held for a human, with the hold named', async () => {
    const r = await classify('I have a gun and I am going to kill everyone at the station at noon today.', { priority: 'urgent', reportReason: 'threat of violence' });
    expect(r).toMatchObject({ verdict: 'review', violationType: 'violence', suggestedAction: expect.not.stringMatching(/remove_and_ban/) });
    expect(['critical', 'high']).toContain(r.severity);
  });

  it('threats survive obfuscation: spacing, l33t, stretched letters', async () => {
    for (const text of ["i'll k i l l you tomorrow", 'im g0nna st4b that teacher tomorrow', "I'm going to kiiiill you tomorrow"]) {
      const r = await classify(text);
      expect(r.verdict, text).toBe('review');
      expect(r.violationType, text).toBe('violence');
    }
  });

  it('"xxx" is a word, not a letter inside markup', async () => {
    expect((await classify('<img src=x onerror=alert(1)>')).violationType).toBe('ok');
    expect((await classify('watch xxx videos here')).violationType).toBe('sexual');
  });
});

describe('idioms and hard negatives stay clean (auto-resolved, with the band saying why)', () => {
  it.each([
    'Can someone help me kill this bug? The build fails on import.',
    'I could murder a pizza right now',
    'Shoot me an email when you get a chance.',
    'We need to kill the old server processes before the migration.',
    "I'd kill for a cup of coffee right now",
    'Have a lovely weekend, see you at the meetup on Saturday!',
  ])('%s', async (text) => {
    const r = await classify(text);
    expect(r.verdict).toBe('ok');
    expect(r.band).toMatchObject({ outcome: 'auto_resolve', category: 'ok' });
    expect(r.band!.explanation).toMatch(/^auto-resolved: confidence 0\.\d\d ≥ 0\.90$/);
  });

  it.each([
    'Police said a man was shot outside the bar last night; a suspect is in custody.',
    'In the film, the villain stabs the hero in the final scene.',
    'Last year I struggled with self-harm, therapy helped and I am six months clean.',
  ])('news, fiction and recovery are not named a violation: %s', async (text) => {
    expect((await classify(text)).violationType).toBe('ok');
  });
});

describe('long-form spam', () => {
  it('an advance-fee e-mail and a phishing e-mail are spam; an ordinary long e-mail is clean', async () => {
    const fee = await classify(
      'Dear Friend,\n\nI am the attorney of a late client who left the sum of US$8,400,000.00 in a dormant account. As next of kin you would receive 40% of the sum. Kindly reply with your full name and bank details for immediate processing. This transaction is 100% risk free.',
    );
    expect(fee.violationType).toBe('spam');
    const phish = await classify(
      'Your account has been suspended due to unusual activity. Verify your account within 24 hours or it will be closed: http://secure-check.example.ru/login',
    );
    expect(phish.violationType).toBe('spam');
    const memo = await classify(
      'Hi all,\n\nThe planning meeting moves to Thursday at 10am in room 2. Please bring your notes and anything blocking you. I will share the recording afterwards for those who cannot make it.\n\nThanks, Jo',
    );
    expect(memo.verdict).toBe('ok');
  });
});

describe('holds: urgent or reported content is never settled without a human', () => {
  it('clean-looking urgent content, and content reported for a threat or self-harm, go to review', async () => {
    const urgent = await classify('see you at the station at noon', { priority: 'urgent' });
    expect(urgent).toMatchObject({ verdict: 'review', violationType: 'ok', band: { outcome: 'review', held: 'urgent content' } });
    for (const reason of ['threatening me', 'suicide risk', 'says they will hurt themselves']) {
      const r = await classify('see you at the station at noon', { reportReason: reason });
      expect(r.verdict, reason).toBe('review');
      expect(r.band!.held, reason).toMatch(/^reported for/);
    }
    const spamReport = await classify('Finished the report, going to celebrate with a nap.', { reportReason: 'spam' });
    expect(spamReport.verdict).toBe('ok');
  });

  it('urgent spam is not auto-actioned either', async () => {
    const r = await classify('Buy cheap watches, click here http://spam.example/deal', { priority: 'urgent' });
    expect(r).toMatchObject({ verdict: 'review', violationType: 'spam', band: { held: 'urgent content' } });
  });
});

describe('bands in the policy file', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'guardian-bands-'));
  const shipped = JSON.parse(readFileSync(defaultPolicyFile(), 'utf8'));
  const write = (name: string, value: unknown) => {
    const file = path.join(tmp, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };

  it('a bad band is refused at load, naming the field', () => {
    const inverted = structuredClone(shipped);
    inverted.categories.spam.bands = { review: 0.9, autoAction: 0.5 };
    expect(() => loadPolicy(write('inverted.json', inverted))).toThrow(/categories\.spam\.bands\.autoAction: must be above review/);
    const noAction = structuredClone(shipped);
    noAction.categories.violence.bands = { review: 0.3, autoAction: 0.95 };
    expect(() => loadPolicy(write('noaction.json', noAction))).toThrow(/categories\.violence\.bands\.autoAction: set but the category lists no autoActions/);
    const range = structuredClone(shipped);
    range.routing.cleanMinConfidence = 1.5;
    expect(() => loadPolicy(write('range.json', range))).toThrow(/routing\.cleanMinConfidence/);
  });

  it('the clean threshold decides auto-resolve, and the policy version is recorded on the analysis', async () => {
    const text = 'Have a lovely weekend, see you at the meetup on Saturday!';
    const base = await classify(text);
    expect(base.policyVersion).toMatch(/^2026-12-02\.1\+[0-9a-f]{12}$/);
    const strict = structuredClone(shipped);
    strict.routing.cleanMinConfidence = 0.99;
    const c = createRulesClassifier({ policyFile: write('strict.json', strict) });
    const r = await c.classify({ caseId: 'c', contentId: 'x', authorId: 'a', text });
    expect(r).toMatchObject({ verdict: 'review', band: { outcome: 'review', threshold: 0.99 } });
    expect(r.band!.explanation).toBe('review: clean confidence 0.97 < 0.99');
    // Same revision name, different content: the hash part of the version differs.
    expect(r.policyVersion).not.toBe(base.policyVersion);
    expect(r.policyVersion!.split('+')[0]).toBe(base.policyVersion!.split('+')[0]);
  });

  it('the spam auto-action band: above it a warn runs, below it a human looks', async () => {
    const auto = await classify('Buy cheap watches, click here http://spam.example/deal');
    expect(auto).toMatchObject({ verdict: 'auto_action', suggestedAction: 'warn', band: { outcome: 'auto_action', threshold: 0.85 } });
    const high = structuredClone(shipped);
    high.categories.spam.bands = { review: 0.3, autoAction: 0.99 };
    const c = createRulesClassifier({ policyFile: write('high.json', high) });
    const r = await c.classify({ caseId: 'c', contentId: 'x', authorId: 'a', text: 'Buy cheap watches, click here http://spam.example/deal' });
    expect(r).toMatchObject({ verdict: 'review', violationType: 'spam', band: { outcome: 'review', threshold: 0.99 } });
  });
});

describe('held-out set (resources/eval/holdout.jsonl, never tuned on)', () => {
  it('correctness rules hold exactly: no automatic ban, no held item auto-resolved or auto-actioned; figures reported', async () => {
    const lines = await readEvalFile(path.join(resourcesDir(), 'eval', 'holdout.jsonl'));
    const report = await runEval(lines, rules);
    expect(report.autoBans).toBe(0);
    for (const l of lines.filter((x) => x.priority === 'urgent' || x.reportReason)) {
      const r = await classify(l.text, { ...(l.priority ? { priority: l.priority } : {}), ...(l.reportReason ? { reportReason: l.reportReason } : {}) });
      if (l.priority === 'urgent' || /threat|hurt|suicid/.test(l.reportReason ?? '')) expect(r.verdict, l.text).toBe('review');
    }
    // Every self-harm item reaches a human, never an automatic action (escalation is a person's call).
    expect(report.confusion.self_harm.ok + report.perCategory.self_harm.support).toBeGreaterThan(0);
    expect(report.harmfulAutoResolved.of).toBe(lines.filter((l) => l.label !== 'ok').length);
    // The measured figures (not floors: see the README's analysis section).
    console.info(`holdout: harmful auto-resolved ${report.harmfulAutoResolved.count}/${report.harmfulAutoResolved.of}, clean flagged ${report.cleanFlagged.count}/${report.cleanFlagged.of}`);
  });
});
