// The dashboard's charts, drawn by Chart.js (a well-kept charting library; only the pieces used here are
// registered, so the bundle carries bar and line charts on category/linear scales and nothing else).
// Each chart is a figure: the canvas is one image with a spoken summary (role="img", aria-label), and the
// exact figures are a real table behind it — in the accessibility tree always (visually hidden), shown on
// screen with "Show table". Colours come from the theme's CSS variables (light and dark, re-read when the
// theme changes), and series differ by more than colour: dashes and marker shapes for lines, hatching for
// bars, a legend for every chart. No animation (reduced motion, deterministic screenshots).
import { createContext, useContext, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
  type Plugin,
} from 'chart.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip);

export interface Series {
  name: string;
  values: Array<number | null>;
}

/** The theme's colours and font, as the chart draws them. */
export interface Palette {
  text: string;
  muted: string;
  border: string;
  panel: string;
  /** series colours, in order */
  series: string[];
  bars: string[];
  font: string;
}

const FALLBACK: Palette = { text: '#1b1f24', muted: '#5c6570', border: '#d8dde3', panel: '#ffffff', series: ['#2457d6', '#b42318'], bars: ['#2457d6', '#9a6700', '#5c6570'], font: 'system-ui, sans-serif' };

/** Reads the palette from the CSS variables of the theme in force (styles.css :root / [data-theme]). */
export function readPalette(el: Element = document.documentElement): Palette {
  const cs = getComputedStyle(el);
  const v = (name: string, fb: string) => cs.getPropertyValue(name).trim() || fb;
  const accent = v('--accent', FALLBACK.series[0]!);
  const muted = v('--muted', FALLBACK.muted);
  return {
    text: v('--text', FALLBACK.text),
    muted,
    border: v('--border', FALLBACK.border),
    panel: v('--panel', FALLBACK.panel),
    series: [accent, v('--bad', FALLBACK.series[1]!)],
    bars: [accent, v('--warn', FALLBACK.bars[1]!), muted],
    font: getComputedStyle(document.body ?? el).fontFamily || FALLBACK.font,
  };
}

/** The theme (html[data-theme]) as it changes: App sets the attribute, the charts redraw in its colours. */
function useTheme(): string {
  const [theme, setTheme] = useState(() => document.documentElement.dataset.theme ?? '');
  useEffect(() => {
    const html = document.documentElement;
    const mo = new MutationObserver(() => setTheme(html.dataset.theme ?? ''));
    mo.observe(html, { attributes: true, attributeFilter: ['data-theme'] });
    setTheme(html.dataset.theme ?? '');
    return () => mo.disconnect();
  }, []);
  return theme;
}

// Line series: solid with round markers, then dashed with square markers (the SVG charts' convention).
const LINE_DASH: number[][] = [[], [6, 3]];
const POINT_STYLE = ['circle', 'rect', 'triangle'] as const;
const LINE_WIDTH = [3, 2];

/** Bar fills: plain, diagonal hatching, dots — so stacked or paired bars differ without their colour. */
function barFill(colour: string, i: number, bg: string): string | CanvasPattern {
  if (i === 0 || typeof document === 'undefined') return colour;
  const c = document.createElement('canvas');
  c.width = c.height = 8;
  const g = c.getContext('2d');
  if (!g) return colour;
  g.fillStyle = colour;
  g.fillRect(0, 0, 8, 8);
  g.strokeStyle = bg;
  g.fillStyle = bg;
  if (i === 1) {
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(0, 8);
    g.lineTo(8, 0);
    g.moveTo(-2, 2);
    g.lineTo(2, -2);
    g.moveTo(6, 10);
    g.lineTo(10, 6);
    g.stroke();
  } else {
    g.beginPath();
    g.arc(4, 4, 1.5, 0, Math.PI * 2);
    g.fill();
  }
  return g.createPattern(c, 'repeat') ?? colour;
}

function base(p: Palette) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    events: ['mousemove', 'mouseout', 'click'] as Array<'mousemove' | 'mouseout' | 'click'>,
    interaction: { mode: 'index' as const, intersect: false },
    layout: { padding: { top: 6, right: 8 } },
    plugins: { tooltip: { enabled: true, animation: false as const, backgroundColor: p.text, titleColor: p.panel, bodyColor: p.panel } },
  };
}

function axis(p: Palette) {
  return {
    grid: { color: p.border },
    border: { color: p.border },
    ticks: { color: p.muted, font: { family: p.font, size: 11 } },
  };
}

export interface LineSpec {
  labels: string[];
  series: Series[];
  max?: number;
  format: (v: number) => string;
  integer?: boolean;
}

