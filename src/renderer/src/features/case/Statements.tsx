import type { StatementOfReasons } from '../../../../shared/statement';
import { fmtTime } from '../../lib/format';
import { UserText } from '../../lib/UserText';

const RESTRICTION: Record<StatementOfReasons['restrictions'][number]['type'], string> = {
  content_removed: 'content removed',
  account_suspended: 'account suspended',
  warning: 'warning (content stays visible)',
};

function restriction(r: StatementOfReasons['restrictions'][number]): string {
  if (r.type !== 'account_suspended') return RESTRICTION[r.type];
  return r.durationHours ? `account suspended for ${r.durationHours} h (until ${fmtTime(r.endsAt!)})` : 'account suspended until further notice';
}

/**
 * The statements of reasons the author received (EU DSA Art. 17, issue 15): one per carried-out decision that
 * restricted something, as sent with the platform action. The explanation and the facts hold people's text
 * (a reason, a report reason): shown as isolated text, never markup.
 */
export function Statements({ statements }: { statements: StatementOfReasons[] }) {
  if (statements.length === 0) return null;
  return (
    <section className="card" aria-label="Statements of reasons" data-testid="statements">
      <h3>
        Statement of reasons <span className="muted small">(sent to the author with the platform action)</span>
      </h3>
      {statements.map((s) => (
        <div key={s.id} className="statement" data-testid="statement" data-statement-id={s.id}>
          <dl className="facts">
            <dt>Decision</dt>
            <dd>
              {s.decision.replace(/_/g, ' ')} — {s.restrictions.map(restriction).join(', ')}
            </dd>
            <dt>Scope</dt>
            <dd>{s.territorialScope}, whole service</dd>
            <dt>Decided</dt>
            <dd>{fmtTime(s.decidedAt)}</dd>
            <dt>Automated</dt>
            <dd data-testid="statement-automated">
              detection: {s.automatedDetection ? 'yes' : `no (${s.source === 'notice' ? 'a user report' : 'own initiative'})`}; decision:{' '}
              {s.automatedDecision === 'fully' ? 'yes, fully automated' : 'no, a person decided'}
            </dd>
            <dt>Ground</dt>
            <dd>
              {s.grounds.length ? s.grounds.map((g) => `${g.policyId}: ${g.policyText}`).join('; ') : 'our content policy'}
              {s.policyVersion && <span className="muted small"> (policy {s.policyVersion})</span>}
            </dd>
            <dt>Explanation</dt>
            <dd>
              <UserText text={s.explanation} />
            </dd>
            <dt>Redress</dt>
            <dd>{s.redress.internalAppeal}</dd>
          </dl>
          <details>
            <summary>Text the author received</summary>
            <UserText as="div" className="statement-text" text={s.text} testId="statement-text" />
          </details>
        </div>
      ))}
    </section>
  );
}
