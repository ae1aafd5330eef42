// Issue 15: the dashboard's Chart.js configurations (features/dashboard/Charts.tsx) — series told apart
// without colour, no animation, gaps where there is no data, whole-number count axes, round time ticks.
import { describe, expect, it } from 'vitest';

// Charts.tsx is outside tsconfig.node.json's file list, so it is loaded by a path tsc does not follow, with
// the signatures under test stated here (as format-human.test.ts loads format.ts).
interface Series {
  name: string;
  values: Array<number | null>;
}
interface Palette {
  text: string;
  muted: string;
  border: string;
  panel: string;
  series: string[];
  bars: string[];
  font: string;
}
type Cfg = { type: string; data: { labels: string[]; datasets: any[] }; options: any; plugins?: any[] };
interface ChartsModule {
  lineConfig(s: { labels: string[]; series: Series[]; max?: number; format: (v: number) => string; integer?: boolean }, p: Palette): Cfg;
  stackedConfig(s: { labels: string[]; series: Series[]; format: (v: number) => string }, p: Palette): Cfg;
  hbarConfig(s: { labels: string[]; series: Series[]; format: (v: number | null) => string; seconds?: boolean }, p: Palette): Cfg;
  secondsStep(max: number): number;
  fmtAxisSeconds(v: number): string;
}
const CHARTS = '../../src/renderer/src/features/dashboard/Charts.js';
const { lineConfig, stackedConfig, hbarConfig, secondsStep, fmtAxisSeconds } = (await import(CHARTS)) as ChartsModule;

const LIGHT: Palette = { text: '#111', muted: '#555', border: '#ddd', panel: '#fff', series: ['#2457d6', '#b42318'], bars: ['#2457d6', '#9a6700', '#5c6570'], font: 'system-ui' };
const DARK: Palette = { ...LIGHT, text: '#eee', panel: '#171a21', series: ['#6e9bff', '#ff8a80'], bars: ['#6e9bff', '#f3c34b', '#9aa3ad'] };
const labels = ['1 Dec', '2 Dec', '3 Dec'];

describe('dashboard charts (Chart.js configurations)', () => {
  it('lines differ by dash and marker as well as colour, break at nulls, and never animate', () => {
    const c = lineConfig({ labels, series: [{ name: 'a', values: [1, null, 2] }, { name: 'b', values: [0, 1, null] }], format: String, integer: true }, LIGHT);
    const [a, b] = c.data.datasets;
    expect(c.type).toBe('line');
    expect(a.borderDash).toEqual([]);
    expect(b.borderDash.length).toBeGreaterThan(0);
    expect(a.pointStyle).not.toBe(b.pointStyle);
    expect(a.borderColor).toBe('#2457d6');
    expect(a.data).toEqual([1, null, 2]);
    expect(a.spanGaps).toBe(false);
    expect(c.options.animation).toBe(false);
    expect(c.options.scales.y.ticks.precision).toBe(0);
    expect(c.options.scales.y.min).toBe(0);
  });

  it('rates are drawn on a fixed 0–100 % axis', () => {
    const c = lineConfig({ labels, series: [{ name: 'r', values: [0.5, 1, null] }], max: 1, format: (v) => `${Math.round(v * 100)}%` }, LIGHT);
    expect(c.options.scales.y.max).toBe(1);
    expect(c.options.scales.y.ticks.callback(0.5)).toBe('50%');
  });

  it('takes its colours from the palette it is given (the theme)', () => {
    const s = { labels, series: [{ name: 'a', values: [1, 2, 3] }], format: String };
    expect(lineConfig(s, DARK).data.datasets[0].borderColor).toBe('#6e9bff');
    expect(lineConfig(s, DARK).options.scales.x.ticks.color).toBe(DARK.muted);
    expect(stackedConfig(s, DARK).data.datasets[0].backgroundColor).toBe('#6e9bff');
  });

  it('stacks outcome bars on whole-number counts', () => {
    const c = stackedConfig({ labels, series: [{ name: 'a', values: [1, 2, 3] }, { name: 'b', values: [0, 1, 0] }], format: String }, LIGHT);
    expect(c.type).toBe('bar');
    expect(c.options.scales.x.stacked).toBe(true);
    expect(c.options.scales.y.stacked).toBe(true);
    expect(c.options.scales.y.ticks.precision).toBe(0);
    expect(c.options.animation).toBe(false);
  });

  it('horizontal bars write their values and put time on round ticks', () => {
    const fmt = (v: number | null) => (v === null ? '—' : `${v} s`);
    const c = hbarConfig({ labels: ['mod-1', 'a-very-long-moderator-name'], series: [{ name: 'median', values: [270, 740] }], format: fmt, seconds: true }, LIGHT);
    expect(c.options.indexAxis).toBe('y');
    expect(c.data.labels[1]).toBe('a-very-long-mod…');
    expect(c.options.plugins.guardianValues.format).toBe(fmt);
    expect(c.plugins?.map((p) => p.id)).toEqual(['guardianValues']);
    expect(c.options.scales.x.ticks.stepSize).toBe(300);
    expect(c.options.scales.x.ticks.callback(600)).toBe('10 min');
    expect(secondsStep(948)).toBe(300);
    expect(secondsStep(100)).toBe(30);
    expect(fmtAxisSeconds(90)).toBe('90 s');
    expect(fmtAxisSeconds(5400)).toBe('90 min');
    expect(fmtAxisSeconds(9000)).toBe('2.5 h');
  });
});
