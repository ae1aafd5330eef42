// The statement of reasons builder (src/core/statements/statement.ts) and the export's CSV, without servers:
// the DSA Art. 17 fields for each decision kind, who decided, the ground from the policy, and CSV quoting.
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/core/classify/policy.js';
import { exportRow, statementsCsv } from '../../src/core/services/statements.js';
import { buildStatement, needsStatement, type StatementInput } from '../../src/core/statements/statement.js';
import type { AnalysisResult } from '../../src/shared/domain.js';
import { STATEMENT_EXPORT_COLUMNS, StatementOfReasons } from '../../src/shared/statement.js';

const policy = loadPolicy();
const analysis: AnalysisResult = {
  verdict: 'review', suggestedAction: 'remove', violationType: 'harassment', severity: 'medium', confidence: 0.8, reasoning: 'insult',
  keyPhrases: [], classifier: 'rules', policyVersion: policy.policyVersion,
};
const input = (over: Partial<StatementInput['decision']> = {}, rest: Partial<StatementInput> = {}): StatementInput => ({
  caseId: '6f1c1c1e-0000-4000-8000-000000000001',
  contentId: 'post-1',
  authorId: 'author-1',
  reportedBy: null,
  reportReason: null,
  submittedAt: '2026-12-03T10:00:00.000Z',
  analysis,
  decision: { commandId: 'cmd-1', decision: 'remove', reason: 'insults a person', policyIds: [], actor: 'mod-1', level: 1, reviewKind: 'initial', at: '2026-12-03T11:00:00.000Z', ...over },
  ...rest,
});

describe('buildStatement', () => {
  it('only decisions that restrict something get one', () => {
    expect(['warn', 'remove', 'remove_and_ban'].every(needsStatement)).toBe(true);
    expect(['approve', 'escalate', 'uphold', 'overturn'].some(needsStatement)).toBe(false);
    expect(() => buildStatement(input({ decision: 'approve' }), policy)).toThrow(/no statement/);
  });

  it("a person's removal: not automated, detected by automated means, the analysed category as ground", () => {
    const s = StatementOfReasons.parse(buildStatement(input(), policy));
    expect(s).toMatchObject({
      id: 'cmd-1', decision: 'remove', automatedDecision: 'not_automated', automatedDetection: true, source: 'own_initiative',
      grounds: [{ policyId: 'harassment', policyText: policy.categories.harassment.description }], territorialScope: 'worldwide',
    });
    expect(s.text).toMatch(/^Statement of reasons \(cmd-1\)/);
    expect(s.text).toContain('How to appeal:');
  });

  it("the decider's policy ids win over the analysis; unknown ids are not grounds", () => {
    const s = buildStatement(input({ policyIds: ['hate', 'not-a-policy', 'hate'] }), policy);
    expect(s.grounds.map((g) => g.policyId)).toEqual(['hate']);
    expect(buildStatement(input({ policyIds: ['nope'] }, { analysis: { ...analysis, violationType: 'ok' } }), policy).grounds).toEqual([]);
  });

  it('a temporary ban says for how long and until when; an indefinite one until further notice', () => {
    const t = buildStatement(input({ decision: 'remove_and_ban', durationHours: 24 }), policy);
    expect(t.restrictions[1]).toEqual({ action: 'ban_user', type: 'account_suspended', durationHours: 24, endsAt: '2026-12-04T11:00:00.000Z' });
    expect(buildStatement(input({ decision: 'remove_and_ban' }), policy).text).toContain('suspended your account until further notice');
  });

  it("the agent's decision is fully automated; a reported post is a notice, not automated detection", () => {
    const a = buildStatement(input({ commandId: 'auto:x', actor: 'agent', decision: 'warn' }), policy);
    expect(a).toMatchObject({ automatedDecision: 'fully', restrictions: [{ type: 'warning' }] });
    const r = buildStatement(input({}, { reportedBy: 'user-2', reportReason: 'rude' }), policy);
    expect(r).toMatchObject({ source: 'notice', automatedDetection: false });
    expect(r.facts).toContain('(reason given: "rude")');
  });
});

describe('the export', () => {
  it('has the DSA columns in order; CSV quotes commas, quotes and line breaks, and defuses formulas', () => {
    const row = exportRow(buildStatement(input({ reason: '=HYPERLINK("x"), said "hi"\nbye' }), policy), false);
    expect(Object.keys(row)).toEqual([...STATEMENT_EXPORT_COLUMNS]);
    const csv = statementsCsv([row]);
    const [header, ...rest] = csv.split('\r\n');
    expect(header).toBe(STATEMENT_EXPORT_COLUMNS.join(','));
    expect(rest.join('\r\n')).toContain(`"'=HYPERLINK(""x""), said ""hi""\nbye"`);
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});
