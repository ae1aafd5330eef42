/**
 * api.release_case as real logins: the holder gives a claim back, or a supervisor releases anyone's; a
 * case nobody holds is a no-op (the command is recorded, nothing else happens).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  awaitingReview,
  caseRow,
  cmdId,
  commandRow,
  createFixture,
  expectDuplicateChangesNothing,
  expectOnlyRefusal,
  expectRaisedNothingChanged,
  expectWorkerCannotExecute,
  observe,
  unknownCase,
  type Actor,
  type ApiResult,
  type Fixture,
} from './support.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(async () => {
  await f?.drop();
});

const release = (who: Actor, caseId: string, commandId: string, extra: Record<string, unknown> = {}) =>
  api(who, 'release_case', { p_case_id: caseId, p_command_id: commandId, ...extra });

/** A level-1 case awaiting review, claimed by `holder`. */
async function claimedBy(holder: Actor) {
  const c = await awaitingReview(f);
  const r = await api(holder, 'claim_case', { p_case_id: c.id, p_command_id: cmdId('claim') });
  expect(r.outcome).toBe('applied');
  return c;
}

describe('api.release_case', () => {
  it('the holder releases their claim: the lease is gone, with the command and its audit event', async () => {
    const c = await claimedBy(f.people.mod1);
    const before = await caseRow(f, c.id);
    const id = cmdId('release');
    const ch = await observe(f, () => release(f.people.mod1, c.id, id, { p_tool: 'cli' }));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({
      outcome: 'applied', duplicate: false,
      case: { id: c.id, claimed_by: null, claim_until: null, claim_active: false, status: 'awaiting_review', version: before.version },
    });
    expect(await caseRow(f, c.id)).toMatchObject({ claimed_by: null, claim_until: null, version: before.version, status: 'awaiting_review' });
    expect(ch.changedCases).toEqual([c.id]);
    expect(ch.commands).toHaveLength(1);
    expect(ch.commands[0]).toMatchObject({ id, type: 'release', case_id: c.id, actor: 'mod-1', tool: 'cli', status: 'applied', payload: {} });
    expect(ch.commands[0]!.applied_at).not.toBeNull();
    expect(ch.audit).toHaveLength(1);
    expect(ch.audit[0]).toMatchObject({
      stream: `case:${c.id}`, type: 'case.released', actor: 'mod-1', db_login: f.people.mod1.login, tool: 'cli', payload: { claimedBy: 'mod-1' },
    });
  });

  it('a supervisor releases someone else\'s claim, audited as the supervisor', async () => {
    const c = await claimedBy(f.people.mod2);
    const id = cmdId('release');
    const ch = await observe(f, () => release(f.people.sup1, c.id, id));
    expect(ch.result).toMatchObject({ outcome: 'applied', case: { claimed_by: null } });
    expect((await commandRow(f, id)).actor).toBe('sup-1');
    expect(ch.audit).toEqual([
      expect.objectContaining({ type: 'case.released', actor: 'sup-1', db_login: f.people.sup1.login, payload: { claimedBy: 'mod-2' } }),
    ]);
  });

  it('is idempotent: the same command id returns the prior outcome and records nothing again', async () => {
    const c = await claimedBy(f.people.mod1);
    const id = cmdId('release');
    expect((await release(f.people.mod1, c.id, id)).outcome).toBe('applied');
    // Claimed again since: the replay must not release the new claim.
    expect((await api(f.people.mod2, 'claim_case', { p_case_id: c.id, p_command_id: cmdId('claim') })).outcome).toBe('applied');
    const again = await expectDuplicateChangesNothing(f, () => release(f.people.mod1, c.id, id));
    expect(again).toMatchObject({ outcome: 'applied', duplicate: true, case: { claimed_by: 'mod-2', claim_active: true } });
  });

  it('releasing a case nobody holds is a no-op: the command is recorded, the case and the audit are untouched', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('release');
    const ch = await observe(f, () => release(f.people.mod1, c.id, id));
    expect(ch.result).toMatchObject({ outcome: 'applied', duplicate: false, case: { claimed_by: null } });
    expect(ch.changedCases).toEqual([]);
    expect(ch.commands).toEqual([expect.objectContaining({ id, type: 'release', actor: 'mod-1', status: 'applied' })]);
    expect(ch.audit).toEqual([]);
  });

  it('refuses a moderator someone else\'s claim (forbidden), recording only the refusal', async () => {
    const c = await claimedBy(f.people.mod1);
    const id = cmdId('release');
    await expectOnlyRefusal(f, () => release(f.people.mod2, c.id, id), {
      commandId: id, type: 'release', caseId: c.id, by: f.people.mod2, code: 'forbidden', message: /Only mod-1 or a supervisor can release this claim/,
    });
    expect(await caseRow(f, c.id)).toMatchObject({ claimed_by: 'mod-1' });
  });

  it('refuses a login that is no person of the installation, recorded under that login', async () => {
    const c = await claimedBy(f.people.mod1);
    const id = cmdId('release');
    await expectOnlyRefusal(f, () => release(f.stranger, c.id, id), {
      commandId: id, type: 'release', caseId: c.id, by: f.stranger, code: 'forbidden', message: /is not an active person/,
    });
  });

  it('raises invalid_input (GWINV) for bad arguments, changing nothing', async () => {
    const c = await claimedBy(f.people.mod1);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ p_command_id: 'seven77' }, /commandId/],
      [{ p_command_id: '        ' }, /commandId/],
      [{ p_tool: null }, /tool/],
      [{ p_tool: 'agent' }, /tool/],
      [{ p_case_id: null }, /caseId: required/],
    ];
    for (const [args, message] of bad) {
      const err = await expectRaisedNothingChanged(f, () => release(f.people.mod1, c.id, cmdId('release'), args), 'GWINV', JSON.stringify(args).slice(0, 80));
      expect(err.message).toMatch(message);
    }
  });

  it('raises not_found (GWNFD) for an unknown case, changing nothing', async () => {
    await expectRaisedNothingChanged(f, () => release(f.people.sup1, unknownCase(), cmdId('release')), 'GWNFD');
  });

  it('raises a conflict (GWCON) for a command id already used for another command, changing nothing', async () => {
    const c = await claimedBy(f.people.mod1);
    const claimId = (await commandRowsOf(c.id, 'claim'))[0]!;
    const err = await expectRaisedNothingChanged(f, () => release(f.people.mod1, c.id, claimId), 'GWCON');
    expect(err.message).toMatch(/already used for a different command/);
  });

  it('the worker login cannot execute it (42501)', async () => {
    const c = await claimedBy(f.people.mod1);
    await expectWorkerCannotExecute(f, 'api.release_case(uuid, text, text)', () => release(f.worker, c.id, cmdId('release')) as Promise<ApiResult>);
  });
});

async function commandRowsOf(caseId: string, type: string): Promise<string[]> {
  const { rows } = await f.inst.dba<{ id: string }>('SELECT id FROM commands WHERE case_id = $1 AND type = $2 ORDER BY created_at', [caseId, type]);
  return rows.map((r) => r.id);
}
