// The app:// protocol handler (src/main/app-protocol.ts) under plain Node: real Request objects against a
// real directory laid out like out/renderer, with a secret file next to it that no URL may reach.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, createAppProtocolHandler } from '../../src/main/app-protocol.js';
import { CSP } from '../../src/main/csp.js';
import { REPO } from '../support/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gw-app-'));
const root = path.join(dir, 'renderer');
let handle: (r: Request) => Promise<Response>;
const get = (url: string, init?: RequestInit) => handle(new Request(url, init));
const navigate = (url: string) => get(url, { headers: { 'sec-fetch-mode': 'navigate', accept: 'text/html' } });

beforeAll(() => {
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Guardian</title>');
  writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(path.join(root, 'assets', 'logo.svg'), '<svg/>');
  writeFileSync(path.join(root, 'assets', 'blob.bin'), 'x');
  writeFileSync(path.join(dir, 'secret.txt'), 'not for the page');
  handle = createAppProtocolHandler({ root, csp: CSP });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('app:// protocol handler', () => {
  it('serves the renderer entry with the strict CSP, nosniff and the right type', async () => {
    const r = await get(APP_ENTRY_URL);
    expect(APP_ENTRY_URL).toBe('app://guardian/index.html');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toBe(CSP);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.text()).toContain('<title>Guardian</title>');
    // The root is the entry too.
    expect(await (await get('app://guardian/')).text()).toContain('<title>Guardian</title>');
  });

  it('keeps the CSP exactly as before (no inline script, no eval, no remote code)', () => {
    expect(CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it.each([
    ['assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ['assets/index-abc.css', 'text/css; charset=utf-8'],
    ['assets/logo.svg', 'image/svg+xml'],
    ['assets/blob.bin', 'application/octet-stream'],
  ])('serves %s as %s', async (file, type) => {
    const r = await get(`app://guardian/${file}?v=1#x`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(type);
    expect(r.headers.get('content-security-policy')).toBe(CSP);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.text()).toBe(readFileSync(path.join(root, file), 'utf8'));
  });

  // The attacker's list: every way a URL could name a file outside out/renderer, or another origin.
  it.each([
    'app://guardian/../secret.txt',
    'app://guardian/assets/../../secret.txt',
    'app://guardian/%2e%2e/secret.txt',
    'app://guardian/%2E%2e/secret.txt',
    'app://guardian/.%2e/secret.txt',
    'app://guardian/assets/%2e%2e/%2e%2e/secret.txt',
    'app://guardian/..%2fsecret.txt',
    'app://guardian/%2e%2e%2fsecret.txt',
    'app://guardian/..%5csecret.txt',
    'app://guardian/assets%2f..%2f..%2fsecret.txt',
    `app://guardian/${encodeURIComponent(path.join(dir, 'secret.txt'))}`,
    `app://guardian//${path.join(dir, 'secret.txt').replace(/^\//, '')}`,
    'app://guardian/C:%5cWindows%5cwin.ini',
    'app://guardian/%00index.html',
    'app://other/index.html',
    'app://guardian.evil/index.html',
    'file:///etc/passwd',
    'https://guardian/index.html',
  ])('refuses %s with 404 (CSP and nosniff still set)', async (url) => {
    const r = await navigate(url);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-security-policy')).toBe(CSP);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.text()).not.toContain('not for the page');
  });

  it('falls back to index.html only for a navigation to an extension-less path', async () => {
    const route = await navigate('app://guardian/cases/42');
    expect(route.status).toBe(200);
    expect(route.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await route.text()).toContain('<title>Guardian</title>');
    // A fetch of the same path, or a missing asset (with an extension), is not a navigation: 404.
    expect((await get('app://guardian/cases/42', { headers: { 'sec-fetch-mode': 'cors' } })).status).toBe(404);
    expect((await navigate('app://guardian/assets/missing.js')).status).toBe(404);
    expect((await get('app://guardian/assets/missing.js')).status).toBe(404);
  });

  it('answers only GET and HEAD', async () => {
    const head = await get(APP_ENTRY_URL, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-security-policy')).toBe(CSP);
    expect(await head.text()).toBe('');
    const post = await get(APP_ENTRY_URL, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('content-security-policy')).toBe(CSP);
  });

  it('does not serve a directory as a file', async () => {
    expect((await get('app://guardian/assets')).status).toBe(404);
  });

  it('serves the real built renderer when out/renderer exists (electron-vite build)', async (ctx) => {
    const built = path.join(REPO, 'out', 'renderer');
    let html: string;
    try {
      html = readFileSync(path.join(built, 'index.html'), 'utf8');
    } catch {
      return ctx.skip('out/renderer is not built (npm run build)');
    }
    const real = createAppProtocolHandler({ root: built, csp: CSP });
    const page = await real(new Request(APP_ENTRY_URL));
    expect(page.status).toBe(200);
    // Every script and stylesheet the page links resolves on the same origin with the right type.
    const refs = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const r = await real(new Request(new URL(ref, APP_ENTRY_URL).toString()));
      expect(r.status, ref).toBe(200);
      expect(r.headers.get('content-type'), ref).toMatch(ref.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      expect(r.headers.get('content-security-policy')).toBe(CSP);
    }
  });
});
