// Sentence-level detection for the rules classifier (issue 11): a threat is an intent + a violent act +
// a target (person or place) or a time, said in the first or second person; self-harm is first-person
// intent or method; harassment is an insult or an exclusion aimed at someone; hate is a group + a
// dehumanising predicate. `compromise` (a maintained, dependency-free English NLP library) splits the
// sentences, tags parts of speech and gives each word's root ("stabbing" -> "stab"), so the lexicons
// below list roots, not every inflection. Idioms and hard negatives ("kill this bug", "shoot me an
// email", news and fiction) are recognised from the act's object and the sentence's frame.
// A text that contains none of the gate's words (derived from the lexicons and the phrase lists below) never reaches compromise (the classifier is on the
// hot path: BENCHMARKS.md, pipeline).
import { createRequire } from 'node:module';
import type nlpType from 'compromise';
import type { CategoryId, Severity } from '../../shared/domain.js';
import { normalizeForAnalysis, toOriginal } from './normalize.js';

// compromise is loaded on the first text that needs it, not at start: it is the largest module the core
// loads (~0.3 s and ~30 MB), and a workstation opening on an existing queue analyses nothing (issue 16).
// Synchronously (its CommonJS build, the same release), because the rules classifier is synchronous.
let nlpLoaded: typeof nlpType | undefined;
const nlp = (text: string) => (nlpLoaded ??= createRequire(import.meta.url)('compromise') as typeof nlpType)(text);

export interface FrameHit {
  category: CategoryId;
  start: number;
  end: number;
  name: string;
  weight: number;
  severity: Severity;
}

/** A harm signal too weak to name a category, which still keeps the text from being "clearly clean". */
export interface WeakSignal {
  category: CategoryId;
  risk: number;
  why: string;
}

const set = (s: string) => new Set(s.split(/\s+/).filter(Boolean));

const ACTS = set('kill murder stab shoot shot strangle choke slaughter massacre behead execute torch bomb blow burn beat break cut slit hurt rape lynch gut smash punch strangl run bullet set attack');
const WEAPONS = set('gun guns rifle pistol shotgun knife knives machete ammo ammunition bullet bullets bomb explosive explosives ar-15 ak-47 glock grenade acid axe');
const PLACES = set('school campus station mall mosque church synagogue temple library courthouse office embassy hospital hall classroom concert party house home shop store building gym parliament airport stadium place courtroom');
const PERSON = set('you u ya ye yall him her them everyone everybody all family kids wife husband teacher cop cops police judge boss brother sister dad mom one person people guy girl man woman bully student students');
const INTENT = set('will would shall going gonna about plan planning intend want wanna gotta better promise swear coming waiting next tomorrow tonight if when once minute second getting gets deserve');
const IDIOM_OBJ = set('bug bugs process processes time pizza it vibe mood light lights engine server servers task job battery email e-mail text message exam test interview solo guitar song game round record deadline goal balloon balloons grass eggs egg chess opponent team lecture picture pictures photo photos shot weeds dough audience crowd');
const FRAME_FICTION = set('movie film novel book story game season episode scene character series documentary fiction show comic anime trailer chapter');
const FRAME_NEWS = set('police reported report suspect custody arrested authorities according officials historian history lecture war 1944');
const FIRST = set('i we me my us our im');
const SECOND = set('you u ur your ya yourself youre');

const SELF_METHOD = set('pills pill rope bridge ledge roof razor blade blades overdose bottle paracetamol noose starving tablets');
const SELF_INTENT_ROOTS = set('die suicide disappear exist');
const SELF_NEGATIVE = set('hotline helpline crisis support therapy therapist recovered recovery clean counselling 988 samaritans alone');

const INSULT = set('loser idiot moron worm cow pig clown freak creep trash garbage waste pathetic brainless disgusting ugly ugliest fat stupid dumb worthless useless rat potato goldfish sewer failure embarrassment stink homeless weirdo retard retarded bitch b1tch scum maggot parasite');
const GROUP = set('immigrant immigrants migrant migrants refugee refugees muslim muslims jew jews christian christians gay gays lesbian lesbians trans tranny trannies black blacks asian asians arab arabs mexican mexicans gypsy gypsies roma woman women foreigner foreigners african africans indian indians homosexual homosexuals');
const DEHUMAN = set('rat rats vermin animal animals parasite parasites cancer disease plague inferior subhuman pervert perverts ill thief thieves freak freaks savage savages filth scum cockroach cockroaches stupid criminal criminals rapist rapists terrorist terrorists breed');
const SEXUAL = set('nude nudes naked horny sext sexting explicit hardcore onlyfans porn 18+ shower');

