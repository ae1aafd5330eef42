// Writes resources/schemas/*.json from the zod message schemas (the public ingestion contract, DESIGN §5).
// Run: npx tsx scripts/gen-schemas.ts   (a test checks the committed files are up to date)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppealSubmittedV1, ContentSubmittedV1 } from '../src/core/queue/messages.js';

export const SCHEMAS = {
  'content.submitted.v1.json': ContentSubmittedV1,
  'appeal.submitted.v1.json': AppealSubmittedV1,
} as const;

export function renderSchema(name: string, schema: z.ZodType): string {
  const json = { $id: `https://guardian.invalid/schemas/${name}`, ...(z.toJSONSchema(schema, { io: 'input' }) as object) };
  return `${JSON.stringify(json, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'schemas');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, schema] of Object.entries(SCHEMAS)) fs.writeFileSync(path.join(dir, name), renderSchema(name, schema));
  process.stderr.write(`wrote ${Object.keys(SCHEMAS).length} schemas to ${dir}\n`);
}
