import { useMemo, useState } from 'react';
import type { BulkDecision, BulkItemResult, BulkJob, BulkPreview, BulkPreviewItem } from '../../../../shared/bulk';
import { UserText } from '../../lib/UserText';
import { useBulk } from '../../store/bulk';

// Bulk actions (issue 14): the preview ("N cases will be removed, M skipped because …"), the job's
// progress and per-case results, and the batch's undo (rollbacks) with its own progress and results.
// Every case goes through the normal command path in the core; this only shows what the database said.

const VERB: Record<BulkDecision, string> = { approve: 'approved', warn: 'warned', remove: 'removed' };
const OUTCOME: Record<BulkItemResult['outcome'], string> = { pending: 'waiting', done: 'done', skipped: 'skipped', failed: 'failed' };

/** "2 skipped because: 1 claimed by someone else, 1 already decided / not awaiting review". */
function skipSummary(items: Array<{ message: string | null; skip?: string | null }>): string {
  const by = new Map<string, number>();
  for (const i of items) {
    const why = (i.message ?? 'skipped').replace(/ \(.*\)$/, '');
    by.set(why, (by.get(why) ?? 0) + 1);
  }
  return [...by].map(([why, n]) => `${n} ${why}`).join(', ');
}

function Skipped({ items }: { items: BulkPreviewItem[] }) {
  if (items.length === 0) return null;
  return (
    <ul className="bulk-skips" data-testid="bulk-skipped">
      {items.map((i) => (
        <li key={i.caseId} data-testid="bulk-skip" data-content-id={i.contentId ?? ''} data-skip={i.skip ?? ''}>
          <UserText identifier text={i.contentId ?? i.caseId} /> — <span className="muted">{i.message}</span>
        </li>
      ))}
    </ul>
  );
}

function PreviewStep({ p }: { p: BulkPreview }) {
  const { decision, setDecision, run, busy, scope, close } = useBulk();
  const [reason, setReason] = useState('');
  const skipped = p.items.filter((i) => i.skip);
  const ok = reason.trim().length >= 3 && p.eligible > 0 && !busy;
  return (
    <form
      className="bulk-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (ok) void run(reason.trim());
      }}
    >
      <label className="bulk-decision">
        Decision
        <select value={decision} onChange={(e) => setDecision(e.target.value as BulkDecision)} data-testid="bulk-decision">
          <option value="remove">remove</option>
          <option value="warn">warn</option>
          <option value="approve">approve</option>
        </select>
      </label>
      <p className="bulk-summary" data-testid="bulk-preview-summary" role="status">
        <strong>{p.eligible}</strong> {p.eligible === 1 ? 'case' : 'cases'} will be {VERB[p.decision]}
        {skipped.length > 0 ? (
          <>
            , <strong>{skipped.length}</strong> skipped because: {skipSummary(skipped)}
          </>
        ) : (
          ', none skipped'
        )}
        <span className="muted"> ({scope === 'filter' ? 'every case of the current filter' : 'the cases you selected'})</span>
      </p>
      <Skipped items={skipped} />
      <label className="bulk-reason">
        Reason (recorded with every case's decision)
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} data-testid="bulk-reason" required minLength={3} />
      </label>
      <div className="buttons">
        <button type="submit" className="primary" disabled={!ok} data-testid="bulk-run">
          {p.decision === 'remove' ? 'Remove' : p.decision === 'warn' ? 'Warn' : 'Approve'} {p.eligible} {p.eligible === 1 ? 'case' : 'cases'}
        </button>
        <button type="button" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Results({ job, testId }: { job: BulkJob; testId: string }) {
  const [only, setOnly] = useState<'all' | 'problems'>('all');
  const items = useMemo(() => (only === 'all' ? job.items : job.items.filter((i) => i.outcome === 'skipped' || i.outcome === 'failed')), [job, only]);
  return (
    <div className="bulk-results" data-testid={testId} data-state={job.state}>
      <div className="bulk-progress-line">
        <progress max={job.total} value={job.processed} aria-label={`${job.kind === 'undo' ? 'Undo' : 'Batch'} progress`} />
        <span data-testid={`${testId}-counts`} role="status">
          {job.processed} / {job.total} · {job.done} done · {job.skipped} skipped · {job.failed} failed
          {job.state === 'finished' ? ' · finished' : ' · running…'}
        </span>
        <span className="spacer" />
        <label className="small">
          <input type="checkbox" checked={only === 'problems'} onChange={(e) => setOnly(e.target.checked ? 'problems' : 'all')} /> only skipped and failed
        </label>
      </div>
      <div className="bulk-table-wrap">
        <table className="bulk-table">
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Result</th>
              <th scope="col">Why / what the database said</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.caseId} data-testid="bulk-result" data-content-id={i.contentId ?? ''} data-outcome={i.outcome}>
                <td>
                  <UserText identifier text={i.contentId ?? i.caseId} />
                </td>
                <td className={`bulk-o bo-${i.outcome}`}>{OUTCOME[i.outcome]}</td>
                <td className="muted">{i.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function JobStep({ job }: { job: BulkJob }) {
  const { undo, undoBatch, busy, close } = useBulk();
  const [reason, setReason] = useState('');
  return (
    <div className="bulk-job">
      <p className="bulk-summary">
        Batch <span className="mono">{job.batchId}</span>: {job.decision ? `${job.decision} ` : ''}
        {job.total} {job.total === 1 ? 'case' : 'cases'}
      </p>
      <Results job={job} testId="bulk-job" />
      {job.state === 'finished' && job.done > 0 && !undo && (
        <form
          className="bulk-undo"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim().length >= 3) void undoBatch(reason.trim());
          }}
        >
          <h3>Undo this batch</h3>
          <p className="muted small">
            Rolls back each of the {job.done} actioned {job.done === 1 ? 'case' : 'cases'} (reversing what was done); each returns for a level-2 review that
            you, who decided it, may not take.
          </p>
          <label className="bulk-reason">
            Reason for the rollback
            <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} data-testid="bulk-undo-reason" />
          </label>
          <div className="buttons">
            <button type="submit" disabled={busy || reason.trim().length < 3} data-testid="bulk-undo">
              Undo batch ({job.done} rollbacks)
            </button>
          </div>
        </form>
      )}
      {undo && (
        <>
          <h3>Undo of the batch</h3>
          <Results job={undo} testId="bulk-undo-job" />
        </>
      )}
      {job.state === 'finished' && (!undo || undo.state === 'finished') && (
        <div className="buttons bulk-close">
          <button type="button" onClick={close} data-testid="bulk-close">
            Close
          </button>
        </div>
      )}
    </div>
  );
}

export function BulkPanel() {
  const { step, preview, job, busy, error, caseIds } = useBulk();
  return (
    <section className="case bulk" aria-label="Bulk action" data-testid="bulk-panel">
      <div className="case-head">
        <h2>Bulk action</h2>
        <span className="muted">{caseIds.length} {caseIds.length === 1 ? 'case' : 'cases'} chosen</span>
      </div>
      {error && (
        <p className="notice notice-error" role="alert" data-testid="bulk-error">
          {error.message}
        </p>
      )}
      {step === 'preview' && busy && !preview && <p className="muted">Checking each case…</p>}
      {step === 'preview' && preview && <PreviewStep p={preview} />}
      {step === 'job' && job && <JobStep job={job} />}
    </section>
  );
}
