import { expect, test } from '@playwright/test';
import {
  createSandboxAndSwitch,
  createTemplate,
  hydrated,
  inviteMember,
  switchTenant,
  memberRow,
  PASSWORD,
  rowAction,
  signIn,
  tenantWith,
  unique,
} from './helpers';

const tomorrow = () => new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 16);

test('access given until a time shows its end; the member\'s activity tells the story; the audit log filters', async ({ page, browser }) => {
  const member = `${unique('temp')}@example.com`;
  const { owner } = await tenantWith(page, browser, 'Govco', [member]);
  await page.goto('/settings/users');
  await hydrated(page);
  await rowAction(page, member, 'Edit');
  const dialog = page.getByRole('dialog', { name: 'Edit user' });
  const until = dialog.getByLabel('Until (optional, UTC)');
  // "Until" with nothing added is refused next to the field, and nothing is saved.
  const when = tomorrow();
  await until.fill(when);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.locator('#edit-until-error')).toContainText('this change adds no access');
  await expect(until).toHaveAttribute('aria-invalid', 'true');
  // CRM and beta access until tomorrow.
  await dialog.getByLabel('CRM access').check();
  await dialog.getByLabel('Beta access').check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `Saved changes to ${member}.` }).first()).toBeVisible();
  const row = memberRow(page, member);
  // The ends read in words; the exact instant is the <time>'s datetime (UTC, as typed).
  const beta = row.locator('.cell-note').filter({ hasText: 'Beta access ends' });
  await expect(beta).toHaveText(/Beta access ends (tomorrow|in \d+ hours)/);
  await expect(beta.locator('time')).toHaveAttribute('datetime', `${when}:00Z`);
  const crm = row.getByRole('cell').nth(4);
  await expect(crm).toContainText(/Yes\s*ends (tomorrow|in \d+ hours)/);
  await expect(crm.locator('time')).toHaveAttribute('datetime', `${when}:00Z`);
  // The Edit dialog says it is temporary.
  await rowAction(page, member, 'Edit');
  await expect(dialog.getByTestId('edit-temporary')).toContainText(/CRM access (until|ends)/);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Activity: from the row's menu, newest first.
  await rowAction(page, member, 'Activity');
  await expect(page.getByRole('heading', { name: `Activity of ${member}` })).toBeVisible();
  const events = page.getByTestId('activity').getByRole('listitem');
  await expect(events.first()).toContainText('Access changed');
  await expect(events.first()).toContainText(`by ${owner}`);
  await expect(events.first()).toContainText('CRM access: off → on');
  await expect(page.getByTestId('activity')).toContainText('Accepted invitation');
  await expect(events.last()).toContainText('Invited');

  // Audit log: filter by kind (a GET form: the filter is a link), open a member.
  await page.goto('/settings/audit-log');
  await hydrated(page);
  await page.getByLabel('Kind').selectOption({ label: 'Sign-in and security' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/kind=sign_in/);
  const table = page.locator('.audit-table');
  await expect(table).toContainText('Signed in');
  await expect(table).not.toContainText('Access changed');
  // A last day before the first is refused next to the field.
  await page.getByLabel('From (UTC)').fill('2026-12-05');
  await page.getByLabel('To (UTC)').fill('2026-12-01');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.locator('#audit-to-error')).toContainText("can't be before the first day");
  await page.goto(`/settings/audit-log?kind=access&who=${encodeURIComponent(member)}`);
  await page.locator('.audit-table').getByRole('link', { name: member }).first().click();
  await expect(page.getByRole('heading', { name: `Activity of ${member}` })).toBeVisible();
});

