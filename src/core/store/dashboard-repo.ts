import { Dashboard, type DashboardWindow } from '../../shared/dashboard.js';
import { dbCall } from './db-errors.js';
import type { Queryable } from './db.js';

/**
 * The supervisor dashboard, aggregated by the database (api.dashboard, resources/db/functions/api): the
 * person's own login calls it, so the database decides who may read it (supervisors and admins) and a
 * moderator's call is refused there (forbidden), not here.
 */
export async function readDashboard(q: Queryable, o: { window: DashboardWindow; slaMinutes: number }): Promise<Dashboard> {
  const { rows } = await dbCall(() =>
    q.query<{ d: unknown }>('SELECT api.dashboard(p_window => $1, p_sla_minutes => $2) AS d', [o.window, o.slaMinutes]),
  );
  return Dashboard.parse(rows[0]!.d);
}
