// Must show 2 (issue 15): an admin adds a person in the People screen and sees the one-time password once;
// that person signs in with it on the sign-in screen in another browser (a seat of their own) and claims a
// case; the admin sees their last activity, disables them, and their next command (releasing the claim) is
// refused by the database and said so in their UI. The admin's own row offers nothing the database refuses
// (no disabling or re-roling yourself). Dev host in Chromium, real PostgreSQL and RabbitMQ.
//
// The shared test server trusts every password, but NOLOGIN is enforced whatever the authentication method,
// and every command function refuses an inactive person anyway; password checking itself is the SCRAM
// cluster's job in e2e/signin.spec.ts. Leaves the stack as found: the case released and decided, the person
// added stays disabled.
import { contentMessage, TEXT } from '../test/support/harness.js';
import { AppPage, CasePage, QueuePage, SignInPage } from './pages/app.js';
import { PeoplePage } from './pages/people.js';
import { ownSocket, rawCommand } from './support/raw-command.js';
import { expect, seatContext, shot, test } from './support/stack.js';

test('an admin adds a person, who signs in with the one-time password; disabled, their next command is refused', async ({ stack, browser }) => {
  const stamp = Date.now().toString(36);
  const id = `pat-${stamp}`;
  const contentId = `people-${stamp}`;
  await stack.pub.publish('content.submitted', contentMessage(contentId, TEXT.threat));
  const { id: caseId } = await stack.h.waitForCase(contentId, 'awaiting_review');

  // Only an admin has the People tab.
  const mod = await stack.openAs(browser, 'mod-1');
  await expect(new AppPage(mod).tab('Audit')).toBeVisible();
  await expect(new AppPage(mod).tab('People')).toHaveCount(0);
  // Around the UI, the moderator's own seat asking anyway: the database refuses (its words, typed).
  expect(await rawCommand(mod, await ownSocket(mod), 'people:list', {})).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Listing people needs an admin.' } });
  expect(await rawCommand(mod, await ownSocket(mod), 'people:add', { id: 'mod-made', role: 'admin' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Adding people needs an admin.' } });
  expect((await stack.h.inst.dba(`SELECT 1 FROM moderators WHERE id = 'mod-made'`)).rowCount).toBe(0);

  const admin = await stack.openAs(browser, 'admin-1');
  const app = new AppPage(admin);
  const people = new PeoplePage(admin);
  await app.goto('People');
  await expect(people.row('admin-1')).toBeVisible();
  // Your own row: no disabling, no role change (the database refuses both), and it says why.
  await expect(people.roleOf('admin-1')).toBeDisabled();
  await expect(people.row('admin-1').getByRole('button', { name: /Disable/ })).toHaveCount(0);
  await expect(people.row('admin-1')).toContainText('Another admin can change you.');
  await people.field('Id').fill('admin-1');
  await expect(people.addButton).toBeDisabled();
  await expect(people.addForm).toContainText('You cannot reset your own login or role here.');

  // Add: the one-time password is shown once.
  await people.field('Id').fill(id);
  await people.field('Display name').fill('Pat Example');
  await people.role.selectOption('moderator');
  await people.addButton.click();
  await expect(people.notice).toHaveAttribute('data-kind', 'ok');
  await expect(people.oneTimePassword).toBeVisible();
  const password = (await people.oneTimePassword.textContent())!.trim();
  const login = (await admin.getByTestId('one-time-login').textContent())!.trim();
  expect(password.length).toBeGreaterThanOrEqual(16);
  expect(login).toBe(stack.h.inst.roles.personLogin(id));
  await expect(people.row(id)).toHaveAttribute('data-active', 'true');
  await expect(people.row(id)).toContainText('Pat Example');
  await expect(people.row(id).getByTestId('person-last-activity')).toHaveText('none yet');
  await shot(admin, 'people-added');
  await people.otpCard.getByRole('button', { name: 'Done, hide it' }).click();
  await expect(people.oneTimePassword).toHaveCount(0);
  await expect(admin.getByText(password)).toHaveCount(0);
  // Audited, with the admin as actor.
  const added = await stack.h.inst.dba(`SELECT actor, tool FROM audit_events WHERE type = 'person.added' AND payload->>'id' = $1`, [id]);
  expect(added.rows).toEqual([{ actor: 'admin-1', tool: 'ui' }]);

  // Pat signs in at a seat of their own, with the one-time password, and claims the case.
  const pat = await (await seatContext(browser)).newPage();
  await pat.goto(stack.host.urlFor());
  await new SignInPage(pat).signIn(login, password, 'Pat Example');
  await expect(new AppPage(pat).tab('People')).toHaveCount(0);
  const queue = new QueuePage(pat);
  await queue.search.fill(contentId);
  await queue.row(contentId).click();
  const patCase = new CasePage(pat);
  await expect(patCase.status).toHaveText('awaiting review');
  await patCase.claimButton.click();
  await expect(patCase.claimHolder).toContainText(id);

  // A role change, audited; and back.
  await people.roleOf(id).selectOption('supervisor');
  await expect(people.notice).toContainText(`${id} is now supervisor.`);
  await people.roleOf(id).selectOption('moderator');
  await expect(people.notice).toContainText(`${id} is now moderator.`);
  const roles = await stack.h.inst.dba(`SELECT actor, payload->>'to' AS "to" FROM audit_events WHERE type = 'person.role_changed' AND payload->>'id' = $1 ORDER BY id`, [id]);
  expect(roles.rows).toEqual([{ actor: 'admin-1', to: 'supervisor' }, { actor: 'admin-1', to: 'moderator' }]);

  // The admin sees it as their last activity, then disables them.
  await people.root.getByRole('button', { name: 'Refresh' }).click();
  await expect(people.row(id).getByTestId('person-last-activity')).toContainText('case.claimed');
  await people.row(id).getByRole('button', { name: 'Disable…' }).click();
  await people.row(id).getByRole('button', { name: `Disable ${id}` }).click();
  await expect(people.notice).toContainText(`${id} is disabled`);
  await expect(people.row(id)).toHaveAttribute('data-active', 'false');
  await expect(people.row(id).getByTestId('person-status')).toContainText('disabled');
  await expect(people.row(id).getByRole('button', { name: 'Enable with new password' })).toBeVisible();
  await shot(admin, 'people-disabled');
  await admin.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(admin.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shot(admin, 'people-disabled-dark');
  await admin.getByRole('button', { name: 'Switch to light theme' }).click();
  const disabled = await stack.h.inst.dba(`SELECT actor, tool FROM audit_events WHERE type = 'person.disabled' AND payload->>'id' = $1`, [id]);
  expect(disabled.rows).toEqual([{ actor: 'admin-1', tool: 'ui' }]);

  // Pat's next command is refused, and their screen says so (the seat's banner, and the case's notice).
  await patCase.root.getByRole('button', { name: 'Release' }).click();
  await expect(patCase.notice).toHaveAttribute('class', /notice-error/);
  await expect(patCase.notice).toContainText('Your login can no longer connect');
  await expect(patCase.notice).toContainText(`role "${login}" is not permitted to log in`);
  await expect(pat.getByTestId('login-refused')).toContainText('an admin has disabled you');
  await expect(new AppPage(pat).database).toContainText('Database: up'); // the server is fine: it is the login
  await shot(pat, 'people-refused');
  const { rows } = await stack.h.inst.dba<{ claimed_by: string }>('SELECT claimed_by FROM cases WHERE id = $1', [caseId]);
  expect(rows[0]!.claimed_by).toBe(id);

  // Leave the stack as found: a supervisor releases the disabled person's claim, the case is decided.
  const sup = await stack.h.as('sup-1');
  await sup.execute({ type: 'release', caseId, tool: 'cli', commandId: stack.h.cmdId() });
  const modSession = await stack.h.as('mod-1');
  await modSession.execute({ type: 'decide', caseId, decision: 'approve', reason: 'people spec: tidy up', tool: 'cli', commandId: stack.h.cmdId() });
  await stack.h.waitForStatus(caseId, ['closed', 'actioned', 'auto_resolved']);
});
