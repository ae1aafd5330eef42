// The contract test (STYLE 8): every command has a handler and a bridge method, every event a schema;
// the dispatcher turns invalid input and core errors into typed error values, and takes the actor
// from the session, never from the input.
import { describe, expect, it } from 'vitest';
import type { CoreApi, CommandInput } from '../../src/core/api.js';
import { GuardianError } from '../../src/core/errors.js';
import { COMMAND_NAMES, EVENT_NAMES, commands, events, methodName } from '../../src/shared/contract.js';
import { createDispatcher, createHandlers } from '../../src/main/ipc/dispatcher.js';
import { buildBridge } from '../../src/preload/bridge.js';
import type { CaseSummary } from '../../src/shared/domain.js';

const summary: CaseSummary = {
  id: '00000000-0000-4000-8000-000000000001',
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

function fakeCore(executed: CommandInput[]): CoreApi {
  return {
    mode: 'standalone',
    commandStatus: async () => undefined,
    async execute(cmd) {
      executed.push(cmd);
      if (cmd.caseId === 'taken') throw new GuardianError('conflict', 'Case taken is claimed by mod-2.', { claimedBy: 'mod-2' });
      if (cmd.caseId === 'boom') throw new Error('database exploded');
      return { commandId: cmd.commandId, status: 'accepted', duplicate: false, case: summary };
    },
    listCases: async () => [summary],
    getCase: async () => {
      throw new GuardianError('not_found', 'no such case');
    },
    audit: async () => [],
    metrics: async () => {
      throw new Error('unused');
    },
    moderators: async () => [],
    addModerator: async () => {
      throw new Error('unused');
    },
    connection: () => ({ database: 'embedded', broker: 'in-process' }),
    onEvent: () => () => {},
  };
}

const ctx = { user: { id: 'mod-1', displayName: 'Mod One', role: 'moderator' as const }, shell: 'devhost' as const };

describe('IPC contract', () => {
  it('has exactly one handler per command', () => {
    const handlers = createHandlers(fakeCore([]));
    expect(Object.keys(handlers).sort()).toEqual([...COMMAND_NAMES].sort());
    expect(Object.keys(commands).sort()).toEqual([...COMMAND_NAMES].sort());
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
    const d = createDispatcher(fakeCore([]));
    const bad = await d.dispatch('case:decide', { caseId: 'c', commandId: 'short', decision: 'nuke', reason: '' }, ctx);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const unknown = await d.dispatch('shell:exec', {}, ctx);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('Unknown command') } });
    const window = await d.dispatch('metrics:get', { sinceDays: 0 }, ctx);
    expect(window).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/sinceDays.*at least 1 day/) } });
  });

  it('takes the actor from the session; an actor in the input is refused', async () => {
    const executed: CommandInput[] = [];
    const d = createDispatcher(fakeCore(executed));
    const input = { caseId: 'c1', commandId: 'cmd-00000001', decision: 'remove', reason: 'a threat', expectedVersion: 3 };
    const r = await d.dispatch('case:decide', input, ctx);
    expect(r.ok).toBe(true);
    expect(executed[0]).toMatchObject({ type: 'decide', actor: 'mod-1', tool: 'ui', commandId: 'cmd-00000001', expectedVersion: 3 });
    const spoof = await d.dispatch('case:decide', { ...input, actor: 'admin-1' }, ctx);
    expect(spoof).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(executed).toHaveLength(1);
  });

  it('maps core errors to typed error values and never throws', async () => {
    const d = createDispatcher(fakeCore([]));
    expect(await d.dispatch('case:claim', { caseId: 'taken', commandId: 'cmd-00000002' }, ctx)).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'Case taken is claimed by mod-2.', details: { claimedBy: 'mod-2' } },
    });
    expect(await d.dispatch('case:claim', { caseId: 'boom', commandId: 'cmd-00000003' }, ctx)).toMatchObject({ ok: false, error: { code: 'internal' } });
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
    const core = {
      ...base,
      commandStatus: async () => undefined,
      execute: (cmd: CommandInput) => base.execute(cmd.commandId === 'cmd-outbox-2' ? { ...cmd, caseId: 'taken' } : cmd),
    } as CoreApi;
    const caseId = summary.id;
    const ws = createWorkstation({ core, store, user: 'mod-1', logger: silentLogger });
    try {
      const d = createDispatcher(core, { workstationFor: (id) => (id === 'mod-1' ? ws : undefined), settleMs: 2_000 });
      expect(await d.dispatch('session:get', {}, ctx)).toMatchObject({ ok: true, value: { outbox: true } });
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
