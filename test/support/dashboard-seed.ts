/**
 * Test fixture for the supervisor dashboard: several days of cases, commands and audit events, written by
 * the DBA (the shared server's superuser) with the times backdated, as no product path can write the past.
 * Audit events are appended to each case's own hash chain exactly as private.append_audit does (same hash
 * function, same head table), only with the given time, so `guardian audit verify` stays intact.
 *
 * What is seeded (per day, a few cases, shifted by the day so the buckets differ):
 *   clean    → auto_resolved by the agent (category ok)
 *   spam     → removed by the agent alone (last decision actor 'agent'), then closed
 *   review   → review requested, claimed and decided by a moderator (as the AI suggested, or not), closed
 *   appeal   → decided by a moderator, escalated to a supervisor, decided, then appealed and the appeal
 *              decided (overturn / uphold alternating), closed
 * With `open: true`, two reviews are left open (awaiting_review): one past its SLA, one urgent and recent.
 * Without it every seeded case is settled (closed / auto_resolved), so the shared e2e queue stays empty.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface SeedResult {
  caseIds: string[];
  /** Seeded cases per kind (for sanity checks that do not repeat the dashboard's SQL). */
  counts: Record<'clean' | 'spam' | 'review' | 'appeal' | 'open', number>;
  /** Content ids begin with this. */
  prefix: string;
}

type Kind = 'clean' | 'spam' | 'review' | 'appeal';
const CATEGORY: Record<Kind, string> = { clean: 'ok', spam: 'spam', review: 'threat', appeal: 'harassment' };