// Phrase lists. A list wrapped in trigger() can produce a finding on its own (not only qualify one), so
// the cheap gate below must let through every text that could contain one of its phrases: the gate is
// derived from these lists (and the lexicons), never written by hand, so it cannot drift from them.
// `needs` are the other conditions the finding requires (a list of phrases, or a lexicon): a text
// lacking all of one group's members cannot raise it, so the gate may keep it out.
type GateNeed = readonly string[] | ReadonlySet<string>;
const TRIGGER_RULES: Array<{ phrase: string; needs: GateNeed[] }> = [];
function trigger(list: string[], ...needs: GateNeed[]): string[] {
  for (const phrase of list) TRIGGER_RULES.push({ phrase, needs });
  return list;
}

const THREAT_INTENT_PHRASES = ['next time', 'one more word', 'keep talking', 'if you', 'the minute', 'the second'];
const MENACING = trigger(['nobody is walking out', 'walking out alive', 'get out while you can', 'gets what it deserves', 'you will be dead', 'you are dead', 'pay with his life', 'pay with her life', 'sleep light', 'coming to your place', 'coming to ur place', 'what happens to snitches']);
const NOBODY = ['nobody', 'no one'];
const WALK_OUT = trigger(['walking out', 'walk out'], NOBODY, PLACES);
const SELF_RECOVERY = ['last year', 'used to', 'months clean', 'not alone', 'you are not'];
const SELF_MENTION = ['self-harm', 'suicide'];
const SELF_IDIOM = ['dying to', 'died laughing', 'killing me', 'kill me lol', 'to die for', 'i am dead', 'im dead'];
const SELF_INTENT = trigger(['kill myself', 'end my life', 'end it', 'take my life', 'not wake up', "don't wake up", 'stop existing', 'stopped existing', 'want to die', 'going to die', 'wanna die', 'to disappear', 'step off', 'jump off', 'kms', 'tired of living', 'done with living', 'how to do it', 'will be gone', 'soon i will be', "i'm gone", 'when i am gone', 'go deeper', 'go further', 'deserve to disappear', 'cutting again', 'cut myself', 'cutting myself', 'if i was dead', 'if i were dead', 'better off dead', 'happier without me']);
const GOODBYE = trigger(['goodbye post', 'saying goodbye', 'goodbye everyone', 'my goodbye', 'thank you all for trying', 'last time you', 'wrote letters', 'written letters', 'letters to everyone', 'it was nice knowing', 'nice knowing you', 'suicide note']);
const HOPELESS = trigger(["can't do this anymore", 'can not do this anymore', 'no point', 'see the point', 'better off', 'nobody will notice', 'no one will notice', 'hate myself', "i'm done", 'i am done', 'so done', 'no one cares', 'nobody cares']);
const SELF_TIME = ['the night', 'tonight is'];
const EXCLUSION = trigger(['nobody would miss you', 'no one would miss you', 'nobody would care', 'no one would care', 'nobody likes you', 'nobody wants you', 'no one wants you', 'nobody wants u', 'everyone hates you', 'better without you', 'better place without you', 'should just disappear', 'you should disappear', 'you should die', 'kill urself', 'kill yourself', 'kys', 'give up', 'nobody asked', 'waste of oxygen', 'waste of space', 'the reason your']);
const DEATH_WISH = trigger(['kill urself', 'kill yourself', 'kys', 'should die']);
const COMPARISON = trigger(['iq of a', 'face of a', 'brain of a', 'looks like a', 'so fat that', 'laugh at', 'dress like']);
const GROUP_PHRASES = ['gay people', 'black people', 'trans people'];
const DEHUMAN_PHRASES = ['not human', 'mentally ill', 'driven out', 'should not be allowed', 'let them drown', 'send every', 'control the', 'deserve what', 'by nature', 'too stupid', 'genetically'];
const DEAD_ONE = ['dead one'];
const ONLY_GOOD = trigger(['only good'], DEAD_ONE);
const BACK = ['back'];
const SEND_THEM = trigger(['send every', 'send them'], BACK);
const SEXUAL_BODY = trigger(['in the shower', 'body pics', 'pic of you', 'pics of you', 'you naked', 'bend you over', 'touch your body', 'nude content', 'explicit videos', 'explicit content']);
const SEXTORTION = trigger(['send nudes or', 'or i will tell', "or i'll tell"]);
const SEXUAL_EXPLICIT = trigger(['horny', 'bend you over', 'nude content', 'explicit videos', 'hardcore content']);

