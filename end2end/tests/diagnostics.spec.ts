import { expect, Page, test } from '@playwright/test';
import {
  acceptInFreshContext,
  createAdmin,
  createGroup,
  createTemplate,
  expireInvitations,
  hydrated,
  inviteLink,
  inviteMember,
  mailContaining,
  mailedLink,
  memberRow,
  PASSWORD,
  rowAction,
  signIn,
  tenantWith,
  createSandboxAndSwitch,
  switchTenant,
  unique,
} from './helpers';

async function diagnose(page: Page, email: string, trying: string) {
  await page.goto('/settings/diagnostics');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Trying to').selectOption({ label: trying });
  await page.getByRole('button', { name: 'Run diagnostics' }).click();
  await expect(page).toHaveURL(/email=/);
  await expect(page.getByTestId('diagnosis')).toBeVisible();
}

const verdict = (page: Page) => page.getByTestId('verdict');
const check = (page: Page, area: string) => page.getByTestId(`check-${area}`);

async function applyFix(page: Page, label: string) {
  await page.getByRole('button', { name: label, exact: true }).click();
  // Hydrated: a toast naming the fix; before hydration: the page's fixed sentence.
  const done = new RegExp(`Done: (${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|the fix was applied)\\. Diagnostics ran again\\.`);
  await expect(page.getByRole('status').filter({ hasText: done }).first()).toBeVisible();
}

test('a suspended member: Run diagnostics from their row, Reactivate, and the re-run passes; the bundle holds the checks', async ({ page, browser }) => {
  const member = `${unique('susp')}@example.com`;
  const { tenant } = await tenantWith(page, browser, 'Diagco', [member]);
  await page.goto('/settings/users');
  await hydrated(page);
  await rowAction(page, member, 'Edit');
  const edit = page.getByRole('dialog', { name: 'Edit user' });
  await edit.getByLabel('Status').selectOption({ label: 'Suspended' });
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(memberRow(page, member).locator('.status')).toHaveText('Suspended');

  await rowAction(page, member, 'Run diagnostics');
  await expect(page).toHaveURL(/\/settings\/diagnostics\?email=/);
  await expect(verdict(page)).toContainText('is suspended');
  await expect(check(page, 'Status')).toContainText('Fail');
  await expect(check(page, 'Sign-in')).toContainText('Not reached');
  await expect(page.getByTestId('tell-them')).toContainText(`Your access to ${tenant} is suspended`);
  await expect(check(page, 'Status')).toContainText('back to Active');
  // The bundle: what they tried, role, tenant, every check; no secret.
  const bundle = page.getByTestId('bundle');
  await expect(bundle).toContainText(`Tenant: ${tenant}`);
  await expect(bundle).toContainText('Tried to: Sign in');
  await expect(bundle).toContainText('- Status: Fail.');
  await expect(bundle).not.toContainText('passphrase');
  await expect(page.getByRole('link', { name: 'Download as JSON' })).toHaveAttribute('download', /gatehouse-escalation-.*\.json/);

  await applyFix(page, 'Reactivate');
  await expect(verdict(page)).toContainText('Nothing in Gatehouse stops');
  await expect(check(page, 'Status')).toContainText('Pass');
});

test('an expired invitation: Resend invite, and once accepted the re-run passes', async ({ page, browser }) => {
  const member = `${unique('late')}@example.com`;
  await tenantWith(page, browser, 'Lateco', [], [member]);
  const first = await inviteLink(member);
  expireInvitations(member);
  await diagnose(page, member, 'Sign in');
  await expect(verdict(page)).toContainText('expired');
  await applyFix(page, 'Resend invite');
  await expect(verdict(page)).toContainText("hasn't accepted");
  const fresh = await inviteLink(member, first);
  const j = await acceptInFreshContext(browser, fresh, 'Lee Late', 'lee late passphrase');
  await j.context.close();
  await page.getByRole('button', { name: 'Run diagnostics' }).click();
  await expect(verdict(page)).toContainText('Nothing in Gatehouse stops');
});

test('an active member who cannot sign in gets a password reset; a locked one is unlocked', async ({ page, browser }) => {
  const member = `${unique('forgot')}@example.com`;
  await tenantWith(page, browser, 'Resetco', [member]);
  await diagnose(page, member, 'Sign in');
  await expect(verdict(page)).toContainText('Nothing in Gatehouse stops');
  await applyFix(page, 'Send password reset');
  await mailedLink(member, 'reset');

  const context = await browser.newContext();
  const other = await context.newPage();
  for (let i = 0; i < 10; i++) {
    await signIn(other, member, `wrong password ${i}`);
    await expect(other.getByRole('alert').filter({ hasText: /\S/ })).toContainText("don't match");
  }
  await context.close();
  await page.getByRole('button', { name: 'Run diagnostics' }).click();
  await expect(check(page, 'Sign-in')).toContainText('Locked after repeated wrong passwords');
  await applyFix(page, 'Unlock');
  await expect(check(page, 'Sign-in')).toContainText('Pass');
  await expect(verdict(page)).toContainText('Nothing in Gatehouse stops');
});

