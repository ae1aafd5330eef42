import { useEffect } from 'react';
import { fmtTime } from '../../lib/format';
import { useAudit, type AuditFilters } from '../../store/audit';
import { describeEvent } from '../case/Timeline';
import { download, toCsv, toJson } from './export';
import { UserText } from '../../lib/UserText';

const TYPES = [
  'case.created',
  'review.requested',
  'case.claimed',
  'case.released',
  'decision.made',
  'action.executed',
  'action.failed',
  'rollback.requested',
  'action.reversed',
  'action.not_reversible',
  'appeal.opened',
  'appeal.decided',
  'case.closed',
  'case.failed',
  'command.rejected',
  'moderator.saved',
];

export function AuditView() {
  const { filters, setFilters, events, loading, error, refresh } = useAudit();
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const input = (k: keyof AuditFilters, labelText: string, type = 'text', list?: string) => (
    <label>
      {labelText}
      <input type={type} list={list} value={filters[k]} onChange={(e) => setFilters({ [k]: e.target.value })} />
    </label>
  );
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return (
    <section className="audit pane scroll" aria-label="Audit log">
      <form
        className="filters"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          void refresh();
        }}
      >
        {input('caseId', 'Case id')}
        {input('actor', 'Actor')}
        {input('type', 'Event type', 'text', 'audit-types')}
        <datalist id="audit-types">
          {TYPES.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        {input('from', 'From', 'date')}
        {input('to', 'To', 'date')}
        <button type="submit" className="primary">
          Apply
        </button>
        <span className="spacer" />
        <button type="button" onClick={() => download(`guardian-audit-${stamp}.csv`, 'text/csv', toCsv(events))} disabled={events.length === 0}>
          Export CSV
        </button>
        <button type="button" onClick={() => download(`guardian-audit-${stamp}.json`, 'application/json', toJson(events))} disabled={events.length === 0}>
          Export JSON
        </button>
      </form>
      <p className="counts" aria-live="polite" data-testid="audit-count">
        {events.length} events{loading ? ' · loading…' : ''}
      </p>
      {error && <p className="error" role="alert">{error.message}</p>}
      <table className="audit-table" aria-label="Audit events">
        <thead>
          <tr>
            <th>#</th>
            <th>When</th>
            <th>Case</th>
            <th>Event</th>
            <th>Actor</th>
            <th>Tool</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} data-testid="audit-row" data-id={e.id}>
              <td>{e.id}</td>
              <td>{fmtTime(e.at)}</td>
              <td className="mono small">{e.caseId?.slice(0, 8) ?? ''}</td>
              <td>{e.type}</td>
              <td>
                <UserText identifier text={e.actor} />
              </td>
              <td>{e.tool}</td>
              <td className="small">{describeEvent(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
