// Reason templates (issue 14): the team's and one's own, as thin typed callers of the database functions
// (resources/db/functions/api/reason_templates.sql, save_reason_template.sql, delete_reason_template.sql).
// Who may change what is the database's decision: a moderator's own login is refused for team templates.
import type { CategoryId } from '../../shared/domain.js';
import { GuardianError } from '../errors.js';
import { dbCall } from '../store/db-errors.js';
import type { Queryable } from '../store/db.js';

export interface ReasonTemplate {
  id: number;
  scope: 'own' | 'team';
  title: string;
  body: string;
  category: CategoryId | null;
  createdBy: string;
  updatedAt: string;
}

type Answer = { outcome: string; duplicate?: boolean; error?: { code: GuardianError['code']; message: string; details?: Record<string, unknown> } };

function throwIfRejected(a: Answer): void {
  if (a.outcome !== 'rejected') return;
  const e = a.error ?? { code: 'internal' as const, message: 'rejected' };
  throw new GuardianError(e.code, e.message, { ...e.details, ...(a.duplicate ? { duplicate: true } : {}) });
}

export async function listTemplates(db: Queryable): Promise<ReasonTemplate[]> {
  const { rows } = await dbCall(() => db.query<{ r: ReasonTemplate[] }>('SELECT api.reason_templates() AS r'));
  return rows[0]!.r.map((t) => ({ ...t, id: Number(t.id) }));
}

export async function saveTemplate(
  db: Queryable,
  i: { commandId: string; id?: number; scope: 'own' | 'team'; title: string; body: string; category?: CategoryId | null; tool?: 'ui' | 'cli' | 'api' },
): Promise<ReasonTemplate> {
  const { rows } = await dbCall(() =>
    db.query<{ r: Answer & { template: ReasonTemplate } }>(
      `SELECT api.save_reason_template(p_command_id => $1, p_scope => $2, p_title => $3, p_body => $4, p_category => $5,
                                       p_template_id => $6, p_tool => $7) AS r`,
      [i.commandId, i.scope, i.title, i.body, i.category ?? null, i.id ?? null, i.tool ?? 'api'],
    ),
  );
  const r = rows[0]!.r;
  throwIfRejected(r);
  return { ...r.template, id: Number(r.template.id) };
}

export async function deleteTemplate(db: Queryable, i: { commandId: string; id: number; tool?: 'ui' | 'cli' | 'api' }): Promise<{ id: number }> {
  const { rows } = await dbCall(() =>
    db.query<{ r: Answer }>('SELECT api.delete_reason_template(p_command_id => $1, p_template_id => $2, p_tool => $3) AS r', [i.commandId, i.id, i.tool ?? 'api']),
  );
  throwIfRejected(rows[0]!.r);
  return { id: i.id };
}