test('a member only of the sandbox: the verdict names the sandbox', async ({ page, browser }) => {
  const { tenant } = await tenantWith(page, browser, 'Sandco', []);
  await createSandboxAndSwitch(page, tenant);
  const sam = `${unique('sam')}@example.com`;
  await inviteMember(page, sam);
  await switchTenant(page, tenant, false);
  await diagnose(page, sam, 'Sign in');
  await expect(verdict(page)).toContainText(`${tenant} Sandbox (the sandbox tenant`);
});

test('a missing permission: the smallest template is suggested and assigned; a group grant is shown as such', async ({ page, browser }) => {
  const member = `${unique('perm')}@example.com`;
  const grouped = `${unique('grouped')}@example.com`;
  await tenantWith(page, browser, 'Permco', [member, grouped]);
  await createTemplate(page, 'Analysts', [['Analytics', 'View']]);
  await createTemplate(page, 'Reporters', [['Analytics', 'View'], ['Analytics', 'Create'], ['Analytics', 'Edit']]);
  await diagnose(page, member, 'See analytics dashboards');
  await expect(check(page, 'Permission')).toContainText('Fail');
  await expect(verdict(page)).toContainText('the role template “Analysts”');
  const fixes = check(page, 'Permission').getByRole('button');
  await expect(fixes).toHaveText(['Assign template Analysts', 'Assign template Reporters', 'Grant “see analytics dashboards”']);
  await expect(check(page, 'Permission')).toContainText('It gives nothing else they don\'t have.');
  await applyFix(page, 'Assign template Analysts');
  await expect(check(page, 'Permission')).toContainText('Granted by the role template “Analysts”.');

  const card = await createGroup(page, 'Insights');
  await card.getByLabel('Add a member by email').fill(grouped);
  await card.getByRole('button', { name: 'Add', exact: true }).click();
  await card.getByLabel('Attach a role template').selectOption({ label: 'Analysts' });
  await card.getByRole('button', { name: 'Attach' }).click();
  await expect(card.locator('.chip').filter({ hasText: 'Analysts' })).toBeVisible();
  await diagnose(page, grouped, 'See analytics dashboards');
  await expect(check(page, 'Permission')).toContainText('Granted by the group “Insights” (through its role template “Analysts”).');

  // The reverse question lists both, and how.
  await page.getByRole('link', { name: 'Who can …?' }).click();
  await expect(page).toHaveURL(/\/settings\/who-can/);
  await hydrated(page);
  await page.getByLabel('Who can').selectOption({ label: 'See analytics dashboards' });
  await page.getByRole('button', { name: 'Show who can' }).click();
  const who = page.getByTestId('who-can');
  await expect(who).toContainText('3 members can see analytics dashboards');
  await expect(who.getByRole('row').filter({ hasText: member })).toContainText('the role template “Analysts”');
  await expect(who.getByRole('row').filter({ hasText: grouped })).toContainText('the group “Insights” (through its role template “Analysts”)');
});

test('feature gates: a flag off is turned on, beta access is turned on, a plan-locked feature says plan', async ({ page, browser }) => {
  const member = `${unique('gate')}@example.com`;
  const { owner } = await tenantWith(page, browser, 'Gateco', [member]);
  await createTemplate(page, 'Agents', [['Conversations', 'View'], ['Conversations', 'Edit']]);
  await diagnose(page, member, 'Use AI reply suggestions');
  await applyFix(page, 'Assign template Agents');
  await expect(check(page, 'Plan and feature flags')).toContainText('Fail');
  await expect(page.getByTestId('tell-them')).toContainText("isn't turned on for");
  await applyFix(page, 'Turn on AI reply suggestions');
  await expect(check(page, 'Plan and feature flags')).toContainText('beta');
  await applyFix(page, 'Turn on beta access');
  await expect(verdict(page)).toContainText('can use AI reply suggestions');

  await diagnose(page, member, 'Use Cases');
  await applyFix(page, 'Turn on Cases');
  await expect(verdict(page)).toContainText('can use Cases');

  await diagnose(page, owner, 'Use Data warehouse');
  await expect(verdict(page)).toContainText('plan');
  await expect(check(page, 'Plan and feature flags')).toContainText('Fail');
  await expect(page.getByTestId('diagnosis').locator('.fix-form')).toHaveCount(0);
});

