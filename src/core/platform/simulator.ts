import type { Queryable } from '../store/db.js';
import type { Platform, PlatformAction } from './platform.js';
import { canonicalJson } from '../store/audit-repo.js';

/** Built-in platform for standalone mode, demos and tests: records actions in the database. */
export function createSimulatorPlatform(db: Queryable): Platform {
  return {
    name: 'simulator',
    async execute(action: PlatformAction) {
      const body = JSON.parse(canonicalJson(action)) as Record<string, unknown>;
      const ins = await db.query(
        'INSERT INTO platform_sim_actions (action_id, kind, body) VALUES ($1, $2, $3) ON CONFLICT (action_id) DO NOTHING',
        [action.actionId, action.kind, JSON.stringify(body)],
      );
      if (ins.rowCount === 1) return { ok: true, alreadyDone: false, attempts: 1 };
      const { rows } = await db.query<{ body: unknown }>('SELECT body FROM platform_sim_actions WHERE action_id = $1', [action.actionId]);
      if (canonicalJson(rows[0]?.body) !== canonicalJson(body))
        return { ok: false, permanent: true, error: `action ${action.actionId} already executed with different content`, attempts: 1 };
      return { ok: true, alreadyDone: true, attempts: 1 };
    },
  };
}