interface Tok {
  raw: string;
  w: string;
  root: string;
  tags: Set<string>;
  start: number;
  end: number;
}

/** The lexicons a finding needs a word of (an act, a weapon, a method, an insult, a group…). */
const FINDING_LEXICONS = [ACTS, WEAPONS, SELF_METHOD, SELF_INTENT_ROOTS, INSULT, GROUP, SEXUAL];
/** Roots the lexicon lookup normalises to ("stabbed" -> "stab"). */
const TRIGGERS = new Set([...FINDING_LEXICONS.flatMap((l) => [...l]), 'goodbye', 'miss', 'nobody', 'likes', 'hates', 'better', 'point', 'anymore', 'dead', 'deserves', 'deserve', 'iq', 'face', 'looks', 'pay', 'fire', 'hurts', 'pic', 'pics', 'body', 'suicide', 'kms', 'kys', 'urself', 'myself', 'gone', 'existing', 'done', 'living', 'letters', 'wrote', 'written']);

/** Split as the gate splits a text: lower case, on anything but letters, digits, "+" and "-". */
const gateWords = (text: string) => text.toLowerCase().split(/[^a-z0-9+-]+/).filter(Boolean);
// Words a phrase match does not need literally in the text (contractions and irregular forms that
// compromise expands or roots: "I'm" -> "i am", "wanna" -> "want to", "got" -> "get") or too common
// to help; a phrase's other words must all be in the text for it to match, and so for the gate.
const GATE_STOP = set("i me my im you u ur your we us our he she him her his they them their it its the a an to of in on at for with and or but if so not no do dont don t m s d ll ve re is am are be was were will would can could should this that what all one up off out over as by from just going gonna wanna want go get gets got take see");
/** The words of a phrase the gate requires: its non-stop words (or, if none, its longest word). */
export function gateWordsOf(p: string): string[] {
  const ws = gateWords(p);
  const content = ws.filter((w) => !GATE_STOP.has(w));
  return content.length ? content : [ws.reduce((x, y) => (y.length > x.length ? y : x), '')];
}
const LEXICON_GATE = new Set(FINDING_LEXICONS.flatMap((l) => [...l]));
const needAlternatives = (n: GateNeed): string[][] => (Array.isArray(n) ? n.map(gateWordsOf) : [...n].map((w) => [w]));
const GATE_RULES = TRIGGER_RULES.map((r) => ({ words: gateWordsOf(r.phrase), needs: r.needs.map(needAlternatives) }));
/** For tests: the phrases that can raise a finding on their own, with what else they need. */
export const prefilter = { rules: TRIGGER_RULES as ReadonlyArray<{ phrase: string; needs: GateNeed[] }> };

function stem(w: string): string[] {
  const out = [w];
  for (const suf of ['ing', 'ed', 'es', 's', 'er']) if (w.endsWith(suf) && w.length > suf.length + 2) out.push(w.slice(0, -suf.length));
  // "stabbed" -> "stabb" -> "stab"; "kiill" -> "kil" is caught by its own run ("kill" keeps two).
  for (const x of [...out]) out.push(x.replace(/([a-z])\1+$/g, '$1'), x.replace(/([a-z])\1+/g, '$1$1'));
  return out;
}

/**
 * Cheap gate: does a word (or a simple stem of it) belong to a lexicon a finding needs, or are all the
 * required words of some trigger phrase (and of its needs) in the text?
 */
export function mayMatter(text: string): boolean {
  const seen = new Set<string>();
  for (const w of gateWords(text)) {
    for (const s of stem(w)) {
      if (LEXICON_GATE.has(s)) return true;
      seen.add(s);
    }
  }
  const all = (ws: string[]) => ws.every((w) => seen.has(w));
  return GATE_RULES.some((r) => all(r.words) && r.needs.every((alts) => alts.some(all)));
}