test('the activity page and the audit filters work before hydration @nojs', async ({ page, browser, javaScriptEnabled }) => {
  const member = `${unique('plain-gov')}@example.com`;
  // Set up with JavaScript (the invite dialog needs it); then read as the project says.
  const setupContext = await browser.newContext({ javaScriptEnabled: true });
  const setup = await setupContext.newPage();
  const { owner } = await tenantWith(setup, browser, 'Govplain', [member]);
  await setupContext.close();

  await signIn(page, owner, PASSWORD, javaScriptEnabled);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/settings/users');
  if (javaScriptEnabled) await hydrated(page);
  // The actions menu is a <details>: a click on its button opens it without JavaScript too.
  await rowAction(page, member, 'Activity');
  await expect(page.getByRole('heading', { name: `Activity of ${member}` })).toBeVisible();
  await expect(page.getByTestId('activity')).toContainText('Accepted invitation');
  await page.goto('/settings/audit-log');
  if (javaScriptEnabled) await hydrated(page);
  await page.getByLabel('Kind').selectOption({ label: 'Access changes' });
  await page.getByLabel('Who (actor or member)').fill(member);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/kind=access/);
  const table = page.locator('.audit-table');
  await expect(table).toContainText('Accepted invitation');
  await expect(table).not.toContainText('Signed in');
});

test('a template edit and delete show who gains and who loses before saving @mobile', async ({ page, browser }) => {
  const member = `${unique('impact')}@example.com`;
  await tenantWith(page, browser, 'Impactco', [member]);
  await createTemplate(page, 'Analysts', [['Analytics', 'View'], ['Conversations', 'Delete']]);
  await page.goto('/settings/users');
  await hydrated(page);
  await rowAction(page, member, 'Edit');
  const edit = page.getByRole('dialog', { name: 'Edit user' });
  await edit.getByLabel('Role template').selectOption({ label: 'Analysts' });
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();

  await page.goto('/settings/role-templates');
  await hydrated(page);
  await rowAction(page, 'Analysts', 'Edit');
  const dialog = page.getByRole('dialog', { name: 'Edit template' });
  const impact = dialog.getByTestId('template-impact');
  await expect(impact).toContainText("1 member uses it; nobody's access changes.");
  await dialog.getByRole('group', { name: 'Conversations' }).getByLabel('Delete').uncheck();
  await dialog.getByRole('group', { name: 'Analytics' }).getByLabel('Create').check();
  await expect(impact).toContainText('1 member gains: create reports');
  await expect(impact).toContainText('1 member loses: delete conversations');
  await expect(impact.getByRole('listitem')).toContainText(member);
  await dialog.getByRole('button', { name: 'Save template' }).click();
  await expect(dialog).toBeHidden();

  await rowAction(page, 'Analysts', 'Delete');
  const del = page.getByRole('dialog', { name: 'Delete template' });
  await expect(del.getByTestId('template-impact')).toContainText('1 member loses: see analytics dashboards, create reports');
});

