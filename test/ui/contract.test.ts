// The contract test (STYLE 8): every command has a handler and a bridge method, every event a schema;
// the dispatcher turns invalid input and core errors into typed error values, acts only through the
// session of whoever is signed in at the seat (their login is the actor, never anything in the input),
// and answers nothing but session:get and session:signIn before someone signs in.
import { describe, expect, it } from 'vitest';
import type { CoreApi, CommandInput } from '../../src/core/api.js';
import { GuardianError } from '../../src/core/errors.js';
import { COMMAND_NAMES, EVENT_NAMES, commands, events, methodName, type CommandName } from '../../src/shared/contract.js';
import { createDispatcher, createHandlers } from '../../src/main/ipc/dispatcher.js';
import { buildBridge } from '../../src/preload/bridge.js';
import type { CaseSummary } from '../../src/shared/domain.js';
import { fakeHost, MOD1, type FakeSeat } from './fake-host.js';

const CASE = '00000000-0000-4000-8000-000000000001';
const TAKEN = '00000000-0000-4000-8000-0000000000aa';
const BOOM = '00000000-0000-4000-8000-0000000000bb';

const summary: CaseSummary = {
  id: CASE,
  contentId: 'c1',
  authorId: 'a1',
  status: 'awaiting_review',
  level: 1,
  reviewKind: 'initial',
  version: 3,
  severity: 'high',
  violationType: 'violence',
  verdict: 'review',
  priority: 'normal',
  claimedBy: null,
  claimUntil: null,
  textPreview: 'x',
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  slaDueAt: null,
  escalationRequest: null,
};

const unused = async (): Promise<never> => {
  throw new Error('unused');
};

function fakeCore(executed: CommandInput[], who = MOD1): CoreApi {
  return {
    mode: 'connected',
    commandStatus: async () => undefined,
    async execute(cmd) {
      executed.push(cmd);
      if (cmd.caseId === TAKEN) throw new GuardianError('conflict', `Case ${TAKEN} is claimed by mod-2.`, { claimedBy: 'mod-2' });
      if (cmd.caseId === BOOM) throw new Error('database exploded');
      return { commandId: cmd.commandId, status: 'accepted', duplicate: false, case: summary };
    },
    listCases: async () => [summary],
    getCase: async () => {
      throw new GuardianError('not_found', 'no such case');
    },
    audit: async () => [],
    metrics: unused,
    dashboard: unused,
    moderators: async () => [],
    whoami: async () => ({ id: who.id, displayName: who.displayName, role: who.role, login: `guardian.${who.id}`, mode: 'connected' }),
    people: { list: unused, add: unused, disable: unused, setRole: unused },
    deadLetters: { list: async () => [], get: unused, replay: unused, discard: unused },
    connection: () => ({ database: 'up', broker: 'up' }),
    onEvent: () => () => {},
  };
}

const signedIn = (api: CoreApi, extra: Partial<FakeSeat> = {}) => ({ host: fakeHost({ signedIn: { api, user: MOD1, ...extra } }), shell: 'devhost' as const });

