// The update policy (src/core/update/controller.ts) driven through a scripted updater port (our own port,
// steered like a feed and a download would be): what the UI is told at each step, that a build whose
// signed manifest does not verify is never installed, and that a restart never interrupts a command.
import { describe, expect, it } from 'vitest';
import { createActivity } from '../../src/core/update/activity.js';
import { createUpdateController, type UpdateController, type UpdateStatus } from '../../src/core/update/controller.js';
import type { VerifyDownload } from '../../src/core/update/port.js';
import { compareVersions } from '../../src/core/update/version.js';
import { createScriptedUpdater } from '../../src/devhost/scripted-updater.js';
import { GuardianError } from '../../src/core/errors.js';

/** Resolves with the first status (now or pushed later) that matches. */
function until(c: UpdateController, pred: (s: UpdateStatus) => boolean): Promise<UpdateStatus> {
  return new Promise((resolve) => {
    if (pred(c.status())) return resolve(c.status());
    const off = c.onChange((s) => {
      if (pred(s)) {
        off();
        resolve(s);
      }
    });
  });
}

const verifiesWhenSigned: VerifyDownload = async (d) =>
  d.file.endsWith('.signed') ? { ok: true, problems: [] } : { ok: false, problems: [`${d.file}: SHA-512 does not match the signed manifest`] };

function setup(opts: { autoDownload?: boolean; verify?: VerifyDownload } = {}) {
  const port = createScriptedUpdater('0.1.0');
  const activity = createActivity();
  const ticks: Array<() => void> = [];
  const c = createUpdateController({
    port,
    currentVersion: '0.1.0',
    verify: opts.verify ?? verifiesWhenSigned,
    activity,
    channel: 'stable',
    autoDownload: opts.autoDownload ?? false,
    every: (fn) => {
      ticks.push(fn);
      return () => ticks.splice(ticks.indexOf(fn), 1);
    },
  });
  const seen: string[] = [];
  c.onChange((s) => seen.push(s.state.phase + ('percent' in s.state ? ` ${s.state.percent}` : '')));
  return { port, activity, c, ticks, seen };
}

