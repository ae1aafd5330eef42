// The update channels through the one dispatcher both shells use (src/main/ipc/dispatcher.ts): a command the
// database refuses with `update_required` comes back as that typed error and sets "update required" on the
// workstation's controller (pushed as update:changed); a command that goes through clears it; a restart is
// refused while a command is on its way; the channels need a signed-in seat and refuse bad input by name.
import { describe, expect, it } from 'vitest';
import type { CoreApi, CommandInput } from '../../src/core/api.js';
import { GuardianError } from '../../src/core/errors.js';
import type { ErrorCode } from '../../src/shared/domain.js';
import { createActivity } from '../../src/core/update/activity.js';
import { createUpdateController, type UpdateStatus } from '../../src/core/update/controller.js';
import { createDispatcher } from '../../src/main/ipc/dispatcher.js';
import { forwardUpdateEvents } from '../../src/main/ipc/events.js';
import { commands, type ManagedView } from '../../src/shared/contract.js';
import { createScriptedUpdater } from '../../src/devhost/scripted-updater.js';
import { fakeHost, MOD1 } from '../ui/fake-host.js';

const CASE = '00000000-0000-4000-8000-000000000001';
const unused = async (): Promise<never> => {
  throw new Error('unused');
};

/** A core whose database refuses every change while `minimum` is set, as helper V's functions do. */
function core(state: { minimum: string | null; gate?: Promise<void> }): CoreApi {
  return {
    mode: 'connected',
    commandStatus: async () => undefined,
    async execute(cmd: CommandInput) {
      await state.gate;
      if (state.minimum)
        throw new GuardianError('update_required' as ErrorCode, `This workstation is 0.1.0; the team needs ${state.minimum} or later.`, {
          minimumVersion: state.minimum,
          clientVersion: '0.1.0',
        });
      return { commandId: cmd.commandId, status: 'applied', duplicate: false, case: null };
    },
    listCases: async () => [],
    getCase: unused,
    audit: async () => [],
    metrics: unused,
    moderators: async () => [],
    whoami: unused,
    people: { list: unused, add: unused, disable: unused, setRole: unused },
    connection: () => ({ database: 'up', broker: 'up' }),
    onEvent: () => () => {},
  } as unknown as CoreApi;
}

function setup(state: { minimum: string | null; gate?: Promise<void> }, settings?: ManagedView) {
  const port = createScriptedUpdater('0.1.0');
  const activity = createActivity();
  const updates = createUpdateController({ port, currentVersion: '0.1.0', verify: async () => ({ ok: true, problems: [] }), activity, autoDownload: false });
  const d = createDispatcher({ updates, activity, settings: settings ? () => settings : undefined });
  const ctx = { host: fakeHost({ signedIn: { api: core(state), user: MOD1 } }), shell: 'devhost' as const };
  const pushed: UpdateStatus[] = [];
  forwardUpdateEvents(updates, (name, payload) => name === 'update:changed' && pushed.push(payload as UpdateStatus));
  return { port, updates, d, ctx, pushed };
}

