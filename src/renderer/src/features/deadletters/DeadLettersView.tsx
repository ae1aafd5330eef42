// The admins' dead letters console (issue 15): what the worker took from guardian.dead, with the reason,
// source queue, routing key, size and an excerpt; inspect one; replay or discard a selection after a
// confirmation. A replay shows "on its way" until the worker carried it out (the view reads again until then).
import { useEffect, useState } from 'react';
import type { DeadLetterSummary } from '../../lib/contract-types';
import { fmtTime } from '../../lib/format';
import { UserText } from '../../lib/UserText';
import { replayOnItsWay, useDeadLetters, type DeadLetterFilter } from '../../store/deadLetters';

const FILTERS: Array<[DeadLetterFilter, string]> = [
  ['pending', 'Pending'],
  ['replayed', 'Replayed'],
  ['discarded', 'Discarded'],
  ['all', 'All'],
];

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

function StateBadge({ d }: { d: DeadLetterSummary }) {
  if (replayOnItsWay(d))
    return (
      <span className="ostate os-pending" data-testid="dl-state" title={`Asked for by ${d.replayRequestedBy} at ${fmtTime(d.replayRequestedAt)}; the worker carries it out`}>
        replay on its way
      </span>
    );
  const cls = d.state === 'replayed' ? 'os-applied' : d.state === 'discarded' ? 'os-discarded' : 'os-conflict';
  return (
    <span className={`ostate ${cls}`} data-testid="dl-state" title={d.doneAt ? `${d.state} by ${d.doneBy ?? '—'} at ${fmtTime(d.doneAt)}` : undefined}>
      {d.state}
    </span>
  );
}

function Confirm({ action, ids, onCancel, onConfirm }: { action: 'replay' | 'discard'; ids: number[]; onCancel(): void; onConfirm(): void }) {
  return (
    <div className="backdrop" onClick={onCancel}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="dl-confirm-title"
        className="dialog"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onCancel()}
      >
        <h2 id="dl-confirm-title">
          {action === 'replay' ? 'Replay' : 'Discard'} {ids.length} dead letter{ids.length === 1 ? '' : 's'}?
        </h2>
        <p>
          {action === 'replay'
            ? 'Each goes back to the queue it came from with a new attempt count; the worker sends it. Replay only after the cause is fixed, or it fails again.'
            : 'They leave the pending list for good (kept as discarded, with your name). Nothing is sent anywhere.'}
        </p>
        <p className="small muted">Ids: {ids.join(', ')}. Recorded in the audit.</p>
        <div className="notice-actions">
          <button type="button" className={action === 'replay' ? 'primary' : 'danger'} autoFocus onClick={onConfirm} data-testid="dl-confirm">
            {action === 'replay' ? 'Replay' : 'Discard'}
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}

function Inspect() {
  const open = useDeadLetters((s) => s.open);
  const inspect = useDeadLetters((s) => s.inspect);
  if (!open) return null;
  const rows: Array<[string, string]> = [
    ['Reason', open.reason],
    ['Source queue', open.sourceQueue],
    ['Routing key', open.routingKey || '—'],
    ['Message id', open.messageId ?? '—'],
    ['Size', `${size(open.bodyBytes)}${open.bodyTruncated ? ' (only an excerpt kept: cannot be replayed)' : ''}`],
    ['Attempts', `${open.attempts} (replayed ${open.replays} time${open.replays === 1 ? '' : 's'} before)`],
    ['First seen', `${fmtTime(open.firstSeen)}${open.timesSeen > 1 ? ` · seen ${open.timesSeen} times` : ''}`],
  ];
  if (open.replayRequestedBy) rows.push(['Replay asked for', `${open.replayRequestedBy}, ${fmtTime(open.replayRequestedAt)}`]);
  if (open.doneAt) rows.push([open.state === 'replayed' ? 'Replayed' : 'Discarded', `${fmtTime(open.doneAt)}${open.doneBy ? ` (${open.doneBy})` : ''}`]);
  return (
    <section className="pane scroll dl-inspect" aria-label={`Dead letter ${open.id}`} data-testid="dl-inspect">
      <div className="dl-inspect-head">
        <h2 className="h2">
          Dead letter {open.id} <StateBadge d={open} />
        </h2>
        <button type="button" onClick={() => void inspect(undefined)} aria-label="Close the dead letter">
          Close
        </button>
      </div>
      <table className="settings-table">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>
                <UserText text={v} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="small">Body{open.bodyIsUtf8 ? '' : ' (not valid UTF-8: invalid bytes shown as �)'}</h3>
      <pre className="dl-body" data-testid="dl-body">
        <UserText text={open.body} />
      </pre>
      <details>
        <summary className="small">Headers</summary>
        <pre className="dl-body small">{JSON.stringify(open.headers, null, 2)}</pre>
      </details>
    </section>
  );
}

