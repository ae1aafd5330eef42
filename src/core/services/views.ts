// Saved views of the queue (issue 14): filters and sort under a name, the team's and one's own, as thin typed
// callers of the database functions (resources/db/functions/api/saved_views.sql, save_view.sql,
// delete_view.sql). Who may change what is the database's decision: a moderator's own login is refused for
// team views.
import { GuardianError } from '../errors.js';
import { dbCall } from '../store/db-errors.js';
import type { Queryable } from '../store/db.js';

export interface SavedView {
  id: number;
  scope: 'own' | 'team';
  name: string;
  filters: Record<string, unknown>;
  sort: 'priority' | 'waiting' | 'severity';
  createdBy: string;
  updatedAt: string;
}

type Answer = { outcome: string; duplicate?: boolean; error?: { code: GuardianError['code']; message: string; details?: Record<string, unknown> } };

function throwIfRejected(a: Answer): void {
  if (a.outcome !== 'rejected') return;
  const e = a.error ?? { code: 'internal' as const, message: 'rejected' };
  throw new GuardianError(e.code, e.message, { ...e.details, ...(a.duplicate ? { duplicate: true } : {}) });
}

export async function listViews(db: Queryable): Promise<SavedView[]> {
  const { rows } = await dbCall(() => db.query<{ r: SavedView[] }>('SELECT api.saved_views() AS r'));
  return rows[0]!.r.map((v) => ({ ...v, id: Number(v.id) }));
}

export async function saveView(
  db: Queryable,
  i: { commandId: string; id?: number; scope: 'own' | 'team'; name: string; filters: Record<string, unknown>; sort: SavedView['sort']; tool?: 'ui' | 'cli' | 'api' },
): Promise<SavedView> {
  const { rows } = await dbCall(() =>
    db.query<{ r: Answer & { view: SavedView } }>(
      `SELECT api.save_view(p_command_id => $1, p_scope => $2, p_name => $3, p_filters => $4::jsonb, p_sort => $5,
                            p_view_id => $6, p_tool => $7) AS r`,
      [i.commandId, i.scope, i.name, JSON.stringify(i.filters), i.sort, i.id ?? null, i.tool ?? 'api'],
    ),
  );
  const r = rows[0]!.r;
  throwIfRejected(r);
  return { ...r.view, id: Number(r.view.id) };
}

export async function deleteView(db: Queryable, i: { commandId: string; id: number; tool?: 'ui' | 'cli' | 'api' }): Promise<{ id: number }> {
  const { rows } = await dbCall(() =>
    db.query<{ r: Answer }>('SELECT api.delete_view(p_command_id => $1, p_view_id => $2, p_tool => $3) AS r', [i.commandId, i.id, i.tool ?? 'api']),
  );
  throwIfRejected(rows[0]!.r);
  return { id: i.id };
}
