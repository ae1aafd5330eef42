import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/** Dev server only: relax the meta CSP for Vite's HMR and React Refresh; builds keep the strict one. */
const devCsp = (): Plugin => ({
  name: 'guardian-dev-csp',
  apply: 'serve',
  transformIndexHtml: (html) =>
    html
      .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
      .replace("connect-src 'self'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*"),
});

// Three bundles: main (the core + the shell), a sandboxed CommonJS preload, and the React renderer.
// src/devhost is never an entry here: the dev host is test/dev only and is not shipped in the app.
export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot be an ES module; bundle everything it needs (only electron stays external).
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    build: {
      // Minified: the renderer is parsed at every start before the first row shows (bench:ui).
      minify: 'esbuild',
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } },
    },
    plugins: [react(), devCsp()],
  },
});
