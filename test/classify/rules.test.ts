// The rules classifier and its policy file: obfuscations, offsets, the behaviours the engine relies
// on, and clear errors for a broken policy.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnalysisResult, type Label } from '../../src/shared/domain.js';
import { createRulesClassifier } from '../../src/core/classify/rules.js';
import { defaultPolicyFile, loadPolicy, PolicyError, resourcesDir } from '../../src/core/classify/policy.js';

const rules = createRulesClassifier();
const classify = (text: string) => rules.classify({ caseId: 'c', contentId: 'x', authorId: 'a', text });

/** Every key phrase's offsets select exactly its text in the original. */
function expectOffsetsExact(text: string, r: AnalysisResult) {
  for (const k of r.keyPhrases) expect(text.slice(k.start, k.end)).toBe(k.text);
}
const phrases = (r: AnalysisResult, category?: Label) => r.keyPhrases.filter((k) => !category || k.category === category).map((k) => k.text);

describe('rules classifier: behaviours the engine tests rely on', () => {
  it('passes clean text', async () => {
    const r = await classify('Have a lovely weekend, see you at the meetup on Saturday!');
    expect(r).toMatchObject({ verdict: 'ok', suggestedAction: 'approve', violationType: 'ok', severity: 'none', classifier: 'rules', keyPhrases: [] });
  });

  it('auto-warns obvious spam with a link', async () => {
    const text = 'Buy cheap watches, click here http://spam.example/deal';
    const r = await classify(text);
    expect(r).toMatchObject({ verdict: 'auto_action', suggestedAction: 'warn', violationType: 'spam' });
    expect(phrases(r)).toEqual(expect.arrayContaining(['click here', 'http://spam.example/deal']));
    expectOffsetsExact(text, r);
  });

  it('sends a threat to review as high-severity violence', async () => {
    const r = await classify('I will kill you');
    expect(r).toMatchObject({ verdict: 'review', violationType: 'violence', severity: 'high' });
    expect(r.suggestedAction).not.toBe('remove_and_ban');
  });

  it('highlights every violent phrase of a mass threat, and a threat against everyone is critical (issue 14)', async () => {
    const text = 'I have a gun … kill everyone … I will shoot them';
    const r = await classify(text);
    expect(r).toMatchObject({ verdict: 'review', violationType: 'violence', severity: 'critical' });
    expect(phrases(r, 'violence')).toEqual(['I have a gun', 'kill everyone', 'I will shoot them']);
    expectOffsetsExact(text, r);
  });

  it('a weapon named alone supports a flag but cannot make one', async () => {
    const r = await classify('I have a knife for cooking.');
    expect(r.violationType).toBe('ok');
  });

  it('sends an insult to review as harassment', async () => {
    const r = await classify('you are an idiot');
    expect(r).toMatchObject({ verdict: 'review', violationType: 'harassment' });
    expect(r.keyPhrases).toEqual([{ text: 'idiot', start: 11, end: 16, category: 'harassment' }]);
  });
});

