// The IPC sender check's origin rule and the window-state file, without Electron.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOriginCheck } from '../../src/main/origin.js';
import { loadWindowState } from '../../src/main/window-state.js';

describe('own-origin check (IPC senders, navigation)', () => {
  it('accepts only app://guardian for built renderers, and never file://', () => {
    const ok = createOriginCheck('app://guardian/index.html');
    expect(ok('app://guardian/index.html')).toBe(true);
    expect(ok('app://guardian/index.html#/audit')).toBe(true);
    expect(ok('app://guardian/cases/42')).toBe(true);
    expect(ok('app://other/index.html')).toBe(false);
    expect(ok('app://guardian.evil/index.html')).toBe(false);
    expect(ok('app://user@guardian/index.html')).toBe(false);
    expect(ok('apps://guardian/index.html')).toBe(false);
    expect(ok('file:///opt/guardian/resources/app.asar/out/renderer/index.html')).toBe(false);
    expect(ok('file:///tmp/evil.html')).toBe(false);
    expect(ok('https://guardian/')).toBe(false);
    expect(ok('https://example.com/')).toBe(false);
    expect(ok('javascript:alert(1)')).toBe(false);
    expect(ok('not a url')).toBe(false);
  });

  it('refuses to be built for a file:// renderer', () => {
    expect(() => createOriginCheck('file:///opt/guardian/resources/app.asar/out/renderer/index.html')).toThrow(/app:\/\//);
  });

  it('accepts only the dev server origin in development', () => {
    const ok = createOriginCheck('http://localhost:5173/');
    expect(ok('http://localhost:5173/index.html')).toBe(true);
    expect(ok('http://localhost:5174/')).toBe(false);
    expect(ok('http://127.0.0.1:5173/')).toBe(false);
    expect(ok('app://guardian/index.html')).toBe(false);
    expect(ok('file:///tmp/evil.html')).toBe(false);
  });
});

describe('window state', () => {
  it('falls back to defaults and clamps bad values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-ws-'));
    try {
      expect(loadWindowState(dir)).toMatchObject({ width: 1280, height: 820, maximized: false });
      writeFileSync(join(dir, 'window-state.json'), JSON.stringify({ x: 10, y: 'no', width: 100, height: 900, maximized: true }));
      expect(loadWindowState(dir)).toEqual({ x: 10, y: undefined, width: 800, height: 900, maximized: true });
      writeFileSync(join(dir, 'window-state.json'), '{broken');
      expect(loadWindowState(dir).width).toBe(1280);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
