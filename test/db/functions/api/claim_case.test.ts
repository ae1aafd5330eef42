/**
 * api.claim_case as real logins: the review lease on a case awaiting review, with the same checks as a
 * decision (role, four-eyes, someone else's claim), recorded as a `claim` command with its audit event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  awaitingReview,
  caseRow,
  cmdId,
  commandRow,
  createFixture,
  escalated,
  expectDuplicateChangesNothing,
  expectOnlyRefusal,
  expectRaisedNothingChanged,
  expectWorkerCannotExecute,
  ingest,
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

const claim = (who: Actor, caseId: string, commandId: string, extra: Record<string, unknown> = {}) =>
  api(who, 'claim_case', { p_case_id: caseId, p_command_id: commandId, ...extra });

describe('api.claim_case', () => {
  it('claims a case awaiting review for the login\'s person: the lease, the command and its audit event', async () => {
    const c = await awaitingReview(f);
    const before = await caseRow(f, c.id);
    const id = cmdId('claim');
    const ch = await observe(f, () => claim(f.people.mod1, c.id, id, { p_minutes: 30, p_tool: 'ui' }));
    expect(ch.error).toBeUndefined();
    expect(ch.result).toMatchObject({
      outcome: 'applied',
      duplicate: false,
      case: { id: c.id, status: 'awaiting_review', claimed_by: 'mod-1', claim_active: true, version: before.version },
    });
    expect(ch.result!.job).toBeUndefined();
    expect(ch.result!.case).not.toHaveProperty('analysis');

    const after = await caseRow(f, c.id);
    expect(after).toMatchObject({ status: 'awaiting_review', claimed_by: 'mod-1', version: before.version });
    const cmd = await commandRow(f, id);
    // Database time: the lease is exactly 30 minutes from the claiming transaction's now().
    expect(after.claim_until!.getTime() - cmd.created_at.getTime()).toBe(30 * 60_000);
    expect(cmd).toMatchObject({
      type: 'claim', case_id: c.id, actor: 'mod-1', tool: 'ui', status: 'applied', payload: {}, expected_version: null,
      interrupt_id: before.interrupt_id,
    });
    expect(cmd.applied_at).not.toBeNull();
    expect(ch.changedCases).toEqual([c.id]);
    expect(ch.commands.map((x) => x.id)).toEqual([id]);
    expect(ch.audit).toHaveLength(1);
    expect(ch.audit[0]).toMatchObject({
      stream: `case:${c.id}`, type: 'case.claimed', actor: 'mod-1', db_login: f.people.mod1.login, tool: 'ui',
    });
    expect(new Date(ch.audit[0]!.payload.until as string).getTime()).toBe(after.claim_until!.getTime());
  });

  it('lasts 15 minutes by default, and the holder may renew it', async () => {
    const c = await awaitingReview(f);
    const first = cmdId('claim');
    expect((await claim(f.people.mod2, c.id, first)).outcome).toBe('applied');
    const lease = (await caseRow(f, c.id)).claim_until!.getTime() - (await commandRow(f, first)).created_at.getTime();
    expect(lease).toBe(15 * 60_000);

    const renew = cmdId('claim');
    const r = await claim(f.people.mod2, c.id, renew, { p_minutes: 60 });
    expect(r).toMatchObject({ outcome: 'applied', case: { claimed_by: 'mod-2' } });
    const renewed = (await caseRow(f, c.id)).claim_until!.getTime() - (await commandRow(f, renew)).created_at.getTime();
    expect(renewed).toBe(60 * 60_000);
  });

  it('is idempotent: the same command id returns the prior outcome and records nothing again', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('claim');
    const first = await claim(f.people.mod1, c.id, id, { p_minutes: 20 });
    expect(first.outcome).toBe('applied');
    const again = await expectDuplicateChangesNothing(f, () => claim(f.people.mod1, c.id, id, { p_minutes: 20 }));
    expect(again).toMatchObject({ outcome: 'applied', duplicate: true, case: { id: c.id, claimed_by: 'mod-1', claim_until: first.case!.claim_until } });
  });

  it('refuses a case claimed by someone else (conflict, with who holds it until when), recording only the refusal', async () => {
    const c = await awaitingReview(f);
    expect((await claim(f.people.mod1, c.id, cmdId('claim'))).outcome).toBe('applied');
    const held = await caseRow(f, c.id);
    const id = cmdId('claim');
    const err = await expectOnlyRefusal(f, () => claim(f.people.mod2, c.id, id), {
      commandId: id, type: 'claim', caseId: c.id, by: f.people.mod2, code: 'conflict', message: /claimed by mod-1 until/,
    });
    expect(err.details).toMatchObject({ claimedBy: 'mod-1' });
    expect(new Date(err.details!.claimUntil as string).getTime()).toBe(held.claim_until!.getTime());
  });

  it('refuses a moderator an escalated (level-2) case, which a supervisor may claim', async () => {
    const c = await escalated(f, f.people.mod1);
    const id = cmdId('claim');
    await expectOnlyRefusal(f, () => claim(f.people.mod2, c.id, id), {
      commandId: id, type: 'claim', caseId: c.id, by: f.people.mod2, code: 'forbidden', message: /escalated \(level 2\).*supervisors and admins only/,
    });
    expect(await claim(f.people.sup1, c.id, cmdId('claim'))).toMatchObject({ outcome: 'applied', case: { claimed_by: 'sup-1', level: 2 } });
  });

  it('four-eyes: whoever made the decision under review cannot claim its review', async () => {
    const c = await escalated(f, f.people.sup1);
    const id = cmdId('claim');
    await expectOnlyRefusal(f, () => claim(f.people.sup1, c.id, id), {
      commandId: id, type: 'claim', caseId: c.id, by: f.people.sup1, code: 'forbidden', message: /Four-eyes: sup-1/,
    });
    expect((await claim(f.people.sup2, c.id, cmdId('claim'))).outcome).toBe('applied');
  });

  it('refuses a case that is not awaiting review (conflict, with the case\'s state)', async () => {
    const c = await ingest(f); // still being analysed
    const id = cmdId('claim');
    const err = await expectOnlyRefusal(f, () => claim(f.people.mod1, c.id, id), {
      commandId: id, type: 'claim', caseId: c.id, by: f.people.mod1, code: 'conflict', message: /is analyzing: nothing to claim/,
    });
    expect(err.details).toEqual({ caseId: c.id, status: 'analyzing', version: 1, lastDecision: null });
  });

  it('refuses a login that is no person of the installation, recorded under that login', async () => {
    const c = await awaitingReview(f);
    const id = cmdId('claim');
    await expectOnlyRefusal(f, () => claim(f.stranger, c.id, id), {
      commandId: id, type: 'claim', caseId: c.id, by: f.stranger, code: 'forbidden', message: /is not an active person of this installation/,
    });
  });

  it('raises invalid_input (GWINV) for bad arguments, changing nothing', async () => {
    const c = await awaitingReview(f);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ p_minutes: 0 }, /minutes: a claim lasts 1 to 1440 minutes/],
      [{ p_minutes: 1441 }, /minutes/],
      [{ p_minutes: null }, /minutes/],
      [{ p_command_id: 'short' }, /commandId: must be 8 to 128 characters/],
      [{ p_command_id: 'x'.repeat(129) }, /commandId/],
      [{ p_command_id: null }, /commandId/],
      [{ p_tool: 'script' }, /tool: must be cli, ui or api/],
      [{ p_case_id: null }, /caseId: required/],
    ];
    for (const [args, message] of bad) {
      const err = await expectRaisedNothingChanged(f, () => claim(f.people.mod1, c.id, cmdId('claim'), args), 'GWINV', JSON.stringify(args).slice(0, 80));
      expect(err.message).toMatch(message);
    }
    // Not a uuid at all: PostgreSQL's own invalid_text_representation.
    await expectRaisedNothingChanged(f, () => claim(f.people.mod1, 'not-a-uuid', cmdId('claim')), '22P02');
  });

  it('raises not_found (GWNFD) for an unknown case, changing nothing', async () => {
    const missing = unknownCase();
    const err = await expectRaisedNothingChanged(f, () => claim(f.people.mod1, missing, cmdId('claim')), 'GWNFD');
    expect(err.message).toBe(`No case ${missing}.`);
  });

  it('raises a conflict (GWCON) for a command id already used for another case, changing nothing', async () => {
    const a = await awaitingReview(f);
    const b = await awaitingReview(f);
    const id = cmdId('claim');
    expect((await claim(f.people.mod1, a.id, id)).outcome).toBe('applied');
    const err = await expectRaisedNothingChanged(f, () => claim(f.people.mod1, b.id, id), 'GWCON');
    expect(err.message).toMatch(/already used for a different command/);
    // …and by another person for the same case: not their result to see.
    await expectRaisedNothingChanged(f, () => claim(f.people.mod2, a.id, id), 'GWCON');
  });

  it('the worker login cannot execute it (42501)', async () => {
    const c = await awaitingReview(f);
    await expectWorkerCannotExecute(f, 'api.claim_case(uuid, text, int, text)', () => claim(f.worker, c.id, cmdId('claim')) as Promise<ApiResult>);
  });
});
