import { useState } from 'react';
import { statementsCsv } from '../../../../shared/statement';
import { api } from '../../lib/api';
import { download } from '../audit/export';

/**
 * Transparency reporting (EU DSA, issue 15): every decision's statement of reasons, one row each with the DSA
 * fields as columns, as `guardian statements export` writes it (CSV).
 */
export function StatementsExport() {
  const [state, setState] = useState<{ busy: boolean; message?: string; error?: string }>({ busy: false });
  async function run() {
    setState({ busy: true });
    const r = await api.call('statements:export', {});
    if (!r.ok) return setState({ busy: false, error: r.error.message });
    download(`statements-of-reasons-${new Date().toISOString().slice(0, 10)}.csv`, 'text/csv', statementsCsv(r.value));
    setState({ busy: false, message: `${r.value.length} statement${r.value.length === 1 ? '' : 's'} exported` });
  }
  return (
    <section aria-label="Transparency reporting" className="sup-export">
      <button type="button" className="ghost small" onClick={() => void run()} disabled={state.busy} data-testid="export-statements">
        Export statements of reasons (CSV)
      </button>{' '}
      {state.message && <span className="muted small" role="status">{state.message}</span>}
      {state.error && <span className="error small" role="alert">{state.error}</span>}
    </section>
  );
}
