import { useEffect } from 'react';
import type { CaseSummary } from '../../lib/contract-types';
import { useCase } from '../../store/case';
import { useSession } from '../../store/session';
import { useSupervisor } from '../../store/supervisor';
import { CaseView } from '../case/CaseView';
import { CaseRow } from '../queue/CaseRow';

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

export function SupervisorView() {
  const { escalated, appeals, actioned, backlog, error, refresh } = useSupervisor();
  const role = useSession((s) => s.session?.user.role);
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
        {backlog && (
          <dl className="metrics" aria-label="Backlog" data-testid="backlog">
            <div>
              <dt>Awaiting review</dt>
              <dd>{backlog.waiting}</dd>
            </div>
            <div>
              <dt>Urgent</dt>
              <dd>{backlog.urgent}</dd>
            </div>
            <div className={backlog.slaBreached ? 'bad' : undefined}>
              <dt>Past SLA</dt>
              <dd>{backlog.slaBreached}</dd>
            </div>
            <div>
              <dt>Oldest waiting</dt>
              <dd>{backlog.waiting ? `${backlog.oldestMinutes} min` : '—'}</dd>
            </div>
          </dl>
        )}
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
