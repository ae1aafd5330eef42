import { useEffect, useState } from 'react';
import { fmtTime } from '../../lib/format';
import { useAudit, type AuditFilters } from '../../store/audit';
import { useCase } from '../../store/case';
import { CaseView } from '../case/CaseView';
import { auditDetail, shortCaseId } from './detail';
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
  'case.note',
  'command.rejected',
  'moderator.saved',
];

function Verification() {
  const { verification: v, verifying, verifyError, filters } = useAudit();
  const scoped = !!(filters.caseId.trim() || filters.contentId.trim());
  if (verifying) return <p className="counts" role="status">Verifying {scoped ? "this case's chain" : 'the whole chain'}…</p>;
  if (verifyError)
    return (
      <p className="error" role="alert" data-testid="audit-verify">
        Could not verify: {verifyError.message}
      </p>
    );
  if (!v) return null;
  const what = v.caseId ? `case ${shortCaseId(v.caseId)}'s chain` : 'the whole chain';
  if (v.ok)
    return (
      <p className="ok" role="status" data-testid="audit-verify" data-ok="true">
        Intact: {what}, {v.events} events in {v.streams} {v.streams === 1 ? 'stream' : 'streams'} recomputed and linked ({fmtTime(v.checkedAt)}).
      </p>
    );
  const b = v.firstBroken;
  return (
    <div className="error" role="alert" data-testid="audit-verify" data-ok="false">
      <strong>Broken: {what}</strong> — {v.problems} {v.problems === 1 ? 'problem' : 'problems'} in {v.events} events.
      {b && (
        <p data-testid="audit-first-broken" data-event-id={b.eventId ?? ''}>
          First broken event:{' '}
          {b.eventId !== null ? (
            <a href={`#audit-event-${b.eventId}`} data-testid="audit-broken-link">
              #{b.eventId}
            </a>
          ) : (
            <span>(gone)</span>
          )}
          {b.type && <> · {b.type}</>}
          {b.caseId && <> · case <span className="mono">{shortCaseId(b.caseId)}</span></>}
          {' · '}
          {b.kind}: {b.message}
        </p>
      )}
    </div>
  );
}

export function AuditView() {
  const { filters, setFilters, events, loading, error, refresh, verify, verifying, verification } = useAudit();
  const brokenId = verification?.firstBroken?.eventId ?? null;
  const openCase = useCase((s) => s.open);
  const openId = useCase((s) => s.caseId);
  // A case opened from a row shows beside the list (the case view, as the queue shows it).
  const [showCase, setShowCase] = useState(false);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const input = (k: keyof AuditFilters, labelText: string, type = 'text', list?: string, placeholder?: string) => (
    <label>
      {labelText}
      <input type={type} list={list} placeholder={placeholder} value={filters[k]} onChange={(e) => setFilters({ [k]: e.target.value })} />
    </label>
  );
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const list = (
    <section className={`audit pane scroll${showCase ? ' list-pane' : ''}`} aria-label="Audit log">
      <form
        className="filters"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          void refresh();
        }}
      >
        {input('caseId', 'Case id', 'text', undefined, 'full or short id')}
        {input('contentId', 'Content id')}
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
        <button type="button" onClick={() => void verify()} disabled={verifying} title="Recompute the hash chain: the whole log, or the filtered case's">
          Verify chain
        </button>
        <span className="spacer" />
        <button type="button" onClick={() => download(`guardian-audit-${stamp}.csv`, 'text/csv', toCsv(events))} disabled={events.length === 0}>
          Export CSV
        </button>
        <button type="button" onClick={() => download(`guardian-audit-${stamp}.json`, 'application/json', toJson(events))} disabled={events.length === 0}>
          Export JSON
        </button>
      </form>
      <Verification />
      <p className="counts" aria-live="polite" data-testid="audit-count">
        {events.length} events, newest first{loading ? ' · loading…' : ''}
      </p>
      {error && <p className="error" role="alert" data-testid="audit-error">{error.message}</p>}
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
            <tr key={e.id} id={`audit-event-${e.id}`} data-testid="audit-row" data-id={e.id} data-case-id={e.caseId ?? ''} data-broken={e.id === brokenId ? 'true' : undefined} aria-current={e.caseId !== null && showCase && e.caseId === openId ? 'true' : undefined}>
              <td>
                {e.id}
                {e.id === brokenId && (
                  <strong className="error" title="The first broken event: its stored hash does not match what it says" data-testid="audit-broken-mark">
                    {' '}
                    ⚠ broken
                  </strong>
                )}
              </td>
              <td>{fmtTime(e.at)}</td>
              <td className="mono small">
                {e.caseId && (
                  <a
                    href={`#case-${e.caseId}`}
                    data-testid="audit-case-link"
                    title={`Open case ${e.caseId}`}
                    onClick={(ev) => {
                      ev.preventDefault();
                      setShowCase(true);
                      void openCase(e.caseId!);
                    }}
                  >
                    {shortCaseId(e.caseId)}
                  </a>
                )}
              </td>
              <td>{e.type}</td>
              <td>
                <UserText identifier text={e.actor} />
              </td>
              <td>{e.tool}</td>
              <td className="small" data-testid="audit-detail">
                {auditDetail(e).map(([k, v]) => (
                  <div key={k}>
                    <span className="muted">{k}:</span> <UserText text={v} />
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
  if (!showCase) return list;
  return (
    <div className="split">
      {list}
      <section className="pane case-pane" aria-label="Case">
        <button type="button" onClick={() => setShowCase(false)} data-testid="audit-close-case">
          Back to the full audit
        </button>
        <CaseView onNext={() => {}} />
      </section>
    </div>
  );
}