function tokens(norm: string): Tok[][] {
  const doc = nlp(norm);
  doc.compute('root');
  const out: Tok[][] = [];
  for (const s of doc.json({ offset: true }) as Array<{ terms: Array<{ text: string; normal: string; implicit?: string; root?: string; tags: string[]; offset: { start: number; length: number } }> }>) {
    const sent: Tok[] = [];
    for (const t of s.terms) {
      const w = (t.implicit ?? t.normal ?? '').toLowerCase().replace(/[^\p{L}\p{N}+-]/gu, '');
      if (!w) continue;
      let root = (t.root ?? w).toLowerCase();
      if (!TRIGGERS.has(root)) root = stem(root).find((x) => TRIGGERS.has(x)) ?? root;
      // compromise splits "AR-15" into two hyphenated terms: one word for the lexicons.
      const prev = sent[sent.length - 1];
      if (prev && t.tags.includes('Hyphenated') && prev.tags.has('Hyphenated') && prev.end + 1 >= t.offset.start) {
        prev.w = `${prev.w}-${w}`;
        prev.root = prev.w;
        prev.end = t.offset.start + t.offset.length;
        continue;
      }
      sent.push({ raw: t.text, w, root, tags: new Set(t.tags), start: t.offset.start, end: t.offset.start + t.offset.length });
    }
    // A sentence is also split at commas/semicolons into clauses only for the target window below.
    if (sent.length) out.push(sent);
  }
  return out;
}

const original = (s: Tok[], i: number) => s[i]!.raw;
const has = (toks: Tok[], lex: Set<string>) => toks.some((t) => lex.has(t.w) || lex.has(t.root));
const idx = (toks: Tok[], lex: Set<string>, from = 0, to = toks.length) => {
  for (let i = Math.max(0, from); i < Math.min(to, toks.length); i++) if (lex.has(toks[i]!.w) || lex.has(toks[i]!.root)) return i;
  return -1;
};
const phrase = (toks: Tok[], words: string) => {
  const ws = words.split(' ');
  for (let i = 0; i + ws.length <= toks.length; i++) if (ws.every((w, j) => toks[i + j]!.w === w || toks[i + j]!.root === w)) return i;
  return -1;
};
const anyPhrase = (toks: Tok[], list: string[]) => list.some((p) => phrase(toks, p) >= 0);
const timeWord = (t: Tok) => t.tags.has('Date') || t.tags.has('Time') || /^(today|tonight|tomorrow|noon|midnight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|\d{1,2}(am|pm))$/.test(t.w);