/** Lines over the buckets; a null value breaks its line (no data, e.g. no decisions in that bucket). */
export function lineConfig(s: LineSpec, p: Palette): ChartConfiguration<'line', Array<number | null>, string> {
  const a = axis(p);
  return {
    type: 'line',
    data: {
      labels: s.labels,
      datasets: s.series.map((x, i) => ({
        label: x.name,
        data: x.values,
        borderColor: p.series[i % p.series.length],
        backgroundColor: p.series[i % p.series.length],
        borderWidth: LINE_WIDTH[i % LINE_WIDTH.length],
        borderDash: LINE_DASH[i % LINE_DASH.length],
        pointStyle: POINT_STYLE[i % POINT_STYLE.length],
        pointRadius: 3,
        pointHoverRadius: 4,
        spanGaps: false,
        tension: 0,
        // markers at 100 % or on the last bucket are drawn whole, not cut by the plot's edge
        clip: 6,
      })),
    },
    options: {
      ...base(p),
      scales: {
        x: { ...a, grid: { display: false }, ticks: { ...a.ticks, autoSkip: true, maxTicksLimit: 8, maxRotation: 0 } },
        y: {
          ...a,
          min: 0,
          ...(s.max !== undefined ? { max: s.max } : { suggestedMax: s.integer ? 2 : undefined }),
          ticks: { ...a.ticks, maxTicksLimit: 5, precision: s.integer ? 0 : undefined, callback: (v) => s.format(Number(v)) },
        },
      },
    },
  };
}

export interface BarSpec {
  labels: string[];
  series: Series[];
  format: (v: number) => string;
}

/** Stacked bars, one per bucket. */
export function stackedConfig(s: BarSpec, p: Palette): ChartConfiguration<'bar', Array<number | null>, string> {
  const a = axis(p);
  return {
    type: 'bar',
    data: {
      labels: s.labels,
      datasets: s.series.map((x, i) => ({
        label: x.name,
        data: x.values,
        backgroundColor: barFill(p.bars[i % p.bars.length]!, i, p.panel),
        borderColor: p.panel,
        borderWidth: { top: 1 },
        categoryPercentage: 0.8,
        barPercentage: 0.9,
      })),
    },
    options: {
      ...base(p),
      scales: {
        x: { ...a, stacked: true, grid: { display: false }, ticks: { ...a.ticks, autoSkip: true, maxTicksLimit: 8, maxRotation: 0 } },
        y: { ...a, stacked: true, min: 0, suggestedMax: 2, ticks: { ...a.ticks, maxTicksLimit: 5, precision: 0, callback: (v) => s.format(Number(v)) } },
      },
    },
  };
}

export interface HBarSpec {
  labels: string[];
  series: Series[];
  format: (v: number | null) => string;
  /** values are seconds: ticks fall on round minutes/hours, not on 8.3 min */
  seconds?: boolean;
}

const SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400];
/** An axis tick in seconds: "90 s", "5 min", "1.5 h" (the values beside the bars keep their own format). */
export function fmtAxisSeconds(v: number): string {
  if (v < 120) return `${v} s`;
  if (v < 7200) return `${Number((v / 60).toFixed(1))} min`;
  return `${Number((v / 3600).toFixed(1))} h`;
}

/** A tick step for an axis of seconds up to `max`: the smallest round step giving at most 5 intervals. */
export function secondsStep(max: number): number {
  for (const s of SECOND_STEPS) if (max / s <= 5) return s;
  return Math.ceil(max / 5 / 86400) * 86400;
}

interface ValueLabelOptions {
  format?: (v: number | null) => string;
  colour?: string;
  font?: string;
}
declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    guardianValues?: ValueLabelOptions;
  }
}

/**
 * Writes each bar's value just past its end (horizontal bars). One plugin object for every chart; what it
 * writes and in which colour come from the chart's options (options.plugins.guardianValues), so a theme or
 * data update reaches it through the options like everything else.
 */
const valueLabels: Plugin<'bar', ValueLabelOptions> = {
  id: 'guardianValues',
  afterDatasetsDraw(chart, _args, o) {
    if (!o?.format) return;
    const g = chart.ctx;
    g.save();
    g.font = `11px ${o.font ?? 'sans-serif'}`;
    g.fillStyle = o.colour ?? '#000';
    g.textBaseline = 'middle';
    chart.data.datasets.forEach((ds, di) => {
      const meta = chart.getDatasetMeta(di);
      if (meta.hidden) return;
      meta.data.forEach((bar, i) => {
        const t = o.format!((ds.data[i] as number | null | undefined) ?? null);
        if (t) g.fillText(t, bar.x + 6, bar.y);
      });
    });
    g.restore();
  },
};

