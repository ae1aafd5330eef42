import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import { CATEGORY_IDS } from '../../lib/domain-values';
import { isShortcutTarget } from '../../lib/format';
import { useCase } from '../../store/case';
import { useOutbox } from '../../store/outbox';
import type { OutboxEntry } from '../../lib/contract-types';
import { QUEUE_LIMIT, useQueue, visibleCases, type QueueFilters, type SortKey } from '../../store/queue';
import { CaseView } from '../case/CaseView';
import { CaseRow } from './CaseRow';
import { StaleMarker } from '../shell/StaleMarker';

const STATUSES = ['awaiting_review', 'analyzing', 'executing', 'actioned', 'reversing', 'closed', 'failed', 'auto_resolved', 'all'] as const;
const ROW_HEIGHT = 78;

function Filters() {
  const { filters, setFilters, sort, setSort } = useQueue();
  const field = <K extends keyof QueueFilters>(k: K) => (v: QueueFilters[K]) => setFilters({ [k]: v } as Partial<QueueFilters>);
  return (
    <form className="filters" aria-label="Queue filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        Search
        <input type="search" placeholder="text or author" value={filters.search} onChange={(e) => field('search')(e.target.value)} />
      </label>
      <label>
        Status
        <select value={filters.status} onChange={(e) => field('status')(e.target.value as QueueFilters['status'])}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </label>
      <label>
        Level
        <select value={filters.level} onChange={(e) => field('level')(Number(e.target.value) as QueueFilters['level'])}>
          <option value={0}>any</option>
          <option value={1}>1</option>
          <option value={2}>2 (escalated)</option>
        </select>
      </label>
      <label>
        Severity
        <select value={filters.severity} onChange={(e) => field('severity')(e.target.value as QueueFilters['severity'])}>
          {['any', 'critical', 'high', 'medium', 'low', 'none'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Violation
        <select value={filters.violationType} onChange={(e) => field('violationType')(e.target.value as QueueFilters['violationType'])}>
          {['any', ...CATEGORY_IDS, 'ok'].map((s) => (
            <option key={s} value={s}>
              {s.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </label>
      <label>
        Priority
        <select value={filters.priority} onChange={(e) => field('priority')(e.target.value as QueueFilters['priority'])}>
          <option>any</option>
          <option>urgent</option>
          <option>normal</option>
        </select>
      </label>
      <label>
        Claimed by
        <input value={filters.claimedBy} placeholder="user id" onChange={(e) => field('claimedBy')(e.target.value)} />
      </label>
      <label>
        Waiting
        <select value={filters.minAgeMinutes} onChange={(e) => field('minAgeMinutes')(Number(e.target.value))}>
          <option value={0}>any</option>
          <option value={15}>≥ 15 min</option>
          <option value={60}>≥ 1 h</option>
          <option value={1440}>≥ 1 day</option>
        </select>
      </label>
      <label>
        Sort
        <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
          <option value="priority">priority</option>
          <option value="waiting">time waiting</option>
          <option value="severity">severity</option>
        </select>
      </label>
    </form>
  );
}

export function QueueView() {
  const { cases, filters, sort, selectedId, select, error, loading, stale } = useQueue();
  const openId = useCase((s) => s.caseId);
  const open = useCase((s) => s.open);
  const rows = useMemo(() => visibleCases(cases, filters, sort), [cases, filters, sort]);
  // The user's latest outbox command per case (entries are newest first; discarded ones are done with).
  const entries = useOutbox((s) => s.entries);
  const mine = useMemo(() => {
    const m = new Map<string, OutboxEntry>();
    for (const e of entries) if (e.state !== 'discarded' && e.type !== 'note' && !m.has(e.caseId)) m.set(e.caseId, e);
    return m;
  }, [entries]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });

  const counts = useMemo(
    () => ({
      urgent: rows.filter((c) => c.priority === 'urgent').length,
      escalated: rows.filter((c) => c.level >= 2).length,
      claimed: rows.filter((c) => c.claimedBy && c.claimUntil && new Date(c.claimUntil).getTime() > Date.now()).length,
    }),
    [rows],
  );

  useEffect(() => {
    void useQueue.getState().refresh();
  }, []);

  // j/k move the selection, Enter opens it. State is read fresh on every key (no stale closures
  // when keys repeat faster than React renders); scrolling follows the selection after render.
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isShortcutTarget(e)) return;
      const list = rowsRef.current;
      const current = useQueue.getState().selectedId;
      const idx = list.findIndex((c) => c.id === current);
      if (e.key === 'j' || e.key === 'k') {
        e.preventDefault();
        const c = list[e.key === 'j' ? Math.min(list.length - 1, idx + 1) : Math.max(0, idx - 1)];
        if (c) useQueue.getState().select(c.id);
      } else if (e.key === 'Enter' && current) {
        e.preventDefault();
        void useCase.getState().open(current);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    const idx = rowsRef.current.findIndex((c) => c.id === selectedId);
    if (idx >= 0) virtual.scrollToIndex(idx, { align: 'auto' });
  }, [selectedId, virtual]);

  const next = () => {
    const idx = rows.findIndex((c) => c.id === openId);
    const c = rows[idx + 1] ?? rows.find((r) => r.id !== openId);
    if (c) {
      select(c.id);
      void open(c.id);
    }
  };

  return (
    <div className="split">
      <section className="pane list-pane" aria-label="Queue">
        <Filters />
        {stale && <StaleMarker syncedAt={stale.syncedAt} testId="queue-stale" />}
        <div className="counts" aria-live="polite" data-testid="queue-counts">
          <strong>{rows.length}</strong> {rows.length === 1 ? 'case' : 'cases'} · {counts.urgent} urgent · {counts.escalated} escalated · {counts.claimed} claimed
          {loading && <span className="muted"> · refreshing…</span>}
          {cases.length >= QUEUE_LIMIT && <span className="muted"> · showing the first {QUEUE_LIMIT.toLocaleString()}: narrow the filters</span>}
        </div>
        {error && <p className="error" role="alert">{error.message}</p>}
        <div
          ref={scroller}
          className="list"
          role="listbox"
          aria-label="Cases"
          tabIndex={0}
          aria-activedescendant={selectedId ? `case-${selectedId}` : undefined}
        >
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {virtual.getVirtualItems().map((v) => {
              const c = rows[v.index]!;
              return (
                <div key={c.id} className="vrow" style={{ transform: `translateY(${v.start}px)`, height: v.size }}>
                  <CaseRow
                    c={c}
                    selected={c.id === selectedId}
                    open={c.id === openId}
                    mine={mine.get(c.id)}
                    onOpen={() => {
                      select(c.id);
                      void open(c.id);
                    }}
                  />
                </div>
              );
            })}
          </div>
          {rows.length === 0 && !loading && <p className="empty">No cases match these filters.</p>}
        </div>
      </section>
      <section className="pane case-pane" aria-label="Case">
        <CaseView onNext={next} />
      </section>
    </div>
  );
}
