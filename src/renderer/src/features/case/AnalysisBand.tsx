import type { AnalysisBand as Band } from '../../../../shared/domain';

const OUTCOME: Record<Band['outcome'], string> = { auto_resolve: 'auto-resolved', auto_action: 'automatic action', review: 'human review' };

/**
 * Which confidence band of the policy routed this case (issue 11): "auto-resolved: confidence 0.97 ≥ 0.90",
 * or why a human was asked. The explanation is written by the core from numbers and category ids, not by
 * the content's author; it is still rendered as text only.
 */
export function AnalysisBand({ band, policyVersion }: { band?: Band | null; policyVersion?: string | null }) {
  if (!band) return null;
  return (
    <p className={`band band-${band.outcome}`} data-testid="analysis-band" data-outcome={band.outcome} data-held={band.held ? 'true' : undefined}>
      <strong>{OUTCOME[band.outcome]}</strong> — {band.explanation}
      {band.held ? (
        <>
          {' '}
          <span className="badge">held: {band.held}</span>
        </>
      ) : null}
      {policyVersion ? <span className="muted small"> · policy {policyVersion}</span> : null}
    </p>
  );
}