describe('rules classifier: obfuscation and offsets', () => {
  it.each([
    ['letter spacing and l33t', 'you are a f u c k i n g 1d10t', ['f u c k', '1d10t']],
    ['dotted letters', 'i.d.i.o.t, read the rules', ['i.d.i.o.t']],
    ['repeated letters', 'what a l0000ser, fuuuuuck off', ['l0000ser', 'fuuuuuck']],
    ['confusable characters', 'ｆｕｃｋ this, you m0r0n', ['ｆｕｃｋ', 'm0r0n']],
    ['an exclamation mark read as i', 'sh!t head', ['sh!t']],
  ])('finds profanity despite %s', async (_what, text, expected) => {
    const r = await classify(text);
    expect(r.violationType).toBe('harassment');
    expect(phrases(r)).toEqual(expected);
    expectOffsetsExact(text, r);
  });

  it('does not join separate words into profanity ("this hit", "Scunthorpe", "assassin")', async () => {
    for (const text of ['this hit me hard', 'Scunthorpe won 2-1', 'the assassin passed the class']) {
      expect((await classify(text)).verdict, text).toBe('ok');
    }
  });

  it('finds obfuscated threats and threats against places', async () => {
    const t1 = 'I will k1ll y0u and your family';
    const r1 = await classify(t1);
    expect(r1).toMatchObject({ violationType: 'violence', verdict: 'review', severity: 'high' });
    expect(phrases(r1)).toContain('k1ll y0u');
    expectOffsetsExact(t1, r1);
    const r2 = await classify('gonna shoot up the school tomorrow');
    expect(r2).toMatchObject({ violationType: 'violence', severity: 'critical', verdict: 'review' });
  });

  it('finds spam links and obfuscated spam phrases', async () => {
    const text = 'Fr33 m0ney!!! Cl1ck h3re www.win-big.xyz';
    const r = await classify(text);
    expect(r.violationType).toBe('spam');
    expect(phrases(r)).toEqual(['Fr33 m0ney', 'Cl1ck h3re', 'www.win-big.xyz']);
    expectOffsetsExact(text, r);
  });

  it('does not flag a link alone as spam', async () => {
    expect((await classify('The docs are at https://docs.example.org/api/v2')).verdict).toBe('ok');
  });

  it('finds personal data (e-mail, phone numbers) with exact offsets', async () => {
    const text = 'Found him: mark.jones88@gmail.com, call +1 555-123-4567 or (020) 7946 0958';
    const r = await classify(text);
    expect(r).toMatchObject({ violationType: 'personal_data', verdict: 'review' });
    expect(phrases(r, 'personal_data')).toEqual(['mark.jones88@gmail.com', '+1 555-123-4567', '(020) 7946 0958']);
    expectOffsetsExact(text, r);
    const at = await classify('write to j.smith (at) outlook (dot) com');
    expect(at.violationType).toBe('personal_data');
  });

  it('treats a phone number inside spam as part of the spam', async () => {
    const r = await classify('Call me at (555) 123-4567 for cheap pills, click here');
    expect(r.violationType).toBe('spam');
    expect(phrases(r)).toContain('(555) 123-4567');
  });

  it('routes self-harm to a human with an escalation, never an automatic action', async () => {
    const r = await classify("i'm going to end it all this weekend");
    expect(r).toMatchObject({ violationType: 'self_harm', verdict: 'review', suggestedAction: 'escalate' });
  });

  it('ranks the most severe category first and highlights all', async () => {
    const text = 'I will kill you, idiot';
    const r = await classify(text);
    expect(r.violationType).toBe('violence');
    expect(new Set(r.keyPhrases.map((k) => k.category))).toEqual(new Set(['violence', 'harassment']));
    expectOffsetsExact(text, r);
  });

  it('keeps offsets right after astral characters (emoji)', async () => {
    const text = '😀😀 you idiot 🙃';
    const r = await classify(text);
    expect(phrases(r)).toEqual(['idiot']);
    expectOffsetsExact(text, r);
  });

  it('always produces a valid AnalysisResult', async () => {
    for (const text of ['', ' ', 'a'.repeat(10_000), 'I will kill you '.repeat(50)]) {
      expect(AnalysisResult.safeParse(await classify(text)).success).toBe(true);
    }
  });
});

describe('policy file', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'guardian-policy-'));
  const shipped = JSON.parse(readFileSync(defaultPolicyFile(), 'utf8'));
  const write = (name: string, value: unknown) => {
    const file = path.join(tmp, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };

  it('ships a valid policy found via the repo or GUARDIAN_RESOURCES_DIR', () => {
    expect(loadPolicy().version).toBe(1);
    expect(resourcesDir({ GUARDIAN_RESOURCES_DIR: tmp })).toBe(tmp);
    expect(defaultPolicyFile({ GUARDIAN_RESOURCES_DIR: tmp })).toBe(path.join(tmp, 'policy.json'));
  });

  it('names the file and the field when the policy is invalid', () => {
    const bad = structuredClone(shipped);
    bad.categories.spam.autoActions = ['remove_and_ban'];
    const file = write('ban.json', bad);
    expect(() => createRulesClassifier({ policyFile: file })).toThrow(PolicyError);
    expect(() => loadPolicy(file)).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: categories\\.spam\\.autoActions\\.0`));

    const missing = structuredClone(shipped);
    delete missing.categories.hate;
    expect(() => loadPolicy(write('missing.json', missing))).toThrow(/categories\.hate/);

    const regex = structuredClone(shipped);
    regex.categories.violence.patterns[0].regex = '(unclosed';
    expect(() => loadPolicy(write('regex.json', regex))).toThrow(/categories\.violence\.patterns\.0\.regex: not a valid regular expression/);

    expect(() => loadPolicy(write('syntax.json', '{ nope'))).toThrow(/syntax\.json/);
    expect(() => loadPolicy(path.join(tmp, 'absent.json'))).toThrow(/absent\.json/);
  });

  it('is replaceable: a policy that requires review for spam never auto-warns', async () => {
    const strict = structuredClone(shipped);
    strict.categories.spam.autoActions = [];
    strict.categories.spam.bands.autoAction = null; // a band for an action the category no longer allows is refused
    strict.categories.harassment.terms.push('|meanie');
    const custom = createRulesClassifier({ policyFile: write('strict.json', strict) });
    const spam = await custom.classify({ caseId: 'c', contentId: 'x', authorId: 'a', text: 'Buy cheap watches, click here http://spam.example/deal' });
    expect(spam).toMatchObject({ verdict: 'review', violationType: 'spam' });
    const meanie = await custom.classify({ caseId: 'c', contentId: 'x', authorId: 'a', text: 'what a m3aaanie' });
    expect(meanie.violationType).toBe('harassment');
  });
});
