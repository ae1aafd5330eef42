import { useEffect } from 'react';
import type { Dashboard, DashboardWindow } from '../../lib/contract-types';
import { dashboardCsv, fmtBucket, fmtCount, fmtRate, fmtSeconds } from '../../../../shared/dashboard';
import { useDashboard } from '../../store/dashboard';
import { download } from '../audit/export';
import { ChartFrame, DataTable, HBars, LineChart, StackedBars } from './Charts';

const WINDOWS: Array<[DashboardWindow, string]> = [
  ['24h', '24 hours'],
  ['7d', '7 days'],
  ['30d', '30 days'],
];

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const pctAxis = (v: number) => `${Math.round(v * 100)}%`;
const countAxis = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** Saves the dashboard as a CSV file (the same figures as the tables; shared/dashboard.ts dashboardCsv), as the audit view saves its own. */
function exportCsv(d: Dashboard) {
  download(`guardian-dashboard-${d.window}-${d.asOf.slice(0, 10)}.csv`, 'text/csv;charset=utf-8', dashboardCsv(d));
}

function Charts({ d }: { d: Dashboard }) {
  const labels = d.buckets.map((b) => fmtBucket(b.start, d.bucket));
  const unit = d.bucket === 'hour' ? 'Hour (UTC)' : 'Day (UTC)';
  const last = d.buckets.at(-1);
  const col = <K extends keyof Dashboard['buckets'][number]>(k: K) => d.buckets.map((b) => b[k]);
  const rows = (f: (b: Dashboard['buckets'][number]) => string[]) => d.buckets.map((b, i) => [labels[i]!, ...f(b)]);
  const decided = sum(col('decided'));
  const agreed = sum(col('agreed'));
  const appeals = sum(col('appealsDecided'));
  const overturned = sum(col('overturned'));
  const mods = d.moderators;
  return (
    <div className="charts">
      <ChartFrame
        id="backlog"
        title="Backlog and SLA breaches"
        summary={`Reviews open at the end of each ${d.bucket}; now ${last?.backlog ?? 0}, ${last?.slaBreached ?? 0} past the ${d.slaMinutes}-minute SLA. Peak ${Math.max(0, ...col('backlog'))}.`}
        legend={{ series: ['Open reviews', `Past SLA (${d.slaMinutes} min; urgent a quarter)`], kind: 'line' }}
        table={<DataTable caption={`Backlog and SLA breaches, by ${d.bucket} (UTC)`} columns={[unit, 'Open reviews', 'Past SLA']} rows={rows((b) => [fmtCount(b.backlog), fmtCount(b.slaBreached)])} />}
      >
        <LineChart labels={labels} series={[{ name: 'backlog', values: col('backlog') }, { name: 'breached', values: col('slaBreached') }]} format={countAxis} integer />
      </ChartFrame>

      <ChartFrame
        id="intake"
        title="Intake by category"
        summary={`${sum(d.categories.map((c) => c.count))} cases in the window: ${d.categories.map((c) => `${c.category} ${c.count}`).join(', ') || 'none'}.`}
        table={<DataTable caption="Intake by category (cases created in the window)" columns={['Category', 'Cases']} rows={d.categories.map((c) => [c.category, fmtCount(c.count)])} />}
      >
        <HBars labels={d.categories.map((c) => c.category)} series={[{ name: 'cases', values: d.categories.map((c) => c.count) }]} format={(v) => (v === null ? '' : String(v))} />
      </ChartFrame>

      <ChartFrame
        id="outcomes"
        title="Settled by the agent vs reviewed"
        summary={`Of ${sum(col('intake'))} new cases: ${sum(col('automatic'))} settled by the agent alone, ${sum(col('reviewed'))} sent to a person, ${sum(col('other'))} neither yet.`}
        legend={{ series: ['By the agent', 'Reviewed by a person', 'Other (analysing, failed)'], kind: 'bar' }}
        table={
          <DataTable
            caption={`New cases by outcome, by ${d.bucket} (UTC)`}
            columns={[unit, 'Intake', 'By the agent', 'Reviewed', 'Other']}
            rows={rows((b) => [fmtCount(b.intake), fmtCount(b.automatic), fmtCount(b.reviewed), fmtCount(b.other)])}
          />
        }
      >
        <StackedBars labels={labels} series={[{ name: 'automatic', values: col('automatic') }, { name: 'reviewed', values: col('reviewed') }, { name: 'other', values: col('other') }]} format={countAxis} />
      </ChartFrame>

      <ChartFrame
        id="quality"
        title="AI–human agreement and appeal overturn rate"
        summary={`Agreement ${fmtRate(decided ? agreed / decided : null)} (${agreed} of ${decided} first-level decisions); appeals overturned ${fmtRate(appeals ? overturned / appeals : null)} (${overturned} of ${appeals}). A gap: no decisions then.`}
        legend={{ series: ['AI–human agreement', 'Appeals overturned'], kind: 'line' }}
        table={
          <DataTable
            caption={`Agreement and overturn rate, by ${d.bucket} (UTC)`}
            columns={[unit, 'Decisions', 'Agreed', 'Agreement', 'Appeals decided', 'Overturned', 'Overturn rate']}
            rows={rows((b) => [fmtCount(b.decided), fmtCount(b.agreed), fmtRate(b.agreement), fmtCount(b.appealsDecided), fmtCount(b.overturned), fmtRate(b.overturnRate)])}
          />
        }
      >
        <LineChart labels={labels} series={[{ name: 'agreement', values: col('agreement') }, { name: 'overturn', values: col('overturnRate') }]} max={1} format={pctAxis} />
      </ChartFrame>

      <ChartFrame
        id="throughput"
        title="Decisions per moderator"
        summary={mods.length ? mods.map((m) => `${m.displayName} ${m.decisions}`).join(', ') + '.' : 'No decisions in this window.'}
        table={
          <DataTable
            caption="Decisions and handling time per moderator (claim to decision)"
            columns={['Moderator', 'Decisions', 'Timed', 'Median', '90th percentile']}
            rows={mods.map((m) => [m.displayName, fmtCount(m.decisions), fmtCount(m.timed), fmtSeconds(m.medianSeconds), fmtSeconds(m.p90Seconds)])}
          />
        }
      >
        <HBars labels={mods.map((m) => m.displayName)} series={[{ name: 'decisions', values: mods.map((m) => m.decisions) }]} format={(v) => (v === null ? '' : String(v))} />
      </ChartFrame>

      <ChartFrame
        id="handling"
        title="Handling time (median, 90th percentile)"
        summary={mods.length ? mods.map((m) => `${m.displayName}: median ${fmtSeconds(m.medianSeconds)}, p90 ${fmtSeconds(m.p90Seconds)}`).join('; ') + '.' : 'No decisions in this window.'}
        legend={{ series: ['Median', '90th percentile'], kind: 'bar' }}
        table={
          <DataTable
            caption="Handling time per moderator, from their claim to their decision"
            columns={['Moderator', 'Median', '90th percentile']}
            rows={mods.map((m) => [m.displayName, fmtSeconds(m.medianSeconds), fmtSeconds(m.p90Seconds)])}
          />
        }
      >
        <HBars
          labels={mods.map((m) => m.displayName)}
          series={[{ name: 'median', values: mods.map((m) => m.medianSeconds) }, { name: 'p90', values: mods.map((m) => m.p90Seconds) }]}
          format={fmtSeconds}
          seconds
        />
      </ChartFrame>
    </div>
  );
}

export function DashboardView() {
  const { window, data, error, loading, load } = useDashboard();
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="dashboard scroll" aria-label="Dashboard" data-testid="dashboard" aria-busy={loading}>
      <div className="dashboard-bar">
        <div role="radiogroup" aria-label="Window" className="segmented">
          {WINDOWS.map(([w, label]) => (
            <button key={w} role="radio" aria-checked={window === w} className={window === w ? 'active' : undefined} onClick={() => void load(w)}>
              {label}
            </button>
          ))}
        </div>
        <button onClick={() => void load()} disabled={loading}>
          Refresh
        </button>
        <button onClick={() => data && exportCsv(data)} disabled={!data}>
          Export CSV
        </button>
        {data && (
          <span className="small muted" data-testid="dashboard-range">
            {data.from.slice(0, 16).replace('T', ' ')} – {data.to.slice(0, 16).replace('T', ' ')} UTC, as of {data.asOf.slice(11, 16)} UTC
          </span>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {data && data.window === window && <Charts d={data} />}
    </section>
  );
}
