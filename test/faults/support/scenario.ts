import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { expect } from 'vitest';
import { TEXT } from '../../support/harness.js';
import { waitFor } from '../../support/isolation.js';
import { checkInvariants, decideUntilAnswered, publishAll, waitSettled, type Rig } from './rig.js';

/**
 * Work under way when the fault strikes: `reviews` threats already waiting for a moderator, who decides
 * them all (decision jobs, platform actions), while the platform publishes `load` more messages (spam:
 * an automatic warning; threats: a review; clean: resolved). The fault is injected once the worker is
 * busy with both; then everything must settle and the checker's invariants hold.
 */
export interface FaultContext {
  /** Starts the second half of the platform's publishing (call it while the fault lasts); resolves when it started. */
  publishMore(): void;
  /** The platform's publisher: 'failed' (a publish to resend), 'blocked', 'confirmed'. */
  publisher: EventEmitter;
}

export async function underLoad(rig: Rig, o: { tag: string; reviews?: number; load?: number; fault: (ctx: FaultContext) => Promise<void> }) {
  const reviews = o.reviews ?? 16;
  const load = o.load ?? 60;
  const first = Array.from({ length: reviews }, (_, i) => ({ contentId: `${o.tag}-r${i}`, text: TEXT.threat }));
  await publishAll(rig.amqpUrl, first);
  await waitFor(async () => (await rig.reader.query(`SELECT count(*)::int AS n FROM cases WHERE status = 'awaiting_review'`)).rows[0].n === reviews, {
    timeoutMs: 60_000,
    message: `${reviews} cases awaiting review`,
  });
  const { rows: toDecide } = await rig.reader.query<{ id: string }>(`SELECT id FROM cases WHERE status = 'awaiting_review' ORDER BY content_id`);

  const texts = [TEXT.spam, TEXT.threat, TEXT.clean];
  const more = Array.from({ length: load }, (_, i) => ({ contentId: `${o.tag}-l${i}`, text: texts[i % 3]! }));
  const half = Math.floor(load / 2);
  const publisher = new EventEmitter();
  const publishingA = publishAll(rig.amqpUrl, more.slice(0, half), { events: publisher });
  let publishingB: ReturnType<typeof publishAll> | undefined;
  const deciding = (async () => {
    for (const c of toDecide) await decideUntilAnswered(rig, c.id, randomUUID());
  })();
  // Busy on both paths: platform actions executing and new content being analysed.
  await waitFor(async () => rig.stub.requests.length >= 3 && (await rig.reader.query(`SELECT count(*)::int AS n FROM cases`)).rows[0].n >= reviews + 5, {
    timeoutMs: 60_000,
    message: 'the worker busy with decisions and new content',
  });
  await o.fault({ publisher, publishMore: () => void (publishingB ??= publishAll(rig.amqpUrl, more.slice(half), { events: publisher })) });
  const published = { resends: (await publishingA).resends + (await (publishingB ?? publishAll(rig.amqpUrl, more.slice(half), { events: publisher }))).resends };
  await deciding;

  const all = [...first, ...more].map((m) => m.contentId);
  await waitSettled(rig, all);
  const inv = await checkInvariants(rig, all);
  expect(inv.lost).toEqual([]);
  expect(inv.duplicatedEffects).toEqual([]);
  expect(inv.stuckCommands).toEqual([]);
  expect(inv.stuckCases).toEqual([]);
  expect(inv.auditProblems).toEqual([]);
  expect(inv.auditOk).toBe(true);
  // Exactly the effects the work calls for: one removal per decided review, one warning per spam case.
  const { rows: cases } = await rig.reader.query(`SELECT count(*)::int AS n, count(DISTINCT content_id)::int AS d FROM cases`);
  expect(cases[0]).toEqual({ n: reviews + load, d: reviews + load });
  const { rows: actions } = await rig.reader.query(`SELECT kind, status, count(*)::int AS n FROM actions GROUP BY kind, status ORDER BY kind`);
  expect(actions).toEqual([
    { kind: 'remove_content', status: 'done', n: reviews },
    { kind: 'warn_user', status: 'done', n: load / 3 },
  ]);
  expect(rig.stub.executed.size).toBe(reviews + load / 3);
  return { resends: published.resends, inv };
}
