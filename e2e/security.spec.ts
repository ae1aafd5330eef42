// Must show 4: CSP blocks injected inline script, moderated content renders as text, and a command
// with invalid input gets a typed error value (the contract test itself is test/ui/contract.test.ts).
import { randomUUID } from 'node:crypto';
import { contentMessage } from '../test/support/harness.js';
import { AppPage, CasePage, QueuePage, SignInPage } from './pages/app.js';
import { rawCommand } from './support/raw-command.js';
import { expect, test } from './support/stack.js';

test('the CSP (header and meta) blocks an injected inline script and inline handlers', async ({ stack, browser }) => {
  const page = await stack.openAs(browser, 'mod-1');
  const response = await page.request.get(stack.host.urlFor());
  expect(response.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute('content', /script-src 'self'/);
  await expect(new AppPage(page).user).toContainText('mod-1');

  const violation = page.evaluate(
    () =>
      new Promise<{ directive: string; sample: string }>((resolve) =>
        document.addEventListener('securitypolicyviolation', (e) => resolve({ directive: e.effectiveDirective, sample: e.sample }), { once: true }),
      ),
  );
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.body.appendChild(s);
  });
  expect((await violation).directive).toMatch(/^script-src/);
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();

  const handlerViolation = page.evaluate(
    () => new Promise<string>((resolve) => document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true })),
  );
  await page.evaluate(() => {
    const img = document.createElement('img');
    img.setAttribute('onerror', 'window.__handler = true');
    img.src = 'data:,not-an-image';
    document.body.appendChild(img);
  });
  expect(await handlerViolation).toMatch(/^script-src/);
  expect(await page.evaluate(() => (window as unknown as { __handler?: boolean }).__handler)).toBeUndefined();
});

test('hostile content is shown as text, never as markup', async ({ stack, browser }) => {
  const page = await stack.openAs(browser, 'mod-2');
  const contentId = `xss-${Date.now().toString(36)}`;
  const hostile = '<img src=x onerror="window.__xss=1"><b>bold</b> I will kill you';
  await stack.pub.publish('content.submitted', contentMessage(contentId, hostile));
  const queue = new QueuePage(page);
  await queue.row(contentId).click();
  const view = new CasePage(page);
  await expect(view.content).toHaveText(hostile);
  await expect(view.content.locator('img, b')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});

test('a command with invalid input gets a typed error; the actor cannot be chosen by the page; no token or seat, no access', async ({ stack, browser }) => {
  const page = await stack.openAs(browser, 'mod-1');
  await expect(new AppPage(page).user).toContainText('mod-1');
  // The page's own seat (where mod-1 signed in), as the renderer names it on its WebSocket.
  const seat = await new SignInPage(page).seat();
  expect(seat).toMatch(/^[0-9a-f-]{36}$/);
  const base = `${stack.host.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(stack.host.token)}`;
  const ws = `${base}&seat=${seat}`;
  // A well-formed case id: what is refused below is the one field named, nothing else.
  const caseId = '00000000-0000-4000-8000-000000000000';

  const invalid = await rawCommand(page, ws, 'case:decide', { caseId, commandId: 'cmd-123456789', decision: 'nuke', reason: '' });
  expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('decision') } });

  const spoofed = await rawCommand(page, ws, 'case:claim', { caseId, commandId: 'cmd-123456789', actor: 'admin-1' });
  expect(spoofed).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('actor') } });

  const unknown = await rawCommand(page, ws, 'shell:exec', { cmd: 'id' });
  expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('Unknown command') } });

  const notFound = await rawCommand(page, ws, 'case:get', { caseId });
  expect(notFound).toMatchObject({ ok: false, error: { code: 'not_found' } });

  const session = await rawCommand(page, ws, 'session:get', {});
  expect(session).toMatchObject({ ok: true, value: { user: { id: 'mod-1', role: 'moderator' }, shell: 'devhost', mode: 'connected' } });

  // Naming someone on the URL (the old `?user=`) chooses nothing: a new seat is signed out, whatever it says.
  const elsewhere = `${base}&seat=${randomUUID()}&user=admin-1`;
  expect(await rawCommand(page, elsewhere, 'session:get', {})).toMatchObject({ ok: true, value: { user: null, signIn: { required: true, login: null } } });
  expect(await rawCommand(page, elsewhere, 'cases:list', {})).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Sign in first.', details: { reason: 'signed_out' } } });
  expect(await rawCommand(page, elsewhere, 'case:claim', { caseId, commandId: 'cmd-123456789' })).toMatchObject({
    ok: false,
    error: { code: 'forbidden', message: 'Sign in first.' },
  });

  expect(await rawCommand(page, ws.replace(/token=[^&]+/, 'token=wrong'), 'session:get', {})).toEqual({ refused: true });
  expect(await rawCommand(page, base, 'session:get', {})).toEqual({ refused: true }); // no seat
  expect(await rawCommand(page, `${base}&seat=x`, 'session:get', {})).toEqual({ refused: true }); // not a seat id
  expect(await rawCommand(page, `${base}&seat=${'a'.repeat(65)}`, 'session:get', {})).toEqual({ refused: true });
});