/** `people`: who decides (two moderators, two supervisors: ids of existing persons). */
export async function seedDashboard(
  dbaUrl: string,
  o: { days?: number; open?: boolean; people: { mod: [string, string]; sup: [string, string] }; prefix?: string },
): Promise<SeedResult> {
  const days = o.days ?? 6;
  const prefix = o.prefix ?? `dash-${randomUUID().slice(0, 8)}`;
  const c = new pg.Client({ connectionString: dbaUrl });
  await c.connect();
  const res: SeedResult = { caseIds: [], counts: { clean: 0, spam: 0, review: 0, appeal: 0, open: 0 }, prefix };
  try {
    await c.query('BEGIN');
    const now = new Date((await c.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now);
    const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);
    const audit = async (caseId: string, type: string, actor: string, when: Date, payload: object = {}) => {
      const stream = `case:${caseId}`;
      await c.query(
        `WITH h AS (
           INSERT INTO audit_heads AS x (stream, seq, head, prev, updated_at)
           VALUES ($1, 1, private.audit_hash(NULL, $1, 1, $2, $3, 'ui', session_user::text, $4, $5), NULL, $4)
           ON CONFLICT (stream) DO UPDATE
              SET seq = x.seq + 1, prev = nullif(x.head, ''), updated_at = $4,
                  head = private.audit_hash(nullif(x.head, ''), $1, x.seq + 1, $2, $3, 'ui', session_user::text, $4, $5)
           RETURNING x.*)
         INSERT INTO audit_events (stream, case_id, seq, type, actor, tool, db_login, payload, prev_hash, hash, hash_version, created_at)
         SELECT $1, $6, h.seq, $2, $3, 'ui', session_user::text, $5, h.prev, h.head, 2, $4 FROM h`,
        [stream, type, actor, when, JSON.stringify(payload), caseId],
      );
    };
    const command = async (caseId: string, type: string, actor: string, when: Date, payload: object) =>
      c.query(
        `INSERT INTO commands (id, type, case_id, actor, tool, payload, status, created_at, applied_at)
         VALUES ($1, $2, $3, $4, 'ui', $5, 'applied', $6, $6)`,
        [`${prefix}-${type}-${randomUUID()}`, type, caseId, actor, JSON.stringify(payload), when],
      );
    const insertCase = async (kind: Kind | 'open', created: Date, extra: { status: string; priority?: string; reviewKind?: string | null; lastDecision?: object | null }) => {
      const id = randomUUID();
      const category = kind === 'open' ? 'threat' : CATEGORY[kind];
      await c.query(
        `INSERT INTO cases (id, content_id, author_id, text, priority, submitted_at, status, level, review_kind, verdict, severity,
                            violation_type, analysis, last_decision, version, created_at, updated_at)
         VALUES ($1, $2, $3, 'seeded for the dashboard', $4, $5, $6, 1, $7, $8, 'medium', $9, $10, $11, 3, $5, $5)`,
        [
          id,
          `${prefix}-${kind}-${res.caseIds.length}`,
          `author-${prefix}`,
          extra.priority ?? 'normal',
          created,
          extra.status,
          extra.reviewKind ?? null,
          category === 'ok' ? 'ok' : 'violation',
          category,
          JSON.stringify({ verdict: category === 'ok' ? 'ok' : 'violation', violationType: category, suggestedAction: category === 'ok' ? 'approve' : 'remove' }),
          extra.lastDecision ? JSON.stringify(extra.lastDecision) : null,
        ],
      );
      res.caseIds.push(id);
      res.counts[kind]++;
      await audit(id, 'case.created', 'agent', created, { contentId: `${prefix}-${kind}` });
      return id;
    };
    // One decided review: requested, claimed, decided; returns the decision time.
    const review = async (id: string, from: Date, who: string, decision: object, handleSeconds: number, kind: 'initial' | 'escalation' | 'appeal') => {
      await audit(id, 'review.requested', 'agent', from, { reviewKind: kind });
      // Waiting an hour or more before someone claims it, so the backlog and the SLA breaches have a history.
      const claimed = at(from, 1800 + handleSeconds * 12);
      await command(id, 'claim', who, claimed, {});
      await audit(id, 'case.claimed', who, claimed);
      const decided = at(claimed, handleSeconds);
      if (kind === 'appeal') {
        await command(id, 'appeal_decide', who, decided, decision);
        await audit(id, 'appeal.decided', who, decided, decision);
      } else {
        await command(id, 'decide', who, decided, { ...decision, context: { reviewKind: kind, level: kind === 'initial' ? 1 : 2 } });
        await audit(id, 'decision.made', who, decided, { ...decision, reviewKind: kind });
      }
      return decided;
    };

    for (let d = 0; d < days; d++) {
      const perDay = 4 + (d % 3);
      for (let j = 0; j < perDay; j++) {
        // Spread over the day, newest first: the 24 h window sees today's, the 7 d window all of them.
        const created = new Date(now.getTime() - (d * 24 * 3600 + j * 5 * 3600 + 20 * 60 + d * 7 * 60) * 1000);
        const kind: Kind = (['clean', 'review', 'spam', 'appeal', 'review', 'review'] as const)[j % 6]!;
        const mod = o.people.mod[(d + j) % 2]!;
        const handle = 40 + ((d * 53 + j * 31) % 400);
        if (kind === 'clean') {
          const id = await insertCase(kind, created, { status: 'auto_resolved' });
          await audit(id, 'case.auto_resolved', 'agent', at(created, 30));
        } else if (kind === 'spam') {
          const id = await insertCase(kind, created, { status: 'closed', lastDecision: { actor: 'agent', decision: 'remove' } });
          await audit(id, 'case.actioned', 'agent', at(created, 30), { decision: 'remove', decidedBy: 'agent' });
          await audit(id, 'case.closed', 'agent', at(created, 60));
        } else if (kind === 'review') {
          const decision = (d + j) % 3 === 0 ? 'warn' : 'remove'; // 'remove' is what the AI suggested
          const id = await insertCase(kind, created, { status: 'closed', reviewKind: 'initial', lastDecision: { actor: mod, decision } });
          const decided = await review(id, at(created, 60), mod, { decision, reason: 'seeded' }, handle, 'initial');
          await audit(id, 'case.closed', 'agent', at(decided, 30));
        } else {
          const sup = o.people.sup[d % 2]!;
          const other = o.people.sup[(d + 1) % 2]!;
          const outcome = d % 2 === 0 ? 'overturn' : 'uphold';
          const id = await insertCase(kind, created, { status: 'closed', reviewKind: 'appeal', lastDecision: { actor: other, outcome } });
          let t = await review(id, at(created, 60), mod, { decision: 'escalate', reason: 'not sure' }, handle, 'initial');
          t = await review(id, at(t, 60), sup, { decision: 'remove', reason: 'seeded' }, handle * 2, 'escalation');
          await audit(id, 'case.actioned', 'agent', at(t, 20));
          t = await review(id, at(t, 3 * 3600), other, { outcome, reason: 'seeded appeal' }, handle + 600, 'appeal');
          await audit(id, 'case.closed', 'agent', at(t, 30));
        }
      }
    }
    if (o.open) {
      // Past its SLA (60 min) for hours; and an urgent one of 10 minutes (urgent SLA: 15).
      const old = new Date(now.getTime() - 3 * 3600 * 1000);
      const a = await insertCase('open', old, { status: 'awaiting_review', reviewKind: 'initial' });
      await audit(a, 'review.requested', 'agent', at(old, 60), { reviewKind: 'initial' });
      const recent = new Date(now.getTime() - 10 * 60 * 1000);
      const b = await insertCase('open', recent, { status: 'awaiting_review', reviewKind: 'initial', priority: 'urgent' });
      await audit(b, 'review.requested', 'agent', recent, { reviewKind: 'initial' });
    }
    await c.query('COMMIT');
    return res;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await c.end();
  }
}