/** A valid input for every command (checked below), so a refusal is the dispatcher's, not the parser's. */
const VALID: Record<CommandName, unknown> = {
  'session:get': {},
  'session:signIn': { login: 'guardian.mod-1', password: 'correct horse' },
  'session:signOut': {},
  'cases:list': {},
  'case:get': { caseId: CASE },
  'case:claim': { caseId: CASE, commandId: 'cmd-claim-1' },
  'case:release': { caseId: CASE, commandId: 'cmd-release-1' },
  'case:decide': { caseId: CASE, commandId: 'cmd-decide-1', decision: 'remove', reason: 'a threat' },
  'case:rollback': { caseId: CASE, commandId: 'cmd-rollback-1', reason: 'it was a quote' },
  'case:note': { caseId: CASE, commandId: 'cmd-note-1', text: 'seen before' },
  'appeal:decide': { caseId: CASE, commandId: 'cmd-appeal-1', outcome: 'uphold', reason: 'the threat was real' },
  'audit:list': {},
  'audit:verify': {},
  'statements:export': {},
  'metrics:get': {},
  'dashboard:get': { window: '24h' },
  'moderators:list': {},
  'people:list': {},
  'people:add': { id: 'new-1', role: 'moderator' },
  'people:disable': { id: 'new-1' },
  'people:setRole': { id: 'new-1', role: 'supervisor' },
  'outbox:list': {},
  'outbox:discard': { id: 'cmd-decide-1' },
  'outbox:escalate': { id: 'cmd-decide-1' },
  'update:get': {},
  'update:check': {},
  'update:download': {},
  'update:restart': {},
  'settings:get': {},
  'wellbeing:get': {},
  'wellbeing:set': { commandId: 'cmd-wellbeing-1', hiddenCategories: ['violence'], breakAfter: null },
  'case:reveal': { caseId: CASE, commandId: 'cmd-reveal-1', category: 'violence' },
  'templates:list': {},
  'templates:save': { commandId: 'cmd-template-1', scope: 'team', title: 'Threat', body: 'Removed: {category}', category: 'violence' },
  'templates:delete': { commandId: 'cmd-template-2', id: 1 },
  'views:list': {},
  'views:save': { commandId: 'cmd-view-1', scope: 'own', name: 'Critical', filters: { severity: 'critical', level: 0 }, sort: 'severity' },
  'views:delete': { commandId: 'cmd-view-2', id: 1 },
  'deadLetters:list': {},
  'deadLetters:get': { id: 1 },
  'deadLetters:replay': { ids: [1], commandId: 'cmd-replay-1' },
  'deadLetters:discard': { ids: [1, 2], commandId: 'cmd-discard-1' },
  'presence:touch': { caseId: CASE, state: 'typing' },
  'presence:list': { caseIds: [CASE] },
  'shell:attention': { badge: 2, notice: { kind: 'urgent', title: 'Urgent case: post-1', body: 'text' } },
  'bulk:preview': { caseIds: ['00000000-0000-4000-8000-000000000001'], decision: 'remove' },
  'bulk:run': { caseIds: ['00000000-0000-4000-8000-000000000001'], decision: 'remove', batchId: 'batch-0001', reason: 'spam wave' },
  'bulk:undo': { batchId: 'batch-0002', undoes: 'batch-0001', reason: 'wrong wave' },
  'bulk:get': { batchId: 'batch-0001' },
};

