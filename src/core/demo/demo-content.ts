import type { ContentSubmittedV1 } from '../queue/messages.js';

const SAMPLES: Array<[string, 'normal' | 'urgent']> = [
  ['Had a lovely walk by the river this morning, the autumn colours are amazing.', 'normal'],
  ['Does anyone know a good recipe for sourdough? Mine keeps coming out flat.', 'normal'],
  ['Buy cheap watches, click here http://spam.example/deal', 'normal'],
  ['you are an idiot and everyone here knows it', 'normal'],
  ['I will kill you if I see you at the game on Saturday', 'urgent'],
  ['Congrats to the team on the release, great work everyone!', 'normal'],
  ['FREE MONEY!!! limited offer, click here now http://win.example', 'normal'],
  ['What a loser, go back to wherever you came from', 'normal'],
  ['Reminder: the community meetup is on Thursday at 7pm.', 'normal'],
  ['Call me at 555-0134 or mail jane.doe@example.com for the files', 'normal'],
  ['This thread is stupid and so are you', 'normal'],
  ['I am going to hurt you, you know where I live', 'urgent'],
];

/** Demo content for `guardian demo` and the standalone first run: a realistic mix of clean and violating posts. */
export function demoMessages(now = new Date()): ContentSubmittedV1[] {
  const stamp = now.toISOString();
  const run = stamp.replace(/\D/g, '').slice(0, 14);
  return SAMPLES.map(([text, priority], i) => ({
    schemaVersion: 1 as const,
    contentId: `demo-${run}-${i + 1}`,
    authorId: `author-${(i % 5) + 1}`,
    text,
    priority,
    reportedBy: i % 3 === 0 ? `reporter-${i}` : undefined,
    reportReason: i % 3 === 0 ? 'reported by a community member' : undefined,
    submittedAt: stamp,
  }));
}
