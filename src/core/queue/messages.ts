// DESIGN §5: the public ingestion contract. Stable: tools outside this repo publish these.
// resources/schemas/*.json are generated from these zod schemas (scripts/gen-schemas.ts).
import { z } from 'zod';
import { Priority, UserId } from '../../shared/domain.js';
import { PermanentError } from './bus.js';

/** Longest text accepted; a longer one is dead-lettered with the reason (a post, not a book). */
export const MAX_TEXT_CHARS = 50_000;
const Id = z.string().trim().min(1).max(256);
const Timestamp = z.iso.datetime({ offset: true });

export const ContentSubmittedV1 = z.object({
  schemaVersion: z.literal(1),
  contentId: Id,
  authorId: Id,
  text: z.string().min(1).max(MAX_TEXT_CHARS, `text exceeds ${MAX_TEXT_CHARS} characters`),
  url: z.url().max(2048).optional(),
  reportedBy: Id.optional(),
  reportReason: z.string().max(2000).optional(),
  priority: Priority.optional(),
  submittedAt: Timestamp,
});
export type ContentSubmittedV1 = z.infer<typeof ContentSubmittedV1>;

export const AppealSubmittedV1 = z.object({
  schemaVersion: z.literal(1),
  contentId: Id,
  authorId: Id,
  reason: z.string().trim().min(1).max(5000),
  submittedAt: Timestamp,
});
export type AppealSubmittedV1 = z.infer<typeof AppealSubmittedV1>;

export const INGEST_ROUTING_KEYS = ['content.submitted', 'appeal.submitted'] as const;
export type IngestRoutingKey = (typeof INGEST_ROUTING_KEYS)[number];

export type IngestMessage =
  | { kind: 'content'; msg: ContentSubmittedV1 }
  | { kind: 'appeal'; msg: AppealSubmittedV1 };

/** Internal work items: ids only, the database holds the truth. */
export const AnalysisJob = z.object({ caseId: z.uuid() });
export const CommandJob = z.object({ commandId: z.string().min(1), caseId: z.uuid() });
export type CommandJob = z.infer<typeof CommandJob>;

function describe(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'message'}: ${i.message}`)
    .join('; ');
}

/** Parses a delivery on the ingest queue. Throws PermanentError (dead-letter) with a readable reason. */
export function parseIngest(routingKey: string, body: Buffer): IngestMessage {
  if (!(INGEST_ROUTING_KEYS as readonly string[]).includes(routingKey))
    throw new PermanentError(`unknown routing key "${routingKey}"`);
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new PermanentError(`malformed JSON: ${(err as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new PermanentError('message is not a JSON object');
  const version = (json as { schemaVersion?: unknown }).schemaVersion;
  if (version !== 1)
    throw new PermanentError(
      version === undefined ? 'missing schemaVersion (supported: 1)' : `unsupported schemaVersion ${JSON.stringify(version)} (supported: 1)`,
    );
  const schema = routingKey === 'content.submitted' ? ContentSubmittedV1 : AppealSubmittedV1;
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new PermanentError(`invalid ${routingKey} v1: ${describe(parsed.error)}`);
  return routingKey === 'content.submitted'
    ? { kind: 'content', msg: parsed.data as ContentSubmittedV1 }
    : { kind: 'appeal', msg: parsed.data as AppealSubmittedV1 };
}

// Re-exported for the CLI's validation of `--as` ids.
export { UserId };