function threat(s: Tok[], textFrame: { fiction: boolean; news: boolean }, out: FrameHit[], weak: WeakSignal[]): void {
  const first = has(s, FIRST);
  const second = has(s, SECOND);
  const timed = s.some(timeWord);
  for (let k = 0; k < s.length; k++) {
    const t = s[k]!;
    if (!ACTS.has(t.root) && !ACTS.has(t.w)) continue;
    // Multi-word acts and idioms.
    const next = s.slice(k + 1, k + 4);
    if (k === 0 && /^(shoot|shot)$/.test(t.w) && s.length > 1 && original(s, 0).endsWith(',')) continue; // "Shoot, I forgot…"
    if (t.root === 'blow' && !next.some((x) => x.w === 'up')) continue;
    if (t.root === 'set' && !next.some((x) => x.w === 'fire')) continue;
    if (t.root === 'run' && !next.some((x) => x.w === 'over')) continue;
    if (t.root === 'break' && !next.some((x) => /^(legs?|arms?|neck|face|jaw|bones?|skull|nose)$/.test(x.w))) continue;
    if (t.root === 'cut' && !next.some((x) => /^(throat|you|him|her)$/.test(x.w))) continue;
    if (t.root === 'bullet' && !s.slice(Math.max(0, k - 3), k).some((x) => /^(put|getting|get|gets)$/.test(x.w))) continue;
    if (t.root === 'beat' && !next.some((x) => /^(you|him|her|them|death|up)$/.test(x.w))) continue;
    if (next.some((x) => IDIOM_OBJ.has(x.w) || IDIOM_OBJ.has(x.root)) || next[0]?.w === 'for' || (next[0]?.w === 'me' && !first)) {
      weak.push({ category: 'violence', risk: 0.02, why: `idiom "${t.w} ${next[0]?.w ?? ''}"` });
      continue;
    }
    const win = s.slice(k + 1, k + 8);
    const targetPerson = win.some((x) => PERSON.has(x.w) || x.tags.has('Person') || (x.tags.has('Actor') && x.w !== 'me'));
    const targetPlace = s.some((x) => PLACES.has(x.w) || PLACES.has(x.root));
    const passiveTarget = s.slice(0, k).some((x) => /^(getting|gets|get|is|be)$/.test(x.w)) && s.slice(0, k).some((x) => x.tags.has('Actor') || x.tags.has('Person') || /^(cop|person|one|he|she|him)$/.test(x.w));
    const intent = s.slice(Math.max(0, k - 5), k).some((x) => INTENT.has(x.w) || INTENT.has(x.root)) || anyPhrase(s, THREAT_INTENT_PHRASES);
    const past = t.tags.has('PastTense') && !intent;
    const speaker = first || second || passiveTarget;
    const framed = textFrame.fiction || textFrame.news;
    if (past || framed || (!first && !second && !passiveTarget)) {
      weak.push({ category: 'violence', risk: framed || past ? 0.04 : 0.06, why: `violent act "${t.w}" ${framed ? 'in a news or fiction frame' : past ? 'reported in the past' : 'without a speaker'}` });
      continue;
    }
    const end = Math.min(s.length - 1, k + 3);
    if (speaker && (targetPerson || targetPlace || passiveTarget) && (intent || timed)) {
      const critical = targetPlace || s.some((x) => /^(everyone|everybody|all|them)$/.test(x.w)) || has(s, WEAPONS);
      out.push({ category: 'violence', start: s[Math.max(0, k - 3)]!.start, end: s[end]!.end, name: 'threat: intent + violent act + target', weight: 0.92, severity: critical ? 'critical' : 'high' });
    } else if (speaker && (targetPerson || targetPlace || intent)) {
      out.push({ category: 'violence', start: t.start, end: s[end]!.end, name: 'violent act aimed at someone', weight: 0.6, severity: 'high' });
    } else weak.push({ category: 'violence', risk: 0.06, why: `violent act "${t.w}"` });
  }
  // Weapon + place or time + someone to carry it: "Bringing my dad's rifle to campus on Monday".
  const w = idx(s, WEAPONS);
  if (w >= 0 && !textFrame.fiction && !textFrame.news) {
    const carry = s.some((x) => /^(have|got|bring|bringing|own|carry|carrying|loaded|enough|waiting|pack|packing)$/.test(x.w) || /^(bring|carry|own|have|wait|load|pack)$/.test(x.root));
    const target = s.some((x) => PLACES.has(x.w)) || timed || s.some((x) => /^(all|everyone|you|ur|your)$/.test(x.w));
    if (carry && target) out.push({ category: 'violence', start: s[0]!.start, end: s[s.length - 1]!.end, name: 'weapon with a place, time or target', weight: 0.85, severity: 'critical' });
    else weak.push({ category: 'violence', risk: 0.04, why: `weapon "${s[w]!.w}"` });
  }
  // Ominous mass-harm wording around a place or people.
  for (const p of MENACING) {
    const at = phrase(s, p);
    if (at >= 0) out.push({ category: 'violence', start: s[at]!.start, end: s[Math.min(s.length - 1, at + p.split(' ').length - 1)]!.end, name: 'menacing warning', weight: 0.8, severity: 'high' });
  }
  if (anyPhrase(s, WALK_OUT) && anyPhrase(s, NOBODY) && has(s, PLACES)) out.push({ category: 'violence', start: s[0]!.start, end: s[s.length - 1]!.end, name: 'menacing warning', weight: 0.8, severity: 'critical' });
}

function selfHarm(s: Tok[], out: FrameHit[], weak: WeakSignal[]): void {
  const first = has(s, FIRST);
  const negative = has(s, SELF_NEGATIVE) || anyPhrase(s, SELF_RECOVERY);
  const span = (name: string, weight: number) => out.push({ category: 'self_harm', start: s[0]!.start, end: s[s.length - 1]!.end, name, weight, severity: 'high' });
  if (negative) {
    if (has(s, SELF_METHOD) || anyPhrase(s, SELF_MENTION)) weak.push({ category: 'self_harm', risk: 0.03, why: 'self-harm mentioned in support or recovery' });
    return;
  }
  if (anyPhrase(s, SELF_IDIOM)) return;
  const intent = anyPhrase(s, SELF_INTENT);
  const method = has(s, SELF_METHOD);
  const goodbye = anyPhrase(s, GOODBYE);
  const hopeless = anyPhrase(s, HOPELESS);
  const timed = s.some(timeWord) || anyPhrase(s, SELF_TIME);
  const possession = s.some((x) => /^(counted|bought|saved|have|took|ready|got|keep|looking|sitting|swallowing|swallow)$/.test(x.w));
  if (first && intent && (method || timed)) span('self-harm intent with a method or a time', 0.92);
  else if (first && intent) span('self-harm intent', 0.8);
  else if (first && method && (possession || timed) && (hopeless || goodbye || timed || s.some((x) => /^(all|whole|enough)$/.test(x.w)))) span('self-harm method at hand', 0.85);
  else if (goodbye) span('goodbye message', 0.7);
  else if (first && hopeless) span('hopelessness', 0.6);
  else if (method && first) weak.push({ category: 'self_harm', risk: 0.12, why: 'a self-harm method in the first person' });
  else if (has(s, SELF_INTENT_ROOTS) && first) weak.push({ category: 'self_harm', risk: 0.04, why: 'death or dying in the first person' });
}

