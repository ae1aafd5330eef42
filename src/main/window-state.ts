// Remembers window bounds in a small JSON file in userData.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserWindow } from 'electron';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

const DEFAULT: WindowState = { width: 1280, height: 820, maximized: false };

export function loadWindowState(dir: string): WindowState {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'window-state.json'), 'utf8')) as Partial<WindowState>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    return {
      x: num(s.x),
      y: num(s.y),
      width: Math.max(800, num(s.width) ?? DEFAULT.width),
      height: Math.max(560, num(s.height) ?? DEFAULT.height),
      maximized: s.maximized === true,
    };
  } catch {
    return DEFAULT;
  }
}

export function trackWindowState(win: BrowserWindow, dir: string): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    const state: WindowState = { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
    try {
      writeFileSync(join(dir, 'window-state.json'), JSON.stringify(state), { mode: 0o600 });
    } catch {
      // best effort: a read-only profile must not break the app
    }
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 400);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', save);
}
