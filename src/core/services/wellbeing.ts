// Wellbeing (issue 15): a person's own opt-outs and the audited reveal, as thin typed callers of the
// database functions (resources/db/functions/api/my_wellbeing.sql, set_wellbeing.sql, record_reveal.sql).
// The person is the login's: nothing here names whose settings they are.
import type { RevealCategory, SensitiveCategory } from '../../shared/domain.js';
import { GuardianError } from '../errors.js';
import { dbCall } from '../store/db-errors.js';
import type { Queryable } from '../store/db.js';

export interface OwnWellbeing {
  hiddenCategories: SensitiveCategory[];
  /** Cases in sensitive categories per session before a break is suggested (0: never); null: the default. */
  breakAfter: number | null;
}

interface Rejected {
  outcome: 'rejected';
  error?: { code: GuardianError['code']; message: string; details?: Record<string, unknown> };
  duplicate?: boolean;
}

function throwIfRejected(a: { outcome: string } & Partial<Rejected>): void {
  if (a.outcome !== 'rejected') return;
  const e = a.error ?? { code: 'internal' as const, message: 'rejected' };
  throw new GuardianError(e.code, e.message, { ...e.details, ...(a.duplicate ? { duplicate: true } : {}) });
}

export async function readOwnWellbeing(db: Queryable): Promise<OwnWellbeing> {
  const { rows } = await dbCall(() => db.query<{ r: OwnWellbeing }>('SELECT api.my_wellbeing() AS r'));
  const r = rows[0]!.r;
  return { hiddenCategories: r.hiddenCategories, breakAfter: r.breakAfter };
}

export async function setOwnWellbeing(
  db: Queryable,
  input: OwnWellbeing & { commandId: string; tool?: 'ui' | 'cli' | 'api' },
): Promise<OwnWellbeing> {
  const { rows } = await dbCall(() =>
    db.query<{ r: { outcome: string } & OwnWellbeing & Partial<Rejected> }>(
      'SELECT api.set_wellbeing(p_command_id => $1, p_hidden_categories => $2, p_break_after => $3, p_tool => $4) AS r',
      [input.commandId, input.hiddenCategories, input.breakAfter, input.tool ?? 'api'],
    ),
  );
  const r = rows[0]!.r;
  throwIfRejected(r);
  return { hiddenCategories: r.hiddenCategories, breakAfter: r.breakAfter };
}

export async function recordReveal(
  db: Queryable,
  input: { caseId: string; commandId: string; category: RevealCategory; tool?: 'ui' | 'cli' | 'api' },
): Promise<{ commandId: string; duplicate: boolean; auditEventId: number | null }> {
  const { rows } = await dbCall(() =>
    db.query<{ r: { outcome: string; duplicate: boolean; auditEventId?: number | string } & Partial<Rejected> }>(
      'SELECT api.record_reveal(p_case_id => $1, p_command_id => $2, p_category => $3, p_tool => $4) AS r',
      [input.caseId, input.commandId, input.category, input.tool ?? 'api'],
    ),
  );
  const r = rows[0]!.r;
  throwIfRejected(r);
  return { commandId: input.commandId, duplicate: r.duplicate, auditEventId: r.auditEventId == null ? null : Number(r.auditEventId) };
}