test('diagnostics run and a fix apply before hydration too @nojs', async ({ page, javaScriptEnabled }) => {
  const owner = `${unique('plaindiag')}@example.com`;
  createAdmin(unique('Plaindiag'), owner);
  await signIn(page, owner, PASSWORD, javaScriptEnabled);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/settings/diagnostics');
  if (javaScriptEnabled) await hydrated(page);
  await page.getByLabel('Email').fill(owner);
  await page.getByLabel('Trying to').selectOption({ label: 'Use Experiments' });
  await page.getByRole('button', { name: 'Run diagnostics' }).click();
  await expect(verdict(page)).toContainText('Experiments');
  await applyFix(page, 'Turn on Experiments');
  await expect(verdict(page)).toContainText('can use Experiments');
});

test('a member asks for access from My access; the admin approves one with a justification and declines the other', async ({ page, browser }) => {
  const member = `${unique('asker')}@example.com`;
  const { tenant, owner } = await tenantWith(page, browser, 'Askco', []);
  await inviteMember(page, member);
  const asker = await acceptInFreshContext(browser, await inviteLink(member), 'Ash Asker', 'ash asker passphrase');
  const mp = asker.page;

  // A deep link answers one question, in words, and offers a request.
  await mp.goto('/access?permission=analytics.view');
  await hydrated(mp);
  const focus = mp.getByTestId('focus-verdict');
  await expect(focus).toContainText('Can you see analytics dashboards?');
  await expect(focus).toContainText('Not in your role');
  await focus.getByText('Request access').click();
  await focus.getByLabel('Why do you need it? (optional)').fill('Weekly report for the board');
  await focus.getByRole('button', { name: 'Send request' }).click();
  await expect(focus).toContainText("You've asked for this");

  // A refused page shows the same explanation, with a request.
  await mp.goto('/settings/users');
  await hydrated(mp);
  const refused = mp.getByTestId('focus-verdict');
  await expect(refused).toContainText('Can you manage people, roles and role templates?');
  await refused.getByText('Request access').click();
  await refused.getByRole('button', { name: 'Send request' }).click();
  await expect(refused).toContainText("You've asked for this");
  await mailContaining(owner, 'Access request from Ash Asker');

  // The admin sees both, with the count in the navigation.
  await page.goto('/settings/access-requests');
  await hydrated(page);
  await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: /Access requests/ })).toContainText('2');
  const card = page.getByTestId(`request-${member}`).filter({ hasText: 'see analytics dashboards' });
  await expect(card).toContainText('Weekly report for the board');
  await expect(card).toContainText("can't see analytics dashboards");
  await expect(card.getByRole('radio').first()).toBeChecked();
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card).toContainText("Say why you're approving it");
  await card.getByLabel('Justification (goes in the audit log)').fill('Board reporting, agreed with their lead');
  // Until a time: one in the past is refused next to the field; tomorrow is taken.
  const until = card.getByLabel('Until (optional, UTC)');
  await until.fill('2020-01-01T10:00');
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card).toContainText('Choose a time in the future');
  await expect(until).toHaveAttribute('aria-invalid', 'true');
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 16);
  await until.fill(tomorrow);
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Approved. They have been emailed.' }).first()).toBeVisible();
  await expect(card).toHaveCount(0);
  const other = page.getByTestId(`request-${member}`);
  await other.getByText('Decline…').click();
  await other.getByLabel('Note to them (optional)').fill('Ask your team lead first');
  await other.getByRole('button', { name: 'Decline request' }).click();
  await expect(page.getByText('No open requests')).toBeVisible();
  await mailContaining(member, 'when it ends by itself');
  // The Users table and the Edit user dialog say it is for now, and until when.
  await page.goto('/settings/users');
  await hydrated(page);
  const row = memberRow(page, member);
  await expect(row).toContainText(/Also,? (for now: )?see analytics dashboards,? (until|ends) /);
  await rowAction(page, member, 'Edit');
  const dialog = page.getByRole('dialog', { name: 'Edit user' });
  await expect(dialog.getByTestId('edit-temporary')).toContainText(/see analytics dashboards,? (until|ends) /);
  await page.keyboard.press('Escape');
  await mailContaining(member, 'Ask your team lead first');

  await mp.goto('/access?permission=analytics.view');
  await expect(mp.getByTestId('focus-verdict')).toContainText(`Yes: you can see analytics dashboards in ${tenant}`);
  await asker.context.close();
});