export function DeadLettersView() {
  const { filter, items, loading, selected, error, last, setFilter, refresh, toggle, selectAll, inspect, act } = useDeadLetters();
  const openId = useDeadLetters((s) => s.open?.id);
  const [confirm, setConfirm] = useState<'replay' | 'discard' | null>(null);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  // A replay is the worker's to carry out: read again while one is on its way.
  const waiting = items.some(replayOnItsWay);
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => void refresh(), 1_500);
    return () => clearInterval(t);
  }, [waiting, refresh]);
  const actionable = items.filter((d) => d.state === 'pending' && !replayOnItsWay(d));
  const replayable = selected.filter((id) => !items.find((d) => d.id === id)?.bodyTruncated);
  const list = (
    <section className={`pane scroll dead-letters${openId ? ' list-pane' : ''}`} aria-label="Dead letters">
      <div className="filters" role="toolbar" aria-label="Dead letter actions">
        <label>
          Show
          <select value={filter} onChange={(e) => void setFilter(e.target.value as DeadLetterFilter)} aria-label="Show dead letters">
            {FILTERS.map(([v, n]) => (
              <option key={v} value={v}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void refresh()}>
          Refresh
        </button>
        <span className="spacer" />
        <button type="button" className="primary" disabled={replayable.length === 0} onClick={() => setConfirm('replay')} data-testid="dl-replay">
          Replay{selected.length ? ` (${replayable.length})` : ''}
        </button>
        <button type="button" className="danger" disabled={selected.length === 0} onClick={() => setConfirm('discard')} data-testid="dl-discard">
          Discard{selected.length ? ` (${selected.length})` : ''}
        </button>
      </div>
      <p className="counts" aria-live="polite" data-testid="dl-count">
        {items.length} dead letter{items.length === 1 ? '' : 's'} ({filter}), newest first{loading ? ' · loading…' : ''}
        {waiting ? ' · waiting for the worker to replay' : ''}
      </p>
      {last && (
        <p className="ok small" role="status" data-testid="dl-last">
          {last.action === 'replay' ? `Replay of ${last.ids.join(', ') || 'none'} sent to the worker.` : `Discarded ${last.ids.join(', ') || 'none'}.`}
          {last.skipped.map((s) => ` Skipped ${s.id}: ${s.why}.`).join('')}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="dl-error">
          {error.message}
        </p>
      )}
      <table className="audit-table" aria-label="Dead letters">
        <thead>
          <tr>
            <th>
              <input
                type="checkbox"
                aria-label="Select every pending dead letter"
                checked={actionable.length > 0 && actionable.every((d) => selected.includes(d.id))}
                onChange={(e) => selectAll(e.target.checked)}
                disabled={actionable.length === 0}
              />
            </th>
            <th>#</th>
            <th>First seen</th>
            <th>Reason</th>
            <th>Source queue</th>
            <th>Routing key</th>
            <th>Size</th>
            {!openId && <th>Excerpt</th>}
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id} data-testid="dl-row" data-id={d.id} aria-current={d.id === openId ? 'true' : undefined}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select dead letter ${d.id}`}
                  checked={selected.includes(d.id)}
                  disabled={d.state !== 'pending' || replayOnItsWay(d)}
                  onChange={() => toggle(d.id)}
                />
              </td>
              <td>
                <a
                  href={`#dead-letter-${d.id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    void inspect(d.id);
                  }}
                  title="Inspect"
                  data-testid="dl-open"
                >
                  {d.id}
                </a>
              </td>
              <td className="small nowrap">{fmtTime(d.firstSeen)}</td>
              <td data-testid="dl-reason">
                <UserText text={d.reason} />
              </td>
              <td className="mono small nowrap">{d.sourceQueue}</td>
              <td className="mono small nowrap">
                <UserText identifier text={d.routingKey || '—'} />
              </td>
              <td className="small nowrap">{size(d.bodyBytes)}</td>
              {!openId && (
                <td className="mono small dl-excerpt">
                  <UserText text={d.excerpt} />
                </td>
              )}
              <td>
                <StateBadge d={d} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && !loading && <p className="empty small">No {filter === 'all' ? '' : `${filter} `}dead letters.</p>}
      {confirm && (
        <Confirm
          action={confirm}
          ids={confirm === 'replay' ? replayable : selected}
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const ids = confirm === 'replay' ? replayable : selected;
            setConfirm(null);
            void act(confirm, ids);
          }}
        />
      )}
    </section>
  );
  if (!openId) return list;
  return (
    <div className="split dl-split">
      {list}
      <Inspect />
    </div>
  );
}