function harassment(s: Tok[], out: FrameHit[], weak: WeakSignal[]): void {
  const second = has(s, SECOND) || s.some((x) => x.w.startsWith('@'));
  const all = (name: string, weight: number, severity: Severity = 'medium') => out.push({ category: 'harassment', start: s[0]!.start, end: s[s.length - 1]!.end, name, weight, severity });
  if (anyPhrase(s, EXCLUSION)) {
    all('exclusion or death wish aimed at someone', 0.85, anyPhrase(s, DEATH_WISH) ? 'high' : 'medium');
    return;
  }
  if (anyPhrase(s, COMPARISON)) {
    all('dehumanising comparison or mockery', 0.75);
    return;
  }
  const i = idx(s, INSULT);
  if (i >= 0 && (second || s.some((x) => /^(she|he|this|her|his)$/.test(x.w)))) all(`insult "${s[i]!.w}" aimed at someone`, second ? 0.75 : 0.6);
  else if (i >= 0) weak.push({ category: 'harassment', risk: 0.05, why: `insulting word "${s[i]!.w}"` });
}

function hate(s: Tok[], textFrame: { news: boolean }, out: FrameHit[]): void {
  const g = idx(s, GROUP);
  if (g < 0 || textFrame.news) return;
  const rest = s.slice(g + 1);
  const generic = anyPhrase(s, GROUP_PHRASES) || s[g]!.tags.has('Plural') || /s$/.test(s[g]!.w) || s[g]!.w === 'women';
  const pred = rest.some((x) => DEHUMAN.has(x.w) || DEHUMAN.has(x.root)) || anyPhrase(rest, DEHUMAN_PHRASES);
  const good = anyPhrase(s, ONLY_GOOD) && anyPhrase(s, DEAD_ONE);
  if ((generic && pred) || good || (anyPhrase(s, SEND_THEM) && anyPhrase(s, BACK))) {
    out.push({ category: 'hate', start: s[0]!.start, end: s[s.length - 1]!.end, name: 'dehumanising a group', weight: 0.88, severity: 'high' });
  }
}

function sexual(s: Tok[], out: FrameHit[]): void {
  const at = (name: string, weight: number, severity: Severity = 'medium') => out.push({ category: 'sexual', start: s[0]!.start, end: s[s.length - 1]!.end, name, weight, severity });
  const solicit = s.some((x) => /^(send|show|dm|see|sext|want|wanna)$/.test(x.root) || /^(send|show|dm|sext)$/.test(x.w));
  const body = anyPhrase(s, SEXUAL_BODY);
  if (anyPhrase(s, SEXTORTION)) {
    at('sexual extortion', 0.9, 'high');
    return;
  }
  if ((solicit && (body || has(s, SEXUAL))) || anyPhrase(s, SEXUAL_EXPLICIT)) at('sexual solicitation or explicit content', 0.8);
}

export interface FrameResult {
  hits: FrameHit[];
  weak: WeakSignal[];
}

/** Analyse a text sentence by sentence; offsets of hits point into the original text. */
export function analyzeFrames(original: string): FrameResult {
  const hits: FrameHit[] = [];
  const weak: WeakSignal[] = [];
  const norm = normalizeForAnalysis(original.length > 20_000 ? original.slice(0, 20_000) : original);
  if (!mayMatter(norm.text)) return { hits, weak };
  const sents = tokens(norm.text);
  const all = sents.flat();
  const textFrame = { fiction: has(all, FRAME_FICTION), news: has(all, FRAME_NEWS) && !has(all, FIRST) };
  for (const s of sents) {
    threat(s, textFrame, hits, weak);
    selfHarm(s, hits, weak);
    harassment(s, hits, weak);
    hate(s, textFrame, hits);
    sexual(s, hits);
  }
  for (const h of hits) Object.assign(h, toOriginal(norm, h.start, h.end));
  return { hits, weak };
}
