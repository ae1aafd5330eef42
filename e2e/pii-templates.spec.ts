// Issue 14: personal data masked with an audited reveal, and reason templates by key. A post with a card
// number and an SSN is masked in the queue preview and the case; "Show personal data" records the reveal
// (content.revealed, category personal_data) before the data is shown. A supervisor's team template for the
// case's category is offered first; a moderator inserts it with t then 1, placeholders filled, and decides.
// Dev host in Chromium, real PostgreSQL and RabbitMQ. Leaves the stack as it found it: the case decided,
// the template deleted.
import pg from 'pg';
import { contentMessage } from '../test/support/harness.js';
import { AppPage, CasePage, DecidePage, QueuePage } from './pages/app.js';
import { expect, shot, test } from './support/stack.js';

const CARD = '4242 4242 4242 4242';
const SSN = '123-45-6789';

test('card number and SSN masked, revealed with an audit record; a team template inserted by key, then decided', async ({ stack, browser }) => {
  const contentId = `pii-${Date.now().toString(36)}`;
  const text = `you idiot, everyone can have your card ${CARD} and your SSN ${SSN} now`;
  await stack.pub.publish('content.submitted', contentMessage(contentId, text));
  const c = await stack.h.waitForCase(contentId, 'awaiting_review');
  const { rows: kinds } = await stack.h.inst.dba<{ violation_type: string }>('SELECT violation_type FROM cases WHERE id = $1', [c.id]);
  const category = kinds[0]!.violation_type;

  // A supervisor keeps the team's templates (through the database function, with their own login).
  const sup = new pg.Client({ connectionString: stack.h.people['sup-1']!.url });
  await sup.connect();
  const title = `Tpl ${contentId}`;
  let templateId: number | undefined;
  const page = await stack.openAs(browser, 'mod-1');
  try {
    const other = await sup.query<{ r: { template: { id: number } } }>(
      `SELECT api.save_reason_template(p_command_id => $1, p_scope => 'team', p_title => $2, p_body => 'Not for this case', p_category => $3) AS r`,
      [stack.h.cmdId(), `${title} other`, category === 'spam' ? 'hate' : 'spam'],
    );
    const { rows } = await sup.query<{ r: { outcome: string; template: { id: number } } }>(
      `SELECT api.save_reason_template(p_command_id => $1, p_scope => 'team', p_title => $2, p_body => $3, p_category => $4) AS r`,
      [stack.h.cmdId(), title, 'Removed for {category} under {policy}: {author} posted personal data.', category],
    );
    expect(rows[0]!.r.outcome).toBe('applied');
    templateId = Number(rows[0]!.r.template.id);
    const otherId = Number(other.rows[0]!.r.template.id);

    const app = new AppPage(page);
    const queue = new QueuePage(page);
    const kase = new CasePage(page);
    const form = new DecidePage(page);

    // The queue preview is masked.
    await queue.search.fill(contentId);
    await expect(queue.row(contentId)).toContainText('•••• •••• •••• 4242 (card)');
    await expect(queue.row(contentId)).not.toContainText(CARD);
    await expect(queue.row(contentId)).not.toContainText(SSN);

    // The case: masked, with the reveal offered; the key phrase highlight still works on the original text.
    await queue.row(contentId).click();
    await expect(kase.root).toHaveAttribute('data-case-id', c.id);
    await expect(kase.content).toContainText('•••• •••• •••• 4242 (card)');
    await expect(kase.content).toContainText('•••-••-6789 (SSN)');
    await expect(kase.content).not.toContainText(CARD);
    await expect(kase.content).not.toContainText(SSN);
    await expect(page.getByTestId('pii-summary')).toHaveText('Personal data masked: 1 card, 1 SSN.');
    await shot(page, 'pii-masked');

    // Revealed once the database recorded it; the audit has it, on the case's chain.
    await page.getByTestId('pii-reveal').click();
    await expect(kase.content).toHaveText(text);
    await expect(page.getByTestId('pii-revealed')).toBeVisible();
    const { rows: reveals } = await stack.h.inst.dba<{ actor: string; db_login: string; payload: { category: string } }>(
      `SELECT actor, db_login, payload FROM audit_events WHERE case_id = $1 AND type = 'content.revealed'`,
      [c.id],
    );
    expect(reveals).toEqual([{ actor: 'mod-1', db_login: stack.h.people['mod-1']!.login, payload: { category: 'personal_data', commandId: expect.any(String) } }]);
    await expect(kase.timeline.filter({ hasText: 'content.revealed' })).toContainText('personal_data');
    await shot(page, 'pii-revealed');

    // Claim, choose remove, then t opens the templates (this case's category first) and 1 inserts it.
    await app.press('c');
    await expect(kase.claimHolder).toContainText('Claimed by mod-1');
    await app.press('r');
    await expect(form.choice('remove')).toBeChecked();
    await page.keyboard.press('Escape'); // leave the reason field, so t is a shortcut
    await app.press('t');
    const picker = page.getByTestId('template-picker');
    await expect(picker.getByTestId('template-option').first()).toContainText(title);
    await expect(picker.getByTestId('template-option').first()).toContainText('this case');
    await expect(picker.getByTestId('template-option').filter({ hasText: `${title} other` })).toHaveCount(1);
    await shot(page, 'templates-picker');
    await page.keyboard.press('1');
    await expect(picker).toHaveCount(0);
    const words = category.replace(/_/g, ' ');
    await expect(form.reason).toHaveValue(`Removed for ${words} under ${words}: author-${contentId} posted personal data.`);
    await expect(form.reason).toBeFocused();
    await shot(page, 'templates-inserted');
    // The reason can be kept as the moderator's own template (digits typed in its title pick nothing).
    await app.press('t');
    await picker.getByRole('textbox', { name: 'Template title' }).fill(`${title} mine 1`);
    await expect(picker).toBeVisible();
    await picker.getByRole('button', { name: 'Save template' }).click();
    await expect(picker.getByRole('status')).toHaveText(`Saved "${title} mine 1" as your template.`);
    await expect(picker.getByTestId('template-option').filter({ hasText: `${title} mine 1` })).toContainText('mine');
    await expect(picker.getByRole('checkbox', { name: 'for the team' })).toHaveCount(0); // a moderator keeps only their own
    await shot(page, 'templates-saved');
    await picker.getByRole('button', { name: /^Close/ }).click();
    await expect(form.reason).toHaveValue(`Removed for ${words} under ${words}: author-${contentId} posted personal data.`);
    await page.keyboard.press('Control+Enter');
    await stack.h.waitForCase(contentId, ['actioned', 'closed']);
    const { rows: decided } = await stack.h.inst.dba<{ payload: { reason: string } }>(
      `SELECT payload FROM commands WHERE case_id = $1 AND type = 'decide' AND status = 'applied'`,
      [c.id],
    );
    expect(decided.map((d) => d.payload.reason)).toEqual([`Removed for ${words} under ${words}: author-${contentId} posted personal data.`]);

    // Tidy the shared stack: the team templates go (a supervisor's own login; audited).
    for (const id of [templateId, otherId]) {
      const { rows: del } = await sup.query<{ r: { outcome: string } }>(
        'SELECT api.delete_reason_template(p_command_id => $1, p_template_id => $2) AS r',
        [stack.h.cmdId(), id],
      );
      expect(del[0]!.r.outcome).toBe('applied');
    }
    templateId = undefined;
  } finally {
    await stack.h.inst.dba(`DELETE FROM reason_templates WHERE title LIKE $1`, [`${title}%`]);
    const now = await stack.h.caseByContent(contentId);
    if (now?.status === 'awaiting_review') {
      const mod = await stack.h.as('mod-2');
      await mod.execute({ type: 'decide', caseId: c.id, decision: 'approve', reason: 'pii spec: tidy up', tool: 'cli', commandId: stack.h.cmdId() });
      await stack.h.waitForCase(contentId, ['closed', 'actioned']);
    }
    await sup.end();
  }
});
