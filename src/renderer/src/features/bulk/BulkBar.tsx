import type { CaseSummary } from '../../lib/contract-types';
import { useBulk } from '../../store/bulk';

// The queue's bulk bar (supervisors, issue 14): the hand-picked selection (row checkboxes or `s`), or every
// case of the current filter, into the preview. Only cases awaiting review can be decided; the preview
// still lists the others with why they would be skipped.
export function BulkBar({ rows }: { rows: CaseSummary[] }) {
  const { selected, clear, open, setSelected, step } = useBulk();
  const shown = new Set(rows.map((r) => r.id));
  const picked = selected.filter((id) => shown.has(id));
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Bulk actions" data-testid="bulk-bar">
      <span className="muted">
        <strong data-testid="bulk-selected">{picked.length}</strong> selected
      </span>
      <button type="button" className="small-btn" onClick={() => setSelected(rows.map((r) => r.id))} disabled={rows.length === 0}>
        Select all {rows.length}
      </button>
      {picked.length > 0 && (
        <button type="button" className="small-btn" onClick={clear}>
          Clear
        </button>
      )}
      <span className="spacer" />
      <span className="muted">Bulk:</span>
      <button type="button" className="small-btn" data-testid="bulk-open-selection" disabled={picked.length === 0 || step === 'job'} onClick={() => void open(picked, 'selection')}>
        Act on {picked.length} selected…
      </button>
      <button
        type="button"
        className="small-btn"
        data-testid="bulk-open-filter"
        disabled={rows.length === 0 || rows.length > 1000 || step === 'job'}
        title={rows.length > 1000 ? 'at most 1000 cases per batch: narrow the filters' : undefined}
        aria-label={`Bulk action on all ${rows.length} cases of this filter`}
        onClick={() => void open(rows.map((r) => r.id), 'filter')}
      >
        Act on all {rows.length}…
      </button>
    </div>
  );
}
