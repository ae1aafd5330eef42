import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { CATEGORY_IDS } from '../../lib/domain-values';
import { useAction } from '../../lib/keyboard';
import { useUi } from '../../store/ui';
import { useCase } from '../../store/case';
import { useOutbox } from '../../store/outbox';
import type { OutboxEntry } from '../../lib/contract-types';
import { DEFAULT_FILTERS, QUEUE_LIMIT, useQueue, visibleCases, type QueueFilters, type SortKey } from '../../store/queue';
import { CaseView } from '../case/CaseView';
import { CaseRow } from './CaseRow';
import { SavedViews } from './SavedViews';
import { usePresence } from '../../store/presence';
import { StaleMarker } from '../shell/StaleMarker';
import { BulkBar } from '../bulk/BulkBar';
import { BulkPanel } from '../bulk/BulkPanel';
import { useBulk } from '../../store/bulk';
import { useSession } from '../../store/session';

const STATUSES = ['awaiting_review', 'analyzing', 'executing', 'actioned', 'reversing', 'closed', 'failed', 'auto_resolved', 'all'] as const;
const ROW_HEIGHT = 78;
/** How long the selection rests on a row before that case opens (j held down passes rows without loading them). */
const OPEN_DEBOUNCE_MS = 150;

function Filters() {
  const { filters, setFilters, sort, setSort } = useQueue();
  // "/" (lib/keymap.ts) asks for the search field, from any view: it takes the focus once the queue shows.
  const searchRequest = useUi((s) => s.searchRequest);
  const search = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (searchRequest && useUi.getState().takeSearchRequest()) {
      search.current?.focus();
      search.current?.select();
    }
  }, [searchRequest]);
  const field = <K extends keyof QueueFilters>(k: K) => (v: QueueFilters[K]) => setFilters({ [k]: v } as Partial<QueueFilters>);
  return (
    <form className="filters" aria-label="Queue filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        Search
        <input ref={search} type="search" aria-keyshortcuts="/" placeholder="text or author" value={filters.search} onChange={(e) => field('search')(e.target.value)} />
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
  const { cases, filters, setFilters, sort, selectedId, select, error, loading, loadingMore, truncated, stale } = useQueue();
  const filtersChanged = JSON.stringify(filters) !== JSON.stringify(DEFAULT_FILTERS);
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
  // Bulk actions are for supervisors and admins (the database refuses anyone else anyway).
  const role = useSession((s) => s.session?.user?.role);
  const canBulk = role === 'supervisor' || role === 'admin';
  const bulkSelected = useBulk((s) => s.selected);
  const bulkStep = useBulk((s) => s.step);
  const checked = useMemo(() => new Set(bulkSelected), [bulkSelected]);
  const scroller = useRef<HTMLDivElement>(null);
  // Items are keyed by case id, not by position: rows arrive, change and leave while the list is read.
  const getItemKey = useCallback((i: number) => rows[i]?.id ?? i, [rows]);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10, getItemKey });
  // Presence (issue 14) is read for the rows on screen (features/presence/PresenceSync.tsx).
  const onScreen = virtual
    .getVirtualItems()
    .map((v) => rows[v.index]?.id)
    .filter((id): id is string => !!id)
    .join(',');
  useEffect(() => usePresence.getState().watch(onScreen ? onScreen.split(',') : []), [onScreen]);

  // Rows are inserted and removed above what is on screen (pages arriving, cases decided elsewhere, new
  // cases): keep the row being looked at — the selection when it is on screen, else the top row — where
  // it was, and move a selection that left the list to the row that took its place. Before paint.
  const shown = useRef(rows);
  // Urgent cases that arrived above the rows being read (the list scrolled away from its top): the
  // viewport is not moved for them; "N new urgent" says so and jumps to them when asked.
  const [newUrgent, setNewUrgent] = useState<string[]>([]);
  useLayoutEffect(() => {
    const prev = shown.current;
    shown.current = rows;
    if (prev === rows || prev.length === 0) return;
    const index = new Map(rows.map((c, i) => [c.id, i]));
    const el0 = scroller.current;
    if (el0 && el0.scrollTop > 0 && !useQueue.getState().loading) {
      const before = new Set(prev.map((c) => c.id));
      const arrived = rows.filter((c) => !before.has(c.id) && c.priority === 'urgent' && c.status === 'awaiting_review').map((c) => c.id);
      if (arrived.length) setNewUrgent((n) => [...n, ...arrived.filter((id) => !n.includes(id))]);
    }
    /** From position i of the previous rows on, the first one still listed (its old and new index). */
    const survivor = (i: number): [number, number] | undefined => {
      for (let j = i; j < prev.length; j++) {
        const k = index.get(prev[j]!.id);
        if (k !== undefined) return [j, k];
      }
      for (let j = i - 1; j >= 0; j--) {
        const k = index.get(prev[j]!.id);
        if (k !== undefined) return [j, k];
      }
      return undefined;
    };
    const sel = useQueue.getState().selectedId;
    const selWas = sel ? prev.findIndex((c) => c.id === sel) : -1;
    if (sel && selWas >= 0 && !index.has(sel)) {
      const s = survivor(selWas);
      useQueue.getState().select(s ? rows[s[1]]!.id : undefined);
    }
    const el = scroller.current;
    if (!el) return;
    const top = el.scrollTop;
    const selOnScreen = selWas >= 0 && (selWas + 1) * ROW_HEIGHT > top && selWas * ROW_HEIGHT < top + el.clientHeight;
    // At the very top with nothing selected on screen, new rows at the top are what should be seen.
    if (top === 0 && !selOnScreen) return;
    const anchor = selOnScreen ? selWas : Math.min(prev.length - 1, Math.floor(top / ROW_HEIGHT));
    const s = survivor(anchor);
    if (!s) return;
    const want = s[1] * ROW_HEIGHT - (anchor * ROW_HEIGHT - top);
    if (Math.abs(want - top) >= 1) el.scrollTop = want;
  }, [rows]);

  const counts = useMemo(
    () => ({
      urgent: rows.filter((c) => c.priority === 'urgent').length,
      escalated: rows.filter((c) => c.level >= 2).length,
      claimed: rows.filter((c) => c.claimedBy && c.claimUntil && new Date(c.claimUntil).getTime() > Date.now()).length,
    }),
    [rows],
  );

  // The first time: the first page, then the rest. Coming back to the view: the list was kept current
  // by queue:changed meanwhile, so only what changed since.
  useEffect(() => {
    void useQueue.getState().sync();
  }, []);

  // j/k move the selection, Enter opens it, n opens the next urgent case (lib/keymap.ts). State is read
  // fresh on every key (no stale closures when keys repeat faster than React renders); scrolling follows
  // the selection after render.
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  // The highlighted row IS the open case (issue 14): moving the selection opens that case, debounced
  // (holding j does not load every case it passes), and opening a case any other way selects its row.
  const openTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(openTimer.current), []);
  const move = (by: 1 | -1) => {
    const list = rowsRef.current;
    const idx = list.findIndex((c) => c.id === useQueue.getState().selectedId);
    const c = list[by === 1 ? Math.min(list.length - 1, idx + 1) : Math.max(0, idx - 1)];
    if (!c) return;
    useQueue.getState().select(c.id);
    clearTimeout(openTimer.current);
    openTimer.current = setTimeout(() => {
      const id = useQueue.getState().selectedId;
      if (id && id !== useCase.getState().caseId) void useCase.getState().open(id);
    }, OPEN_DEBOUNCE_MS);
  };
  // At the moment a case opens (a store subscription, not an effect after render: keys pressed before the
  // next render would otherwise be undone by a late sync to an older open case).
  useEffect(
    () =>
      useCase.subscribe((s, prev) => {
        const id = s.caseId;
        if (id && id !== prev.caseId && id !== useQueue.getState().selectedId && rowsRef.current.some((c) => c.id === id)) useQueue.getState().select(id);
      }),
    [],
  );
  const anyRows = () => (rowsRef.current.length ? true : 'the list is empty');
  useAction('queue.next', () => move(1), anyRows);
  useAction('queue.prev', () => move(-1), anyRows);
  useAction(
    'queue.toggleSelect',
    () => {
      const id = useQueue.getState().selectedId;
      if (id) useBulk.getState().toggle(id);
    },
    () => (!canBulk ? 'bulk actions are for supervisors' : useQueue.getState().selectedId ? true : 'no case is selected'),
  );
  useAction(
    'queue.open',
    () => {
      clearTimeout(openTimer.current);
      void useCase.getState().open(useQueue.getState().selectedId);
    },
    () => (useQueue.getState().selectedId ? true : 'no case is selected'),
  );
  /** The first urgent case awaiting review after the open one in list order (from the top when none after it). */
  const nextUrgent = () => {
    const list = rowsRef.current.filter((c) => c.priority === 'urgent' && c.status === 'awaiting_review');
    const openNow = useCase.getState().caseId;
    const at = rowsRef.current.findIndex((c) => c.id === openNow);
    return list.find((c) => rowsRef.current.indexOf(c) > at && c.id !== openNow) ?? list.find((c) => c.id !== openNow);
  };
  useAction(
    'queue.nextUrgent',
    () => {
      const c = nextUrgent();
      if (!c) return;
      useQueue.getState().select(c.id);
      void useCase.getState().open(c.id);
    },
    () => (nextUrgent() ? true : 'no other urgent case awaits review in this list'),
  );
  // The selection stays in view. Rows have one fixed height, so this is arithmetic on the element's own
  // scrollTop, before paint — not virtual.scrollToIndex, whose per-call retry loops (one per key press,
  // each reading a scroll offset that lags the keys) can undo a later press and leave the selection off
  // screen.
  useLayoutEffect(() => {
    const el = scroller.current;
    const idx = rowsRef.current.findIndex((c) => c.id === selectedId);
    if (!el || idx < 0) return;
    const top = idx * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  }, [selectedId]);

  // Still listed and still urgent: the count the control shows. Jumping goes to the topmost of them.
  const pendingUrgent = useMemo(() => {
    const at = new Map(rows.map((c, i) => [c.id, i]));
    return newUrgent.filter((id) => at.has(id)).sort((a, b) => at.get(a)! - at.get(b)!);
  }, [newUrgent, rows]);
  const jumpToNewUrgent = () => {
    const id = pendingUrgent[0];
    setNewUrgent([]);
    if (!id) return;
    select(id);
    void open(id);
    scroller.current?.focus({ preventScroll: true });
  };

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
        <SavedViews />
        <Filters />
        {stale && <StaleMarker syncedAt={stale.syncedAt} testId="queue-stale" />}
        <div className="counts" aria-live="polite" data-testid="queue-counts">
          <strong>{rows.length}</strong> {rows.length === 1 ? 'case' : 'cases'} · {counts.urgent} urgent · {counts.escalated} escalated · {counts.claimed} claimed
          {loading && <span className="muted"> · refreshing…</span>}
          {/* In the counts line (no layout shift when it goes): the list is usable, more rows are coming. */}
          {loadingMore && (
            <span className="loading-more" role="status" data-testid="queue-loading-more">
              {' '}
              · loading more… {cases.length.toLocaleString()} so far
              <span className="progress" aria-hidden="true" />
            </span>
          )}
          {truncated && <span className="muted"> · showing the first {QUEUE_LIMIT.toLocaleString()}: narrow the filters</span>}
        </div>
        {canBulk && <BulkBar rows={rows} />}
        {error && <p className="error" role="alert">{error.message}</p>}
        <div className="list-wrap">
          {pendingUrgent.length > 0 && (
            <button type="button" className="new-urgent" data-testid="new-urgent" onClick={jumpToNewUrgent} aria-live="polite">
              ↑ {pendingUrgent.length} new urgent
            </button>
          )}
          <div
            ref={scroller}
            onScroll={(e) => {
              // Back at the top, the new rows are in view: nothing left to point at.
              if (e.currentTarget.scrollTop === 0 && newUrgent.length) setNewUrgent([]);
            }}
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
                  <div key={v.key} className="vrow" style={{ transform: `translateY(${v.start}px)`, height: v.size }}>
                    <CaseRow
                      c={c}
                      selected={c.id === selectedId}
                      open={c.id === openId}
                      mine={mine.get(c.id)}
                      bulk={canBulk ? { checked: checked.has(c.id), toggle: () => useBulk.getState().toggle(c.id) } : undefined}
                      onOpen={() => {
                        select(c.id);
                        void open(c.id);
                      }}
                    />
                  </div>
                );
              })}
            </div>
            {loadingMore && rows.length > 0 && <p className="list-more" aria-hidden="true">Loading more cases…</p>}
            {rows.length === 0 && !loading && !loadingMore && (
              <div className="empty" data-testid="queue-empty">
                <p>No cases match these filters</p>
                {filtersChanged && (
                  <button type="button" onClick={() => setFilters(DEFAULT_FILTERS)}>
                    Clear filters
                  </button>
                )}
              </div>
            )}
          </div>
        </div>
      </section>
      <section className="pane case-pane" aria-label="Case">
        {canBulk && bulkStep !== 'closed' ? <BulkPanel /> : <CaseView onNext={next} />}
      </section>
    </div>
  );
}
