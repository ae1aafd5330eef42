import { ESLint } from 'eslint';
import { expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

const eslint = new ESLint({ cwd: REPO });
const lint = async (code: string, filePath: string) => (await eslint.lintText(code, { filePath }))[0]!.messages.map((m) => m.message);

it('the source tree respects its boundaries (eslint)', async () => {
  const results = await eslint.lintFiles(['src']);
  const errors = results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath}:${m.line} ${m.message}`));
  expect(errors).toEqual([]);
}, 120_000);

it('flags a core module importing electron or the UI, and a renderer module importing the core or Node', async () => {
  expect(await lint("import { app } from 'electron';\n", 'src/core/x.ts')).toEqual([expect.stringMatching(/plain Node/)]);
  expect(await lint("import { x } from '../renderer/y.js';\n", 'src/core/x.ts')).toEqual([expect.stringMatching(/plain Node/)]);
  expect(await lint("import { createCore } from '../core/core.js';\n", 'src/renderer/x.ts')).toEqual([expect.stringMatching(/sandboxed page/)]);
  expect(await lint("import fs from 'node:fs';\n", 'src/renderer/x.ts')).toEqual([expect.stringMatching(/sandboxed page/)]);
  expect(await lint("import pg from 'pg';\n", 'src/shared/x.ts')).toEqual([expect.stringMatching(/zod alone/)]);
  expect(await lint("import { z } from 'zod';\nimport { A } from './domain.js';\n", 'src/shared/x.ts')).toEqual([]);
});