describe('IPC contract', () => {
  it('has exactly one handler per command', () => {
    const handlers = createHandlers();
    expect(Object.keys(handlers).sort()).toEqual([...COMMAND_NAMES].sort());
    expect(Object.keys(commands).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('has sign-in and sign-out in the contract, each with a handler', () => {
    const handlers = createHandlers();
    for (const name of ['session:signIn', 'session:signOut'] as const) {
      expect(COMMAND_NAMES).toContain(name);
      expect(commands).toHaveProperty([name]);
      expect(typeof handlers[name]).toBe('function');
    }
    expect(EVENT_NAMES).toContain('session:changed');
    // Sign-in takes a login and a password, nothing else (no actor, no role).
    expect(commands['session:signIn'].input.safeParse({ login: 'guardian.mod-1', password: 'x', remember: true }).success).toBe(true);
    expect(commands['session:signIn'].input.safeParse({ login: 'guardian.mod-1' }).success).toBe(false);
    expect(commands['session:signIn'].input.safeParse({ login: 'guardian.mod-1', password: 'x', role: 'admin' }).success).toBe(false);
  });

  it('has exactly one bridge method per command, plus on(event)', () => {
    const calls: string[] = [];
    const api = buildBridge(
      async (name) => {
        calls.push(name);
        return { ok: true, value: null };
      },
      () => () => {},
    );
    expect(Object.keys(api).sort()).toEqual([...COMMAND_NAMES.map(methodName), 'on'].sort());
    for (const name of COMMAND_NAMES) void (api[methodName(name)] as (i: unknown) => Promise<unknown>)({});
    expect(calls).toEqual([...COMMAND_NAMES]);
    expect(() => (api.on as (e: string, cb: () => void) => void)('not:an-event', () => {})).toThrow();
  });

  it('has a schema for every push event', () => {
    expect(Object.keys(events).sort()).toEqual([...EVENT_NAMES].sort());
  });

  it('returns invalid_input as a value for bad input and unknown commands', async () => {
    const d = createDispatcher();
    const ctx = signedIn(fakeCore([]));
    const bad = await d.dispatch('case:decide', { caseId: CASE, commandId: 'short', decision: 'nuke', reason: '' }, ctx);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const notACase = await d.dispatch('case:claim', { caseId: 'c1', commandId: 'cmd-00000009' }, ctx);
    expect(notACase).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/caseId/) } });
    const unknown = await d.dispatch('shell:exec', {}, ctx);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('Unknown command') } });
    const window = await d.dispatch('metrics:get', { sinceDays: 0 }, ctx);
    expect(window).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/sinceDays.*at least 1 day/) } });
    const dashWindow = await d.dispatch('dashboard:get', { window: '1y' }, ctx);
    expect(dashWindow).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/window/) } });
  });

  it('answers every command but session:get and session:signIn with "Sign in first." while nobody is signed in', async () => {
    const executed: CommandInput[] = [];
    const d = createDispatcher();
    const ctx = { host: fakeHost(), shell: 'devhost' as const };
    for (const name of COMMAND_NAMES) expect(commands[name].input.safeParse(VALID[name]).success, `VALID['${name}'] parses`).toBe(true);
    const guarded = COMMAND_NAMES.filter((n) => n !== 'session:get' && n !== 'session:signIn');
    expect(guarded).toHaveLength(COMMAND_NAMES.length - 2);
    const answers: Record<string, unknown> = {};
    for (const name of guarded) answers[name] = await d.dispatch(name, VALID[name], ctx);
    const refusal = { ok: false, error: { code: 'forbidden', message: 'Sign in first.', details: { reason: 'signed_out' } } };
    expect(answers).toEqual(Object.fromEntries(guarded.map((n) => [n, refusal])));
    expect(executed).toEqual([]);
    // session:get says who is signed in (nobody) and how to sign in.
    const session = await d.dispatch('session:get', {}, ctx);
    expect(session).toMatchObject({ ok: true, value: { user: null, mode: 'connected', signIn: { required: true, server: '127.0.0.1:5432/guardian', login: null } } });
    expect(commands['session:get'].output.safeParse((session as { value: unknown }).value).success).toBe(true);
  });

  it('signs in with a login and password, then acts through that session; sign-out closes the seat again', async () => {
    const executed: CommandInput[] = [];
    const host = fakeHost({ accounts: { 'guardian.mod-1': { api: fakeCore(executed), user: MOD1, password: 'correct horse' } } });
    const ctx = { host, shell: 'devhost' as const };
    const d = createDispatcher();

    const wrong = await d.dispatch('session:signIn', { login: 'guardian.mod-1', password: 'wrong' }, ctx);
    expect(wrong).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Wrong login or password.' } });
    expect(await d.dispatch('case:claim', VALID['case:claim'], ctx)).toMatchObject({ ok: false, error: { message: 'Sign in first.' } });

    const session = await d.dispatch('session:signIn', { login: 'guardian.mod-1', password: 'correct horse', remember: true }, ctx);
    expect(session).toMatchObject({ ok: true, value: { user: MOD1, signIn: { login: 'guardian.mod-1', required: true } } });
    expect(commands['session:signIn'].output.safeParse((session as { value: unknown }).value).success).toBe(true);
    expect(host.signIns.at(-1)).toEqual({ login: 'guardian.mod-1', password: 'correct horse', remember: true });

    expect(await d.dispatch('case:claim', VALID['case:claim'], ctx)).toMatchObject({ ok: true, value: { commandId: 'cmd-claim-1' } });
    expect(executed).toEqual([{ type: 'claim', caseId: CASE, commandId: 'cmd-claim-1', tool: 'ui' }]);

    expect(await d.dispatch('session:signOut', {}, ctx)).toMatchObject({ ok: true, value: { user: null, signIn: { login: null } } });
    expect(await d.dispatch('case:claim', { ...(VALID['case:claim'] as object), commandId: 'cmd-claim-2' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: 'Sign in first.' },
    });
    expect(executed).toHaveLength(1);
  });

  it('takes the actor from the session; an actor in the input is refused', async () => {
    const executed: CommandInput[] = [];
    const d = createDispatcher();
    const ctx = signedIn(fakeCore(executed));
    const input = { caseId: CASE, commandId: 'cmd-00000001', decision: 'remove', reason: 'a threat', expectedVersion: 3 };
    const r = await d.dispatch('case:decide', input, ctx);
    expect(r.ok).toBe(true);
    // What reaches the session names no person at all: the database takes the actor from the login.
    expect(executed[0]).toMatchObject({ type: 'decide', tool: 'ui', commandId: 'cmd-00000001', expectedVersion: 3 });
    expect(executed[0]).not.toHaveProperty('actor');
    const spoof = await d.dispatch('case:decide', { ...input, commandId: 'cmd-00000002', actor: 'admin-1' }, ctx);
    expect(spoof).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(executed).toHaveLength(1);
  });

  it('wellbeing: whose settings is never an input, categories and bounds are checked, and a reveal without the server says it needs it', async () => {
    const d = createDispatcher();
    const ctx = signedIn(fakeCore([]));
    const ok = { commandId: 'cmd-wellbeing-2', hiddenCategories: ['violence'], breakAfter: 3 };
    for (const bad of [{ ...ok, personId: 'mod-2' }, { ...ok, hiddenCategories: ['spam'] }, { ...ok, breakAfter: -1 }, { ...ok, breakAfter: 1001 }]) {
      expect(await d.dispatch('wellbeing:set', bad, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(await d.dispatch('case:reveal', { caseId: CASE, commandId: 'cmd-reveal-2', category: 'spam' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    // This fake session has no database: the reveal is refused as needing the server, never shown unrecorded.
    expect(await d.dispatch('case:reveal', { caseId: CASE, commandId: 'cmd-reveal-2', category: 'violence' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringMatching(/needs the server/) },
    });
    // Known offline, or the connection lost on the way: the same typed refusal, nothing thrown.
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const lost = { ...fakeCore([]), db: { query: async () => Promise.reject(refused) } } as CoreApi;
    const down = { ...lost, connection: () => ({ database: 'down' as const, broker: 'up' as const }) } as CoreApi;
    for (const api of [lost, down]) {
      for (const [name, input] of [
        ['case:reveal', { caseId: CASE, commandId: 'cmd-reveal-3', category: 'violence' }],
        ['wellbeing:get', {}],
        ['wellbeing:set', ok],
        ['presence:touch', { caseId: CASE, state: 'viewing' }],
        ['presence:list', { caseIds: [CASE] }],
      ] as const) {
        expect(await d.dispatch(name, input, signedIn(api)), name).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/needs the server/) } });
      }
    }
  });

  it('maps core errors to typed error values and never throws', async () => {
    const d = createDispatcher();
    const ctx = signedIn(fakeCore([]));
    expect(await d.dispatch('case:claim', { caseId: TAKEN, commandId: 'cmd-00000002' }, ctx)).toEqual({
      ok: false,
      error: { code: 'conflict', message: `Case ${TAKEN} is claimed by mod-2.`, details: { claimedBy: 'mod-2' } },
    });
    expect(await d.dispatch('case:claim', { caseId: BOOM, commandId: 'cmd-00000003' }, ctx)).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(await d.dispatch('case:get', { caseId: 'nope' }, ctx)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('IPC contract with the local outbox (DESIGN §9)', () => {
  it('saves decisions in the outbox, reports delivery, and turns a conflict into a typed error that keeps the entry', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { openLocalStore } = await import('../../src/core/offline/local-store.js');
    const { createWorkstation } = await import('../../src/core/offline/workstation.js');
    const { silentLogger } = await import('../../src/core/log.js');
    const dir = mkdtempSync(join(tmpdir(), 'gw-contract-'));
    const store = openLocalStore(dir);
    const base = fakeCore([]);
    const core: CoreApi = {
      ...base,
      commandStatus: async () => undefined,
      execute: (cmd: CommandInput) => base.execute(cmd.commandId === 'cmd-outbox-2' ? { ...cmd, caseId: TAKEN } : cmd),
    };
    const caseId = summary.id;
    const ws = createWorkstation({ core, store, user: 'mod-1', logger: silentLogger });
    try {
      const d = createDispatcher({ settleMs: 2_000 });
      const ctx = signedIn(core, { workstation: ws });
      expect(await d.dispatch('session:get', {}, ctx)).toMatchObject({ ok: true, value: { outbox: true, user: MOD1 } });
      const ok = await d.dispatch('case:decide', { caseId, commandId: 'cmd-outbox-1', decision: 'remove', reason: 'a threat' }, ctx);
      expect(ok).toMatchObject({ ok: true, value: { commandId: 'cmd-outbox-1', status: 'accepted' } });
      const conflict = await d.dispatch('case:decide', { caseId, commandId: 'cmd-outbox-2', decision: 'warn', reason: 'mine' }, ctx);
      expect(conflict).toMatchObject({ ok: false, error: { code: 'conflict', details: { outboxId: 'cmd-outbox-2', outboxState: 'conflict' } } });
      const list = await d.dispatch('outbox:list', {}, ctx);
      expect(list.ok && (list.value as Array<{ id: string; state: string }>).map((e) => [e.id, e.state])).toEqual([
        ['cmd-outbox-2', 'conflict'],
        ['cmd-outbox-1', 'delivered'],
      ]);
      expect(await d.dispatch('outbox:discard', { id: 'cmd-outbox-2' }, ctx)).toMatchObject({ ok: true, value: { state: 'discarded' } });
      expect(await d.dispatch('outbox:discard', { id: 'cmd-outbox-1' }, ctx)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    } finally {
      ws.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
