// The statement of reasons (EU DSA Art. 17, issue 15): what the affected author is told about a carried-out
// decision, generated from the decision and the policy. Pure: the worker builds it once, the database keeps
// it (worker.record_statement), and every platform action of the decision carries that stored copy, so a
// retried action is sent with the same body (the same actionId never goes out with different content).
import type { AnalysisResult, CategoryId, DecisionRecord } from '../../shared/domain.js';
import { CATEGORY_IDS } from '../../shared/domain.js';
import type { StatementOfReasons, StatementRestriction } from '../../shared/statement.js';
import type { Policy } from '../classify/policy.js';

/** Decisions that restrict something, and so get a statement; approve, escalate and appeal outcomes do not. */
export const STATEMENT_DECISIONS = ['warn', 'remove', 'remove_and_ban'] as const;
export type StatementDecision = (typeof STATEMENT_DECISIONS)[number];
export const needsStatement = (decision: string): decision is StatementDecision => (STATEMENT_DECISIONS as readonly string[]).includes(decision);

export interface StatementInput {
  caseId: string;
  contentId: string;
  authorId: string;
  /** Who reported the content (a notice), if anyone. */
  reportedBy: string | null;
  reportReason: string | null;
  submittedAt: string;
  analysis: AnalysisResult | null;
  decision: DecisionRecord;
}

const REDRESS = {
  internalAppeal:
    'You can appeal this decision free of charge through the platform’s appeal function for this content, quoting this statement’s id. ' +
    'A senior moderator who did not take this decision reviews your appeal and may reverse it.',
  outOfCourt: 'You may refer the dispute to a certified out-of-court dispute settlement body (EU Digital Services Act, Art. 21).',
  judicial: 'You may also bring the matter before a court of competent jurisdiction.',
};

const isCategory = (id: string): id is CategoryId => (CATEGORY_IDS as readonly string[]).includes(id);

function restrictionsOf(d: DecisionRecord): StatementRestriction[] {
  const removal: StatementRestriction = { action: 'remove_content', type: 'content_removed', durationHours: null, endsAt: null };
  switch (d.decision) {
    case 'warn':
      return [{ action: 'warn_user', type: 'warning', durationHours: null, endsAt: null }];
    case 'remove':
      return [removal];
    case 'remove_and_ban': {
      const hours = d.durationHours ?? null;
      const endsAt = hours ? new Date(new Date(d.at).getTime() + hours * 3_600_000).toISOString() : null;
      return [removal, { action: 'ban_user', type: 'account_suspended', durationHours: hours, endsAt }];
    }
    default:
      throw new TypeError(`no statement of reasons for a ${d.decision} decision`);
  }
}

function whatWeDid(d: DecisionRecord, contentId: string, r: StatementRestriction[]): string {
  const ban = r.find((x) => x.action === 'ban_user');
  if (d.decision === 'warn') return `We warned you about your content "${contentId}". It stays visible; no other restriction applies.`;
  if (!ban) return `We removed your content "${contentId}".`;
  const how = ban.durationHours ? `for ${ban.durationHours} hours (until ${ban.endsAt})` : 'until further notice';
  return `We removed your content "${contentId}" and suspended your account ${how}.`;
}

/** The statement for a carried-out decision that restricts something (warn, remove, remove_and_ban). */
export function buildStatement(input: StatementInput, policy: Policy): StatementOfReasons {
  const d = input.decision;
  if (!needsStatement(d.decision)) throw new TypeError(`no statement of reasons for a ${d.decision} decision`);
  const restrictions = restrictionsOf(d);
  const automatedDecision = d.actor === 'agent' || d.commandId === `auto:${input.caseId}` ? 'fully' : 'not_automated';
  const reported = !!input.reportedBy || !!input.reportReason;
  const source = reported ? 'notice' : 'own_initiative';
  // The decider's policy ids; else the category the analysis named. Unknown ids are not a policy of ours.
  const named = [...new Set(d.policyIds.filter(isCategory))];
  const analysed = input.analysis?.violationType;
  const ids = named.length ? named : analysed && isCategory(analysed) ? [analysed] : [];
  const grounds = ids.map((policyId) => ({ policyId, policyText: policy.categories[policyId].description }));
  const explanation = d.reason;

  const detectedBy = reported
    ? `It was reported to us by a user${input.reportReason ? ` (reason given: "${input.reportReason}")` : ''}.`
    : `It was not reported by anyone: our automated analysis (${input.analysis?.classifier ?? 'classifier'}) flagged it.`;
  const assessed = input.analysis
    ? ` Our automated analysis assessed it as ${input.analysis.violationType === 'ok' ? 'not violating' : `"${input.analysis.violationType}"`} (confidence ${input.analysis.confidence.toFixed(2)}).`
    : '';
  const facts = `Your content "${input.contentId}", submitted at ${input.submittedAt}. ${detectedBy}${assessed}`;
  const decidedBy =
    automatedDecision === 'fully'
      ? 'The decision was taken by automated means, without a human review, as our policy allows for this category.'
      : `The decision was taken by a human moderator${input.analysis ? ' after reviewing the content and the automated analysis' : ''}.`;
  const groundText = grounds.length
    ? grounds.map((g) => `our policy "${g.policyId}": ${g.policyText.replace(/[.\s]+$/, '')}`).join('; ')
    : 'our content policy';
  const restriction = restrictions
    .map((r) => (r.type === 'warning' ? 'a warning' : r.type === 'content_removed' ? 'removal of the content' : r.durationHours ? `suspension of the account for ${r.durationHours} hours` : 'suspension of the account until further notice'))
    .join(' and ');

  const text = [
    `Statement of reasons (${d.commandId})`,
    '',
    `Decision: ${whatWeDid(d, input.contentId, restrictions)}`,
    `Restriction: ${restriction}; applies on the whole service, worldwide. Decided at ${d.at}.`,
    `Facts and circumstances: ${facts}`,
    `Automated means: ${reported ? 'The content was identified through a user report, not by automated detection.' : 'The content was detected by automated means.'} ${decidedBy}`,
    `Ground: the content is incompatible with our terms — ${groundText}.${input.analysis?.policyVersion ? ` Policy version ${input.analysis.policyVersion}.` : ''}`,
    `Explanation: ${explanation}`,
    `How to appeal: ${REDRESS.internalAppeal} ${REDRESS.outOfCourt} ${REDRESS.judicial}`,
  ].join('\n');

  return {
    schemaVersion: 1,
    id: d.commandId,
    caseId: input.caseId,
    contentId: input.contentId,
    authorId: input.authorId,
    decidedAt: d.at,
    decision: d.decision,
    restrictions,
    territorialScope: 'worldwide',
    facts,
    source,
    automatedDetection: !reported,
    automatedDecision,
    groundType: 'incompatible_with_terms',
    grounds,
    policyVersion: input.analysis?.policyVersion ?? null,
    explanation,
    redress: { ...REDRESS },
    text,
  };
}
