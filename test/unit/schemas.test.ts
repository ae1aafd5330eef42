import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { renderSchema, SCHEMAS } from '../../scripts/gen-schemas.js';
import { REPO } from '../support/cli.js';
import { parseIngest } from '../../src/core/queue/messages.js';

it('the committed JSON Schemas match the zod message schemas (run scripts/gen-schemas.ts)', () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    expect(fs.readFileSync(path.join(REPO, 'resources', 'schemas', name), 'utf8')).toBe(renderSchema(name, schema));
  }
});

it('accepts extra fields within v1 (forward compatible) and rejects what the contract forbids', () => {
  const base = { schemaVersion: 1, contentId: 'c1', authorId: 'a1', text: 'hello', submittedAt: '2026-01-01T00:00:00Z' };
  expect(parseIngest('content.submitted', Buffer.from(JSON.stringify({ ...base, futureField: 1 }))).kind).toBe('content');
  expect(() => parseIngest('content.submitted', Buffer.from(JSON.stringify({ ...base, priority: 'asap' })))).toThrow(/priority/);
  expect(() => parseIngest('content.submitted', Buffer.from(JSON.stringify({ ...base, submittedAt: 'yesterday' })))).toThrow(/submittedAt/);
  expect(() => parseIngest('content.deleted', Buffer.from(JSON.stringify(base)))).toThrow(/unknown routing key/);
  expect(() => parseIngest('appeal.submitted', Buffer.from(JSON.stringify({ ...base, reason: '' })))).toThrow(/reason/);
});
