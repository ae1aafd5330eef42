// Boundary rules (STYLE 9): the core runs headless, the renderer is a browser page, shared is zod only.
import tseslint from 'typescript-eslint';

const restrict = (patterns, message) => ({ 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] });

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.scratch/**'] },
  {
    files: ['**/*.{ts,tsx,mts}'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict(['electron', 'electron/*', '**/main/**', '**/preload/**', '**/renderer/**', '**/devhost/**'], 'src/core runs under plain Node: no Electron, shell or UI imports (use a port).'),
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: restrict(
      ['**/core/**', 'electron', 'node:*', 'pg', 'amqplib', 'amqp-connection-manager', 'fs', 'path', 'child_process', 'net', 'os', 'crypto', '@langchain/*'],
      'The renderer is a sandboxed page: it talks to the core only through lib/api.ts (window.api).',
    ),
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!zod(/.*)?$|\\./)', message: 'src/shared is the contract: it depends on zod alone.' }] }],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: restrict(['**/core/**', 'node:*', 'pg', 'amqplib'], 'The preload only bridges the contract; it never touches the core.'),
  },
);
