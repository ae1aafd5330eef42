// Saved views of the queue (issue 14): the filters and sort under a name, one's own or the team's. The
// "Views" picker above the filters applies one; "Save view…" keeps the current filters and sort (as a team
// view for supervisors and admins — the database decides, a moderator's login is refused). `g v`
// (lib/keymap.ts queue.views) puts the focus on the picker. The list is api.saved_views (team + own).
import { afterFirstPage } from '../../lib/startup';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ContractError, SavedView } from '../../lib/contract-types';
import { api, newCommandId } from '../../lib/api';
import { useAction } from '../../lib/keyboard';
import { keysOf } from '../../lib/keymap';
import { useQueue, viewFilters } from '../../store/queue';
import { useSession } from '../../store/session';

const same = (v: SavedView, filters: unknown, sort: string) => {
  const w = viewFilters(v.filters, v.sort);
  return w.sort === sort && JSON.stringify(w.filters) === JSON.stringify(filters);
};

export function SavedViews() {
  const role = useSession((s) => s.session?.user?.role);
  const me = useSession((s) => s.session?.user?.id);
  const mayTeam = role === 'supervisor' || role === 'admin';
  const { filters, sort } = useQueue();
  const [list, setList] = useState<SavedView[]>([]);
  const [chosen, setChosen] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [team, setTeam] = useState(false);
  const [error, setError] = useState<ContractError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const picker = useRef<HTMLSelectElement>(null);

  const load = useCallback(async () => {
    await afterFirstPage();
    const r = await api.call('views:list', {});
    if (r.ok) setList(r.value);
    else setError(r.error);
  }, []);
  useEffect(() => {
    void load();
  }, [load, me]);
  useAction('queue.views', () => {
    void load();
    picker.current?.focus();
  });

  // The picker shows the view applied while the filters still are that view's; any change makes it "current filters".
  const applied = list.find((v) => v.id === chosen && same(v, filters, sort)) ?? null;
  const apply = (id: number | null) => {
    setNotice(null);
    setError(null);
    setChosen(id);
    const v = list.find((x) => x.id === id);
    if (!v) return;
    const w = viewFilters(v.filters, v.sort);
    useQueue.getState().setFilters(w.filters);
    useQueue.getState().setSort(w.sort);
  };
  const save = async () => {
    setError(null);
    setNotice(null);
    const r = await api.call('views:save', { commandId: newCommandId(), scope: team && mayTeam ? 'team' : 'own', name: name.trim(), filters: { ...filters }, sort });
    if (!r.ok) return setError(r.error);
    setSaving(false);
    setName('');
    setTeam(false);
    setNotice(`Saved "${r.value.name}" as ${r.value.scope === 'team' ? 'a team' : 'your'} view.`);
    await load();
    setChosen(r.value.id);
  };
  const remove = async (v: SavedView) => {
    setError(null);
    const r = await api.call('views:delete', { commandId: newCommandId(), id: v.id });
    if (!r.ok) return setError(r.error);
    setChosen(null);
    setNotice(`Deleted the view "${v.name}".`);
    await load();
  };
  const teamViews = list.filter((v) => v.scope === 'team');
  const ownViews = list.filter((v) => v.scope === 'own');
  const mayDelete = applied && (applied.scope === 'own' || mayTeam);

  return (
    <div className="saved-views" role="group" aria-label="Saved views">
      <label>
        Views <kbd aria-hidden="true">{keysOf('queue.views')}</kbd>
        <select
          ref={picker}
          data-testid="views-picker"
          aria-keyshortcuts={keysOf('queue.views')}
          value={applied ? String(applied.id) : ''}
          onFocus={() => void load()}
          onChange={(e) => apply(e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">{list.length ? 'current filters' : 'no saved views yet'}</option>
          {teamViews.length > 0 && (
            <optgroup label="Team">
              {teamViews.map((v) => (
                <option key={v.id} value={v.id} data-scope="team">
                  {v.name}
                </option>
              ))}
            </optgroup>
          )}
          {ownViews.length > 0 && (
            <optgroup label="Mine">
              {ownViews.map((v) => (
                <option key={v.id} value={v.id} data-scope="own">
                  {v.name}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      {mayDelete && (
        <button type="button" className="small" data-testid="views-delete" onClick={() => void remove(applied)}>
          Delete view
        </button>
      )}
      {!saving ? (
        <button type="button" className="small" data-testid="views-save-open" onClick={() => setSaving(true)}>
          Save view…
        </button>
      ) : (
        <form
          className="views-save"
          aria-label="Save the current filters as a view"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <input autoFocus data-testid="views-name" aria-label="View name" placeholder="name" maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
          {mayTeam && (
            <label className="inline">
              <input type="checkbox" data-testid="views-team" checked={team} onChange={(e) => setTeam(e.target.checked)} /> share with the team
            </label>
          )}
          <button type="submit" className="small primary" data-testid="views-save" disabled={!name.trim()}>
            Save
          </button>
          <button type="button" className="small" onClick={() => setSaving(false)}>
            Cancel
          </button>
        </form>
      )}
      {notice && (
        <span className="muted" role="status" data-testid="views-notice">
          {notice}
        </span>
      )}
      {error && (
        <span className="error" role="alert" data-testid="views-error">
          {error.message}
        </span>
      )}
    </div>
  );
}
