// Long-form spam (issue 11): e-mail style scams rarely repeat a stock phrase, but they combine a few
// kinds of bait — money or a prize, pharma, an account "problem", an investment promise — with
// pressure (urgency, secrecy), a way to respond (a link, a reply with your details) and shouting.
// Each kind counts once; spam needs at least one bait kind and enough of the others. Word-level, on
// lower-cased tokens; no corpus was used to tune it (see resources/eval/README.md).
import type { FrameHit } from './frames.js';

const KINDS: Array<{ name: string; bait: boolean; weight: number; words: RegExp }> = [
  { name: 'money or prize bait', bait: true, weight: 0.45, words: /\b(?:lottery|jackpot|winnings|awarded|prize|beneficiary|next of kin|inheritance|dormant account|abandoned account|transfer (?:the|these) funds|sum of|million (?:usd|dollars|gbp|pounds)|processing fee|redelivery fee|giveaway|free iphone|financial freedom|make money|earn \$?\d|per (?:hour|day|week|month)|\d+ ?% (?:daily|off)|guaranteed|100x|daily returns|risk free|100% risk)\b/gi },
  { name: 'pharma', bait: true, weight: 0.55, words: /\b(?:viagra|cialis|levitra|xanax|valium|ambien|propecia|tramadol|no prescription|without prescription|online pharmacy|lose \d+ pounds|keto\w*)\b/gi },
  { name: 'account phishing', bait: true, weight: 0.5, words: /\b(?:verify (?:your )?(?:account|identity|details)|confirm your (?:identity|information|details)|account (?:has been |will be )?(?:limited|suspended|locked|on hold|compromised)|unusual activity|unknown device|permanent(?:ly)? (?:suspended|closure)|update your (?:payment|delivery) details|membership is on hold)\b/gi },
  { name: 'goods and followers', bait: true, weight: 0.4, words: /\b(?:replica|replicas|followers|seo|first page of google|presale|bitcoin|btc|crypto|mining pool|sunglasses \d+% off|90% off|80% off)\b/gi },
  { name: 'pressure', bait: false, weight: 0.3, words: /\b(?:urgent|immediately|within (?:\d+|twenty-four) hours|today only|limited (?:time|slots|spots)|spots are limited|hurry|only \d+ left|before it'?s too late|price goes up|once in a lifetime|don'?t miss|do not tell anyone|act now)\b/gi },
  { name: 'respond with details', bait: false, weight: 0.3, words: /\b(?:bank details|full name|private (?:phone|email)|phone number|reply (?:yes|with)|kindly|dear (?:friend|valued customer|customer|beneficiary|sir)|click (?:here|the link)|visit us|order at|apply now|register|claim (?:yours|your)|contact our|whatsapp|telegram|dm now|unsubscribe)\b/gi },
  { name: 'link', bait: false, weight: 0.25, words: /\bhttps?:\/\/[^\s<>"']+|\bwww\.[^\s<>"']+|\b[a-z0-9-]+\.(?:xyz|top|click|biz|loan|win|ru|tk|info|cc)\b(?:\/[^\s<>"']*)?|\bbit\.ly\/\S+|\bt\.me\/\S+/gi },
];

/** One spam hit for the whole text, or none. */
export function analyzeSpam(text: string): FrameHit | null {
  if (text.length < 40) return null;
  const found: Array<{ name: string; weight: number; at: number; end: number; bait: boolean }> = [];
  for (const k of KINDS) {
    k.words.lastIndex = 0;
    const m = k.words.exec(text);
    if (m) found.push({ name: k.name, weight: k.weight, at: m.index, end: m.index + m[0].length, bait: k.bait });
  }
  const letters = text.replace(/[^A-Za-z]/g, '');
  const upper = letters.replace(/[^A-Z]/g, '').length;
  if (letters.length >= 30 && upper / letters.length > 0.45) found.push({ name: 'shouting', weight: 0.2, at: 0, end: 0, bait: false });
  if (/!{3,}|\${2,}/.test(text)) found.push({ name: 'exclamations', weight: 0.15, at: 0, end: 0, bait: false });
  const baits = found.filter((f) => f.bait);
  if (!baits.length || found.length < 2) return null;
  const confidence = 1 - found.reduce((p, f) => p * (1 - f.weight), 1);
  if (confidence < 0.6) return null;
  const first = baits[0]!;
  return { category: 'spam', start: first.at, end: first.end, name: `spam signals: ${found.map((f) => f.name).join(', ')}`, weight: Math.min(0.95, confidence), severity: 'low' };
}