test('a whole access review: keep, remove, reduce, complete; the record and its CSV', async ({ page, browser }) => {
  const stay = `${unique('rev-keep')}@example.com`;
  const gone = `${unique('rev-gone')}@example.com`;
  const less = `${unique('rev-less')}@example.com`;
  await tenantWith(page, browser, 'Reviewco', [stay, gone, less]);
  await createTemplate(page, 'Viewers', [['Analytics', 'View']]);
  // "less" manages people and sees analytics, directly.
  await page.goto('/settings/users');
  await hydrated(page);
  await rowAction(page, less, 'Edit');
  const edit = page.getByRole('dialog', { name: 'Edit user' });
  await edit.getByRole('group', { name: 'Users' }).getByLabel('Manage').check();
  await edit.getByRole('group', { name: 'Analytics' }).getByLabel('View').check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();

  await page.goto('/settings/access-reviews');
  await hydrated(page);
  await page.getByLabel('Who').selectOption({ label: 'Everyone' });
  await page.getByRole('button', { name: 'Start review' }).click();
  await expect(page).toHaveURL(/\/settings\/access-reviews\/review\?id=\d+/);
  await hydrated(page);
  const row = (email: string) => page.getByTestId(`review-${email}`);
  await expect(row(less)).toContainText('Elevated access');
  await expect(row(less)).toContainText('manage people, roles and role templates (a direct grant)');
  await expect(row(stay)).toContainText('No two-factor');
  // Reduce: the choice says exactly what they lose.
  const reduce = row(less).getByLabel('Decision');
  await reduce.selectOption({ label: 'Reduce to “Viewers” — loses manage people, roles and role templates' });
  await row(less).getByRole('button', { name: 'Save decision' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Decision saved as a draft.' }).first()).toBeVisible();
  // The rows come back from the server after a save: choose in the next row once
  // they have (a choice made before is drawn over by the fresh list).
  await expect(page.getByText(/1 of \d+ members decided/)).toBeVisible();
  await row(gone).getByLabel('Decision').selectOption({ label: 'Remove access: remove from the tenant' });
  await expect(row(gone).getByLabel('Decision')).toHaveValue('remove');
  await row(gone).getByRole('button', { name: 'Save decision' }).click();
  await expect(page.getByText(/2 of \d+ members decided/)).toBeVisible();
  // Completing needs a note.
  await page.getByRole('button', { name: 'Complete review' }).click();
  await expect(page.locator('#review-note-error')).toContainText('Add a short note');
  await page.getByLabel('Note for the record').fill('Monthly check with the team leads');
  await page.getByRole('button', { name: 'Complete review' }).click();
  const record = page.getByTestId('review-record');
  await expect(record).toContainText('kept, 1 removed, 1 reduced.');
  await expect(record).toContainText('Monthly check with the team leads');
  await expect(page.getByTestId('review-items')).toContainText('Reduced to “Viewers”');
  const csv = decodeURIComponent((await record.getByRole('link', { name: 'Export CSV' }).getAttribute('href')) ?? '');
  expect(csv).toContain(`"${gone}"`);
  expect(csv).toContain('"Removed from the tenant"');

  // The removed member can't sign in to that tenant; the reduced one lost exactly that.
  const other = await browser.newContext();
  const theirs = await other.newPage();
  await signIn(theirs, gone, 'pat person passphrase');
  await expect(theirs.getByRole('alert').filter({ hasText: /\S/ })).toContainText("don't match");
  await expect(theirs).toHaveURL(/sign-in/);
  await other.close();
  await page.goto('/settings/users');
  await hydrated(page);
  await expect(memberRow(page, gone)).toHaveCount(0);
  await rowAction(page, less, 'Edit');
  await expect(edit.getByRole('group', { name: 'Users' }).getByLabel('Manage')).not.toBeChecked();
  await expect(edit.getByLabel('Role template')).toHaveValue(/\d+/);
  await edit.getByRole('button', { name: 'Cancel' }).click();
  // The record opens later from the list.
  await page.goto('/settings/access-reviews');
  await expect(page.getByTestId('reviews')).toContainText('1 / 1');
});

test('an admin of a production and its sandbox removes someone from both at once', async ({ page, browser }) => {
  const member = `${unique('offb')}@example.com`;
  const { tenant } = await tenantWith(page, browser, 'Offco', [member]);
  await createSandboxAndSwitch(page, tenant);
  await inviteMember(page, member);
  await switchTenant(page, tenant, false);

  await page.goto('/settings/users');
  await hydrated(page);
  await rowAction(page, member, 'Remove from all my tenants');
  const dialog = page.getByRole('dialog', { name: 'Remove from all my tenants' });
  const preview = dialog.getByTestId('offboard-preview');
  await expect(preview.getByRole('listitem')).toHaveCount(2);
  await expect(preview).toContainText(`${tenant} (Active)`);
  await expect(preview).toContainText(`${tenant} Sandbox (Invited)`);
  await dialog.getByRole('button', { name: 'Remove from all' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Removed from ${tenant}, ${tenant} Sandbox.` }).first()).toBeVisible();
  await expect(memberRow(page, member)).toHaveCount(0);
});