describe('update channels', () => {
  it('update_required crosses as a typed value, sets "required" (pushed), and a decision that goes through clears it', async () => {
    const state = { minimum: '0.2.0' as string | null };
    const { d, ctx, pushed, port } = setup(state);
    port.offer('0.2.0');
    const refused = await d.dispatch('case:claim', { caseId: CASE, commandId: 'cmd-claim-0001' }, ctx);
    expect(refused).toEqual({
      ok: false,
      error: { code: 'update_required', message: 'This workstation is 0.1.0; the team needs 0.2.0 or later.', details: { minimumVersion: '0.2.0', clientVersion: '0.1.0' } },
    });
    const got = await d.dispatch('update:get', {}, ctx);
    expect(got).toMatchObject({ ok: true, value: { required: { minimumVersion: '0.2.0' }, currentVersion: '0.1.0' } });
    expect(commands['update:get'].output.safeParse((got as { value: unknown }).value).success).toBe(true);
    expect(pushed.some((s) => s.required?.minimumVersion === '0.2.0')).toBe(true);
    // "Update required" looks for the update at once.
    expect(pushed.some((s) => s.state.phase === 'available')).toBe(true);

    state.minimum = null; // the admin lowered the minimum
    expect(await d.dispatch('case:claim', { caseId: CASE, commandId: 'cmd-claim-0002' }, ctx)).toMatchObject({ ok: true });
    expect(await d.dispatch('update:get', {}, ctx)).toMatchObject({ ok: true, value: { required: null } });
    expect(pushed.at(-1)?.required).toBeNull();
  });

  it('"Restart now" is refused while a command is on its way to the server, and works once it answered', async () => {
    let open!: () => void;
    const state = { minimum: null, gate: new Promise<void>((r) => (open = r)) };
    const { d, ctx, port } = setup(state);
    port.offer('0.2.0');
    await d.dispatch('update:check', {}, ctx);
    const dl = await d.dispatch('update:download', {}, ctx);
    expect(dl).toMatchObject({ ok: true, value: { state: { phase: 'downloading', version: '0.2.0', percent: 0 } } });
    port.progress(42);
    expect(await d.dispatch('update:get', {}, ctx)).toMatchObject({ ok: true, value: { state: { phase: 'downloading', percent: 42 } } });
    port.finish();
    await expect.poll(async () => ((await d.dispatch('update:get', {}, ctx)) as { value: UpdateStatus }).value.state.phase).toBe('ready');

    const claim = d.dispatch('case:claim', { caseId: CASE, commandId: 'cmd-claim-0003' }, ctx);
    const refused = await d.dispatch('update:restart', {}, ctx);
    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'conflict',
        message: 'Not restarting now: a command is on its way to the server. The update installs when you quit.',
        details: { reason: 'a command is on its way to the server' },
      },
    });
    expect(port.installs).toBe(0);
    open();
    expect(await claim).toMatchObject({ ok: true });
    expect(await d.dispatch('update:restart', {}, ctx)).toMatchObject({ ok: true });
    expect(port.installs).toBe(1);
  });

  it("update:get and update:check read the team's minimum with the person's login: required only when newer than this build", async () => {
    let minimum: string | null = '0.3.0';
    const api = Object.assign(core({ minimum: null }), {
      db: {
        query: async (sql: string) => {
          expect(sql).toBe('SELECT api.minimum_version() AS r');
          return { rows: [{ r: { minimumVersion: minimum, setAt: null } }] };
        },
      },
    });
    const port = createScriptedUpdater('0.1.0');
    const updates = createUpdateController({ port, currentVersion: '0.1.0', verify: async () => ({ ok: true, problems: [] }), activity: createActivity(), autoDownload: false });
    const d = createDispatcher({ updates });
    const ctx = { host: fakeHost({ signedIn: { api, user: MOD1 } }), shell: 'devhost' as const };
    expect(await d.dispatch('update:get', {}, ctx)).toMatchObject({ ok: true, value: { required: { minimumVersion: '0.3.0' } } });
    minimum = '0.1.0';
    expect(await d.dispatch('update:check', {}, ctx)).toMatchObject({ ok: true, value: { required: null } });
    minimum = null;
    expect(await d.dispatch('update:get', {}, ctx)).toMatchObject({ ok: true, value: { required: null } });
  });

  it('a decision the outbox holds for an update answers update_required at once, stays pending, and goes with the same id once allowed', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { openLocalStore } = await import('../../src/core/offline/local-store.js');
    const { createWorkstation } = await import('../../src/core/offline/workstation.js');
    const { silentLogger } = await import('../../src/core/log.js');
    const dir = mkdtempSync(join(tmpdir(), 'gw-update-outbox-'));
    const store = openLocalStore(dir);
    const state = { minimum: '0.2.0' as string | null };
    const api = core(state);
    const ws = createWorkstation({ core: api, store, user: 'mod-1', logger: silentLogger });
    try {
      const port = createScriptedUpdater('0.1.0');
      const updates = createUpdateController({ port, currentVersion: '0.1.0', verify: async () => ({ ok: true, problems: [] }), activity: createActivity(), autoDownload: false });
      // A long settle: the answer must come from the held entry, not from the time running out.
      const d = createDispatcher({ updates, settleMs: 60_000 });
      const ctx = { host: fakeHost({ signedIn: { api, user: MOD1, workstation: ws } }), shell: 'devhost' as const };
      const r = await d.dispatch('case:decide', { caseId: CASE, commandId: 'cmd-held-0001', decision: 'remove', reason: 'a threat' }, ctx);
      expect(r).toMatchObject({ ok: false, error: { code: 'update_required', details: { minimumVersion: '0.2.0', outboxId: 'cmd-held-0001', outboxState: 'pending' } } });
      expect(updates.status().required).toEqual({ minimumVersion: '0.2.0' });
      expect(ws.outbox().map((e) => [e.id, e.state, e.error?.code])).toEqual([['cmd-held-0001', 'pending', 'update_required']]);
      state.minimum = null;
      await expect.poll(() => ws.outbox()[0]?.state, { timeout: 30_000 }).toBe('applied');
    } finally {
      ws.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs a signed-in seat, refuses unknown fields by name, and settings:get answers the managed view', async () => {
    const view: ManagedView = { file: '/etc/guardian-workstation/policy.json', settings: [{ key: 'update.channel', value: 'stable', source: 'enforced', locked: true }] };
    const { d, ctx } = setup({ minimum: null }, view);
    const nobody = { host: fakeHost(), shell: 'devhost' as const };
    for (const name of ['update:get', 'update:check', 'update:download', 'update:restart', 'settings:get'])
      expect(await d.dispatch(name, {}, nobody)).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Sign in first.' } });
    expect(await d.dispatch('update:restart', { force: true }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/force/) } });
    expect(await d.dispatch('update:download', {}, ctx)).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/check for updates first/) } });
    const s = await d.dispatch('settings:get', {}, ctx);
    expect(s).toEqual({ ok: true, value: view });
    expect(commands['settings:get'].output.safeParse(view).success).toBe(true);
  });
});
