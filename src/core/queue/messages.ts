// DESIGN §5: the public ingestion contract. Stable: tools outside this repo publish these.
// resources/schemas/*.json are generated from these zod schemas (scripts/gen-schemas.ts).
import { z } from 'zod';
import { Priority, UserId } from '../../shared/domain.js';
import { PermanentError } from './bus.js';

/** Longest text accepted; a longer one is dead-lettered with the reason (a post, not a book). */
export const MAX_TEXT_CHARS = 50_000;
/**
 * Largest body parsed at all. A valid message is far smaller (50,000 characters written as \uXXXX escapes are
 * 300 KB); a bigger one is dead-lettered without being parsed, and guardian.dead keeps an excerpt of it.
 */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

// PostgreSQL text cannot hold a NUL (an insert fails, so the message was retried until it was dead-lettered
// with a database error), and a lone surrogate (legal in JSON as "\ud800", not in UTF-8) was stored as U+FFFD.
// Both are bad input: refused here, on the first delivery, with the field named.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function storable(s: string, ctx: z.core.$RefinementCtx<string>) {
  if (s.includes('\u0000')) ctx.addIssue({ code: 'custom', message: 'must not contain a NUL character (U+0000)' });
  if (LONE_SURROGATE.test(s)) ctx.addIssue({ code: 'custom', message: 'must not contain a lone surrogate (not a Unicode character)' });
}
const Str = () => z.string().superRefine(storable);
const Id = Str().trim().min(1).max(256);
const Timestamp = z.iso.datetime({ offset: true });
/** A link to the content: a web address only (no javascript:, data:, file: …). */
const WEB_URL = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/[^/?#\s]/;
const WebUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
  .max(2048)
  .superRefine((s, ctx) => {
    if (!WEB_URL.test(s)) ctx.addIssue({ code: 'custom', message: 'must be an http or https URL' });
    storable(s, ctx);
  })
  // For the JSON Schema (resources/schemas): what the refinement checks, as a pattern beside format "uri".
  .meta({ pattern: WEB_URL.source });

export const ContentSubmittedV1 = z.object({
  schemaVersion: z.literal(1),
  contentId: Id,
  authorId: Id,
  text: Str().min(1).max(MAX_TEXT_CHARS, `text exceeds ${MAX_TEXT_CHARS} characters`),
  url: WebUrl.optional(),
  reportedBy: Id.optional(),
  reportReason: Str().max(2000).optional(),
  priority: Priority.optional(),
  submittedAt: Timestamp,
});
export type ContentSubmittedV1 = z.infer<typeof ContentSubmittedV1>;

export const AppealSubmittedV1 = z.object({
  schemaVersion: z.literal(1),
  contentId: Id,
  authorId: Id,
  reason: Str().trim().min(1).max(5000),
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
  return [...new Set(err.issues.map((i) => `${i.path.length ? i.path.join('.') : 'message'}: ${i.message}`))].slice(0, 5).join('; ');
}

/** The top-level fields whose values hold the replacement character once the body is decoded leniently. */
function invalidUtf8Fields(body: Buffer): string {
  try {
    const json = JSON.parse(body.toString('utf8')) as unknown;
    if (json && typeof json === 'object' && !Array.isArray(json)) {
      const fields = Object.entries(json).filter(([, v]) => JSON.stringify(v).includes('\uFFFD')).map(([k]) => k);
      if (fields.length) return fields.join(', ');
    }
  } catch {
    // not JSON either: the body as a whole
  }
  return 'body';
}

/** Parses a delivery on the ingest queue. Throws PermanentError (dead-letter) with a readable reason. */
export function parseIngest(routingKey: string, body: Buffer): IngestMessage {
  if (!(INGEST_ROUTING_KEYS as readonly string[]).includes(routingKey))
    throw new PermanentError(`unknown routing key "${routingKey}"`);
  if (body.length > MAX_BODY_BYTES)
    throw new PermanentError(`invalid ${routingKey} v1: body: ${body.length} bytes, more than the ${MAX_BODY_BYTES} a message may have`);
  let json: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    // Decoding would replace the bad bytes with U+FFFD and store that: refuse, naming the fields they are in.
    throw new PermanentError(`invalid ${routingKey} v1: ${invalidUtf8Fields(body)}: not valid UTF-8 (a lone surrogate or a broken byte sequence)`);
  }
  try {
    json = JSON.parse(text);
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
