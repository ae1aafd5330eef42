import { lazy, Suspense, useEffect, useState } from 'react';
import type { CaseSummary, SupervisorMetrics } from '../../lib/contract-types';
import { useCase } from '../../store/case';
import { useSession } from '../../store/session';
import { useSupervisor } from '../../store/supervisor';
import { CaseView } from '../case/CaseView';
import { CaseRow } from '../queue/CaseRow';
import { StatementsExport } from './StatementsExport';

// The dashboard (and Chart.js with it) is its own chunk, loaded when a supervisor first opens it: the queue a
// moderator opens the app for does not wait for it to be parsed (BENCHMARKS.md, bench:ui first row).
const DashboardView = lazy(() => import('../dashboard/DashboardView').then((m) => ({ default: m.DashboardView })));

function List({ title, cases, empty }: { title: string; cases: CaseSummary[]; empty: string }) {
  const openId = useCase((s) => s.caseId);
  const open = useCase((s) => s.open);
  return (
    <section aria-label={title} className="sup-list">
      <h3>
        {title} <span className="count">{cases.length}</span>
      </h3>
      <div role="listbox" aria-label={title}>
        {cases.map((c) => (
          <CaseRow key={c.id} c={c} selected={c.id === openId} open={c.id === openId} onOpen={() => void open(c.id)} />
        ))}
        {cases.length === 0 && <p className="empty small">{empty}</p>}
      </div>
    </section>
  );
}

const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)} %`);

function Metrics({ m }: { m: SupervisorMetrics }) {
  const b = m.backlog;
  const oldestMinutes = b.oldestCreatedAt ? Math.round((Date.now() - new Date(b.oldestCreatedAt).getTime()) / 60_000) : null;
  return (
    <>
      <dl className="metrics" aria-label="Backlog" data-testid="backlog">
        <div>
          <dt>Awaiting review</dt>
          <dd>{b.waiting}</dd>
        </div>
        <div>
          <dt>Urgent</dt>
          <dd>{b.urgent}</dd>
        </div>
        <div className={b.slaBreached ? 'bad' : undefined}>
          <dt>Past SLA</dt>
          <dd>{b.slaBreached}</dd>
        </div>
        <div>
          <dt>Oldest waiting</dt>
          <dd>{oldestMinutes === null ? '—' : `${oldestMinutes} min`}</dd>
        </div>
      </dl>
      <p className="small muted metrics-caption">Last {m.window.days} days</p>
      <dl className="metrics three" aria-label={`Last ${m.window.days} days`} data-testid="decision-metrics">
        <div title="Human first-level decisions that matched the AI's suggested action (escalations not counted)">
          <dt>AI–human agreement</dt>
          <dd>{pct(m.agreement.rate)}</dd>
          <span className="small muted">{m.agreement.agreed} of {m.agreement.decided} decisions</span>
        </div>
        <div title="Appeal reviews that overturned the decision">
          <dt>Appeals overturned</dt>
          <dd>{pct(m.appeals.rate)}</dd>
          <span className="small muted">{m.appeals.overturned} of {m.appeals.decided} appeals</span>
        </div>
        <div>
          <dt>Settled by the agent</dt>
          <dd>{m.automatic.resolved + m.automatic.actioned}</dd>
          <span className="small muted">
            {m.automatic.resolved} clean, {m.automatic.actioned} actioned
          </span>
        </div>
      </dl>
    </>
  );
}

export function SupervisorView() {
  const role = useSession((s) => s.session?.user?.role);
  // The dashboard is the database's to refuse (api.dashboard: supervisors and admins); a moderator is not offered it.
  const [tab, setTab] = useState<'queues' | 'dashboard'>('queues');
  const canDashboard = role === 'supervisor' || role === 'admin';
  const shown = canDashboard ? tab : 'queues';
  return (
    <div className="sup-view">
      {canDashboard && (
        <div role="tablist" aria-label="Supervisor" className="sup-tabs">
          <button role="tab" aria-selected={shown === 'queues'} className={shown === 'queues' ? 'tab active' : 'tab'} onClick={() => setTab('queues')}>
            Queues
          </button>
          <button role="tab" aria-selected={shown === 'dashboard'} className={shown === 'dashboard' ? 'tab active' : 'tab'} onClick={() => setTab('dashboard')}>
            Dashboard
          </button>
        </div>
      )}
      {shown === 'dashboard' ? (
        <Suspense fallback={<p className="muted" role="status">Loading the dashboard…</p>}>
          <DashboardView />
        </Suspense>
      ) : (
        <Queues role={role} />
      )}
    </div>
  );
}

function Queues({ role }: { role: string | undefined }) {
  const { escalated, appeals, actioned, metrics, error, refresh } = useSupervisor();
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return (
    <div className="split">
      <section className="pane list-pane scroll" aria-label="Supervisor queues">
        {role === 'moderator' && (
          <p className="why" role="note">
            You are a moderator: you can read these queues, but escalated reviews, appeals and rollbacks need a supervisor or an admin.
          </p>
        )}
        <p className="muted small">
          Four-eyes: whoever made a decision cannot decide the appeal or the escalated review of it — the form says so when that is you.
        </p>
        {error && <p className="error" role="alert">{error.message}</p>}
        {metrics && <Metrics m={metrics} />}
        <StatementsExport />
        <List title="Escalated reviews" cases={escalated} empty="No escalated reviews." />
        <List title="Appeals" cases={appeals} empty="No open appeals." />
        <List title="Actioned (can be rolled back)" cases={actioned.slice(0, 200)} empty="Nothing actioned yet." />
      </section>
      <section className="pane case-pane" aria-label="Case">
        <CaseView onNext={() => {}} />
      </section>
    </div>
  );
}