describe('UpdateController', () => {
  it('available → downloading N % → verifying → ready; installs on quit only once the manifest verified', async () => {
    const { port, c, seen } = setup();
    port.offer('0.2.0');
    c.start();
    expect((await until(c, (s) => s.state.phase === 'available')).state).toEqual({ phase: 'available', version: '0.2.0' });
    void c.download();
    await until(c, () => port.downloading);
    port.progress(0.4);
    port.progress(42.7);
    port.progress(42.9); // the same whole percent: no new state
    expect(c.status().state).toEqual({ phase: 'downloading', version: '0.2.0', percent: 42 });
    expect(port.installOnQuit).toBe(false);
    port.finish('guardian-0.2.0.AppImage.signed');
    const ready = await until(c, (s) => s.state.phase === 'ready');
    expect(ready.state).toEqual({ phase: 'ready', version: '0.2.0' });
    expect(ready.restart).toEqual({ allowed: true, reason: null });
    expect(port.installOnQuit).toBe(true);
    expect(seen).toEqual(['checking', 'available', 'downloading 0', 'downloading 42', 'verifying', 'ready']);
    expect(port.installs).toBe(0); // nothing restarts by itself
    c.restart();
    expect(port.installs).toBe(1);
    c.stop();
  });

  it("refuses a download whose signed manifest does not verify: error state, never installed, not even on quit", async () => {
    const { port, c } = setup({ autoDownload: true });
    port.offer('0.2.0');
    void c.check();
    await until(c, () => port.downloading);
    port.finish('guardian-0.2.0.AppImage'); // not what the admins signed
    const s = await until(c, (x) => x.state.phase === 'error');
    expect(s.state.phase === 'error' && s.state.message).toMatch(/^The update's signature did not verify \(.*SHA-512 does not match/);
    expect(port.installOnQuit).toBe(false);
    expect(() => c.restart()).toThrow(GuardianError);
    expect(port.installs).toBe(0);
  });

  it('a verifier that throws, or a download of another version than offered, is refused the same way', async () => {
    const boom = setup({ verify: async () => Promise.reject(new Error('manifest signed by an unknown key')) });
    boom.port.offer('0.2.0');
    await boom.c.check();
    void boom.c.download();
    await until(boom.c, () => boom.port.downloading);
    boom.port.finish('x.signed');
    const s = await until(boom.c, (x) => x.state.phase === 'error');
    expect(s.state.phase === 'error' && s.state.message).toContain('unknown key');
    expect(boom.port.installOnQuit).toBe(false);

    const other = setup();
    other.port.offer('0.2.0');
    await other.c.check();
    void other.c.download();
    await until(other.c, () => other.port.downloading);
    other.port.finish('x.signed', '0.3.0'); // the feed changed under the download
    const o = await until(other.c, (x) => x.state.phase === 'error');
    expect(o.state.phase === 'error' && o.state.message).toContain('the download is version 0.3.0, the feed offered 0.2.0');
    expect(other.port.installOnQuit).toBe(false);
  });

  it('"Restart now" is refused while a command is on its way, and allowed (pushed) once it is durable', async () => {
    const { port, activity, c } = setup({ autoDownload: true });
    port.offer('0.2.0');
    await c.check();
    await until(c, () => port.downloading);
    port.finish('a.signed');
    await until(c, (s) => s.state.phase === 'ready');
    const release = activity.hold('a decision is being saved');
    const blocked = await until(c, (s) => !s.restart.allowed);
    expect(blocked.restart).toEqual({ allowed: false, reason: 'a decision is being saved' });
    expect(() => c.restart()).toThrow(/Not restarting now: a decision is being saved\. The update installs when you quit\./);
    expect(port.installs).toBe(0);
    release();
    expect((await until(c, (s) => s.restart.allowed)).restart.reason).toBeNull();
    c.restart();
    expect(port.installs).toBe(1);
    c.stop();
  });

  it('checks on start and on every tick; a download in progress or a ready build is not thrown away by a check', async () => {
    const { port, c, ticks } = setup({ autoDownload: true });
    c.start();
    await until(c, (s) => s.state.phase === 'none');
    expect(port.checks).toBe(1);
    expect(ticks).toHaveLength(1);
    port.offer('0.2.0');
    ticks[0]!();
    await until(c, () => port.downloading);
    expect(port.checks).toBe(2);
    ticks[0]!();
    expect(port.checks).toBe(2);
    port.finish('b.signed');
    await until(c, (s) => s.state.phase === 'ready');
    ticks[0]!();
    expect(port.checks).toBe(2);
    c.stop();
    expect(ticks).toHaveLength(0);
  });

  it('never offers the running version or an older one', async () => {
    for (const v of ['0.1.0', '0.0.9', '0.1.0-beta.3']) {
      const { port, c } = setup();
      port.offer(v);
      expect((await c.check()).state.phase).toBe('none');
    }
  });

  it('a failed check and a failed download are errors the person can retry', async () => {
    const { port, c } = setup();
    port.offer(null, { fail: 'getaddrinfo ENOTFOUND updates.example' });
    const s = await c.check();
    expect(s.state).toEqual({ phase: 'error', message: 'Could not check for updates: getaddrinfo ENOTFOUND updates.example' });
    await expect(c.download()).rejects.toThrow(/check for updates first/);
    port.offer('0.2.0');
    await c.check();
    void c.download();
    await until(c, () => port.downloading);
    port.fail('socket hang up');
    const failed = await until(c, (x) => x.state.phase === 'error');
    expect(failed.state).toEqual({ phase: 'error', message: 'The download of 0.2.0 failed: socket hang up', version: '0.2.0' });
    void c.download();
    await until(c, () => port.downloading);
    port.finish('c.signed');
    expect((await until(c, (x) => x.state.phase === 'ready')).state).toEqual({ phase: 'ready', version: '0.2.0' });
  });

  it('"update required" is held until a command goes through again, and triggers a check', async () => {
    const { port, c } = setup();
    port.offer('0.2.0');
    c.markRequired('0.2.0');
    expect(c.status().required).toEqual({ minimumVersion: '0.2.0' });
    expect((await until(c, (s) => s.state.phase === 'available')).required).toEqual({ minimumVersion: '0.2.0' });
    expect(port.checks).toBe(1);
    c.clearRequired();
    expect(c.status().required).toBeNull();
    // As read from the database: only a minimum newer than this build is "required".
    c.noteMinimum('0.1.0');
    expect(c.status().required).toBeNull();
    c.noteMinimum('0.1.1');
    expect(c.status().required).toEqual({ minimumVersion: '0.1.1' });
    c.noteMinimum(null);
    expect(c.status().required).toBeNull();
    // The database's own answer wins where the two comparisons could differ (build metadata, odd pre-releases).
    c.noteMinimum('0.1.0+build.7', false);
    expect(c.status().required).toEqual({ minimumVersion: '0.1.0+build.7' });
    c.noteMinimum('0.1.1', true);
    expect(c.status().required).toBeNull();
  });

  it('without a feed: disabled, and a check says why', async () => {
    const c = createUpdateController({ port: null, currentVersion: '0.1.0', verify: verifiesWhenSigned, activity: createActivity() });
    c.start();
    expect(c.status()).toMatchObject({ enabled: false, state: { phase: 'idle' } });
    expect((await c.check()).state).toEqual({ phase: 'error', message: 'No update feed is configured for this workstation (ask your admin).' });
  });
});

describe('compareVersions', () => {
  it('orders releases and pre-releases as semver does', () => {
    const ordered = ['0.1.0-alpha', '0.1.0-alpha.1', '0.1.0-beta.2', '0.1.0-beta.11', '0.1.0', '0.1.1', '0.2.0', '1.0.0', '10.0.0'];
    for (let i = 0; i < ordered.length; i++)
      for (let j = 0; j < ordered.length; j++) expect(Math.sign(compareVersions(ordered[i]!, ordered[j]!)), `${ordered[i]} vs ${ordered[j]}`).toBe(Math.sign(i - j));
  });
});
