// Dead letters as the console, the CLI and the IPC contract see them (issue 15). Depends on zod alone.
import { z } from 'zod';

export const DeadLetterState = z.enum(['pending', 'replayed', 'discarded']);
export type DeadLetterState = z.infer<typeof DeadLetterState>;

export const DeadLetterSummary = z.object({
  id: z.number().int(),
  reason: z.string(),
  sourceQueue: z.string(),
  routingKey: z.string(),
  messageId: z.string().nullable(),
  contentType: z.string().nullable(),
  /** The size of the body as it was delivered. */
  bodyBytes: z.number(),
  /** Only an excerpt of a body over 512 KiB was kept (such a dead letter cannot be replayed). */
  bodyTruncated: z.boolean(),
  bodySha256: z.string().nullable(),
  attempts: z.number().int(),
  replays: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  timesSeen: z.number().int(),
  state: DeadLetterState,
  /** Set while a replay is on its way (state still pending) and after it was carried out. */
  replayRequestedBy: z.string().nullable(),
  replayRequestedAt: z.string().nullable(),
  doneBy: z.string().nullable(),
  doneAt: z.string().nullable(),
  /** The first characters of the body, as UTF-8 (invalid bytes shown as U+FFFD). */
  excerpt: z.string(),
});
export type DeadLetterSummary = z.infer<typeof DeadLetterSummary>;

export const DeadLetterDetail = DeadLetterSummary.extend({
  /** The whole stored body as text (UTF-8, invalid bytes as U+FFFD) and as base64 (exact). */
  body: z.string(),
  bodyBase64: z.string(),
  bodyIsUtf8: z.boolean(),
  headers: z.record(z.string(), z.unknown()),
  replayCommandId: z.string().nullable(),
});
export type DeadLetterDetail = z.infer<typeof DeadLetterDetail>;

export const DeadLetterActionResult = z.object({
  commandId: z.string(),
  /** accepted: the worker will replay them; applied: done (a discard, or a replay already carried out). */
  status: z.enum(['accepted', 'applied']),
  duplicate: z.boolean(),
  action: z.enum(['replay', 'discard']),
  ids: z.array(z.number().int()),
  skipped: z.array(z.object({ id: z.number().int(), why: z.string() })),
});
export type DeadLetterActionResult = z.infer<typeof DeadLetterActionResult>;

export const DeadLetterIds = z.array(z.number().int().positive()).min(1).max(1000);

export const DeadLettersQuery = z
  .object({ state: DeadLetterState.nullable().optional(), limit: z.number().int().min(1).max(1000).optional() })
  .strict();
export type DeadLettersQuery = z.infer<typeof DeadLettersQuery>;