/** Horizontal bars, one row per label, one bar per series in each row; the value written beside it. */
export function hbarConfig(s: HBarSpec, p: Palette): ChartConfiguration<'bar', Array<number | null>, string> {
  const a = axis(p);
  return {
    type: 'bar',
    data: {
      labels: s.labels.map((l) => (l.length > 16 ? `${l.slice(0, 15)}…` : l)),
      datasets: s.series.map((x, i) => ({
        label: x.name,
        data: x.values,
        backgroundColor: barFill(p.bars[i % p.bars.length]!, i, p.panel),
        maxBarThickness: 18,
        categoryPercentage: 0.8,
        barPercentage: 0.9,
        minBarLength: 1,
      })),
    },
    options: {
      ...base(p),
      indexAxis: 'y',
      interaction: { mode: 'index', intersect: false, axis: 'y' },
      // room for the value written past the longest bar
      layout: { padding: { top: 4, right: 56 } },
      plugins: { ...base(p).plugins, guardianValues: { format: s.format, colour: p.text, font: p.font } },
      scales: {
        x: {
          ...a,
          min: 0,
          grace: '5%',
          ticks: {
            ...a.ticks,
            maxTicksLimit: 6,
            precision: s.seconds ? undefined : 0,
            stepSize: s.seconds ? secondsStep(Math.max(1, ...s.series.flatMap((x) => x.values.map((v) => v ?? 0))) * 1.05) : undefined,
            callback: (v) => (s.seconds ? fmtAxisSeconds(Number(v)) : s.format(Number(v))),
          },
        },
        y: { ...a, grid: { display: false }, ticks: { ...a.ticks, color: p.text, font: { family: p.font, size: 12 }, autoSkip: false } },
      },
    },
    plugins: [valueLabels as Plugin<'bar'>],
  };
}

/** The chart's spoken name, given by its figure (title. summary). */
const ChartLabel = createContext('');

/**
 * One Chart.js chart on a canvas: created in an effect, updated in place when its data or the theme
 * change, destroyed on unmount. `build` makes the configuration from the theme's palette; `dataKey`
 * names the data (the chart updates when it changes).
 */
export function ChartCanvas({ build, dataKey, empty }: { build: (p: Palette) => ChartConfiguration<'line' | 'bar', Array<number | null>, string>; dataKey: string; empty?: string }) {
  const label = useContext(ChartLabel);
  const theme = useTheme();
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'line' | 'bar', Array<number | null>, string> | null>(null);
  const latest = useRef(build);
  latest.current = build;

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    chart.current = new Chart(el, latest.current(readPalette()));
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const c = chart.current;
    if (!c) return;
    const cfg = latest.current(readPalette());
    c.data = cfg.data;
    c.options = cfg.options ?? {};
    c.update('none');
  }, [dataKey, theme]);

  return (
    <div className="chart-canvas">
      <canvas ref={canvas} role="img" aria-label={label} />
      {empty && (
        <p className="chart-empty" aria-hidden="true">
          {empty}
        </p>
      )}
    </div>
  );
}

const key = (labels: string[], series: Series[], extra = '') => JSON.stringify([labels, series, extra]);

export function LineChart(p: LineSpec) {
  return <ChartCanvas build={(pal) => lineConfig(p, pal)} dataKey={key(p.labels, p.series, `${p.max}`)} />;
}

export function StackedBars(p: BarSpec) {
  return <ChartCanvas build={(pal) => stackedConfig(p, pal)} dataKey={key(p.labels, p.series)} />;
}

export function HBars(p: HBarSpec) {
  return <ChartCanvas build={(pal) => hbarConfig(p, pal)} dataKey={key(p.labels, p.series)} empty={p.labels.length === 0 ? 'No data in this window' : undefined} />;
}

function Legend({ series, kind }: { series: string[]; kind: 'line' | 'bar' }) {
  return (
    <ul className="chart-legend" aria-hidden="true">
      {series.map((s, i) => (
        <li key={s}>
          <span className={`swatch ${kind} s${i}`} />
          {s}
        </li>
      ))}
    </ul>
  );
}

export function ChartFrame(p: { id: string; title: string; summary: string; legend?: { series: string[]; kind: 'line' | 'bar' }; table: ReactNode; children: ReactNode }) {
  const [shown, setShown] = useState(false);
  const uid = useId();
  const tableId = `${uid}-table`;
  return (
    <figure className="chart" data-testid={`chart-${p.id}`} aria-labelledby={`${uid}-title`}>
      <figcaption>
        <h4 id={`${uid}-title`}>{p.title}</h4>
        <button className="ghost small" aria-expanded={shown} aria-controls={tableId} onClick={() => setShown(!shown)}>
          {shown ? 'Hide table' : 'Show table'}
        </button>
      </figcaption>
      <ChartLabel.Provider value={`${p.title}. ${p.summary}`}>{p.children}</ChartLabel.Provider>
      {p.legend && <Legend {...p.legend} />}
      <div id={tableId} className={shown ? 'chart-table' : 'sr-only'} data-testid={`table-${p.id}`}>
        {p.table}
      </div>
    </figure>
  );
}

/** A plain data table: the first column is the row header. */
export function DataTable(p: { caption: string; columns: string[]; rows: Array<Array<string>> }) {
  return (
    <table className="data">
      <caption>{p.caption}</caption>
      <thead>
        <tr>
          {p.columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {p.rows.map((r, i) => (
          <tr key={i}>
            {r.map((c, j) =>
              j === 0 ? (
                <th key={j} scope="row">
                  {c}
                </th>
              ) : (
                <td key={j}>{c}</td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
