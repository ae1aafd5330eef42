// Small dependency-free SVG charts (no charting library is installed; see README "Supervisor dashboard").
// Each chart is a figure: the SVG is one image with a spoken summary (role="img", aria-label), and the
// exact figures are a real table behind it — in the accessibility tree always (visually hidden), shown on
// screen with "Show table". Colours come from the theme's variables (light and dark), and series differ by
// more than colour: dashes and marker shapes for lines, a legend for every chart.
import { useId, useState, type ReactNode } from 'react';

export interface Series {
  name: string;
  values: Array<number | null>;
}

// About the size a chart is drawn at (three to a row at 1440 px), so its text stays at the page's size.
const W = 440;
const H = 180;
const PAD = { l: 36, r: 14, t: 10, b: 26 };

/** A round upper bound for an axis (1, 2, 5 × 10^n). */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function Legend({ series, kind }: { series: string[]; kind: 'line' | 'bar' }) {
  return (
    <ul className="chart-legend" aria-hidden="true">
      {series.map((s, i) => (
        <li key={s}>
          <svg width="22" height="10" className={`s${i}`}>
            {kind === 'line' ? <line x1="1" y1="5" x2="21" y2="5" className={`line s${i}`} /> : <rect x="6" y="0" width="10" height="10" className={`bar s${i}`} />}
          </svg>
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
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${p.title}. ${p.summary}`} className="chart-svg">
        {p.children}
      </svg>
      {p.legend && <Legend {...p.legend} />}
      <div id={tableId} className={shown ? 'chart-table' : 'sr-only'} data-testid={`table-${p.id}`}>
        {p.table}
      </div>
    </figure>
  );
}

function YAxis({ max, format, integer }: { max: number; format: (v: number) => string; integer?: boolean }) {
  // Counts get whole ticks only (no "0.5 reviews").
  const ticks = [0, max / 2, max].filter((t) => !integer || Number.isInteger(t));
  const y = (v: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / max);
  return (
    <g className="axis">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={PAD.l} x2={W - PAD.r} y1={y(t)} y2={y(t)} className="grid" />
          <text x={PAD.l - 6} y={y(t) + 4} textAnchor="end">
            {format(t)}
          </text>
        </g>
      ))}
    </g>
  );
}

/** `edges`: the last label sits at the plot's right edge (lines), so it is anchored inwards. */
function XLabels({ labels, x, edges }: { labels: string[]; x: (i: number) => number; edges?: boolean }) {
  // At most ~8 labels (every k-th bucket), so they never overlap; the tables name every bucket.
  const every = Math.max(1, Math.ceil(labels.length / 8));
  return (
    <g className="axis">
      {labels.map((l, i) =>
        i % every === 0 ? (
          <text key={i} x={x(i)} y={H - 8} textAnchor={edges && labels.length > 1 && i === labels.length - 1 ? 'end' : 'middle'}>
            {l}
          </text>
        ) : null,
      )}
    </g>
  );
}

/** Lines over the buckets; a null value breaks its line (no data, e.g. no decisions in that bucket). */
export function LineChart(p: { labels: string[]; series: Series[]; max?: number; format: (v: number) => string; integer?: boolean }) {
  const all = p.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = p.max ?? niceMax(Math.max(p.integer ? 2 : 0, ...all));
  const n = p.labels.length;
  const x = (i: number) => PAD.l + ((W - PAD.l - PAD.r) * (n === 1 ? 0.5 : i / (n - 1)));
  const y = (v: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / max);
  return (
    <>
      <YAxis max={max} format={p.format} integer={p.integer} />
      <XLabels labels={p.labels} x={x} edges />
      {p.series.map((s, si) => {
        const segments: string[] = [];
        let cur = '';
        s.values.forEach((v, i) => {
          if (v === null) {
            if (cur) segments.push(cur);
            cur = '';
          } else cur += `${cur ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        });
        if (cur) segments.push(cur);
        return (
          <g key={s.name} className={`s${si}`}>
            {segments.map((d, k) => (
              <path key={k} d={d} className={`line s${si}`} />
            ))}
            {s.values.map((v, i) =>
              v === null ? null : si % 2 === 0 ? (
                <circle key={i} cx={x(i)} cy={y(v)} r={3} className={`dot s${si}`} />
              ) : (
                <rect key={i} x={x(i) - 3} y={y(v) - 3} width={6} height={6} className={`dot s${si}`} />
              ),
            )}
          </g>
        );
      })}
    </>
  );
}

/** Stacked bars, one per bucket. */
export function StackedBars(p: { labels: string[]; series: Series[]; format: (v: number) => string }) {
  const n = p.labels.length;
  const totals = p.labels.map((_, i) => p.series.reduce((t, s) => t + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(2, ...totals));
  const slot = (W - PAD.l - PAD.r) / n;
  const x = (i: number) => PAD.l + slot * (i + 0.5);
  const h = (v: number) => (H - PAD.t - PAD.b) * (v / max);
  return (
    <>
      <YAxis max={max} format={p.format} integer />
      <XLabels labels={p.labels} x={x} />
      {p.labels.map((_, i) => {
        let base = H - PAD.b;
        return (
          <g key={i}>
            {p.series.map((s, si) => {
              const v = s.values[i] ?? 0;
              const top = base - h(v);
              const r = <rect key={si} x={x(i) - slot * 0.35} y={top} width={slot * 0.7} height={h(v)} className={`bar s${si}`} />;
              base = top;
              return r;
            })}
          </g>
        );
      })}
    </>
  );
}

/** Horizontal bars, one row per label, one bar per series in each row; the value written beside it. */
export function HBars(p: { labels: string[]; series: Series[]; format: (v: number | null) => string }) {
  const rows = p.labels.length || 1;
  const max = niceMax(Math.max(0, ...p.series.flatMap((s) => s.values.map((v) => v ?? 0))));
  const left = 110;
  const rowH = (H - PAD.t - 4) / rows;
  const barH = Math.min(18, (rowH * 0.8) / p.series.length);
  const len = (v: number) => (W - left - 64) * (v / max);
  return (
    <>
      {p.labels.map((l, i) => {
        const top = PAD.t + rowH * i + (rowH - barH * p.series.length) / 2;
        return (
          <g key={l}>
            <text x={left - 8} y={top + (barH * p.series.length) / 2 + 4} textAnchor="end" className="label">
              {l.length > 16 ? `${l.slice(0, 15)}…` : l}
            </text>
            {p.series.map((s, si) => {
              const v = s.values[i] ?? null;
              return (
                <g key={si}>
                  <rect x={left} y={top + barH * si} width={Math.max(v ? 1 : 0, len(v ?? 0))} height={barH - 2} className={`bar s${si}`} />
                  <text x={left + len(v ?? 0) + 6} y={top + barH * si + barH / 2 + 3} className="value">
                    {p.format(v)}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
      {p.labels.length === 0 && (
        <text x={W / 2} y={H / 2} textAnchor="middle" className="label">
          No data in this window
        </text>
      )}
    </>
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
