import { expect, test } from '@playwright/test';
import {
  acceptInFreshContext,
  createAdmin,
  createGroup,
  createTemplate,
  hydrated,
  inviteLink,
  inviteMember,
  memberRow,
  PASSWORD,
  rowAction,
  signIn,
  signOut,
  unique,
} from './helpers';

const row = memberRow;

test('feature flags, beta access, the plan table, Users tabs and cancelling an invite', async ({ page, browser }) => {
  const tenant = unique('Flagco');
  const owner = `${unique('owner')}@example.com`;
  const member = `${unique('member')}@example.com`;
  const later = `${unique('later')}@example.com`;
  createAdmin(tenant, owner);
  await signIn(page, owner, PASSWORD);
  await expect(page).toHaveURL(/\/$/);

  // The Tenant page shows every plan side by side, this one marked.
  await page.goto('/settings/tenant');
  await hydrated(page);
  await expect(page.getByTestId('plan-matrix')).toContainText('Team (yours)');
  await expect(page.getByTestId('plan-matrix').getByRole('row', { name: /Data warehouse/ })).toBeVisible();

  // A member with "see conversations" and "reply to conversations".
  await page.goto('/settings/users');
  await hydrated(page);
  await page.getByRole('button', { name: 'Invite user' }).click();
  const invite = page.getByRole('dialog', { name: 'Invite user' });
  await invite.getByLabel('Email').fill(member);
  await invite.getByRole('button', { name: 'Send invite' }).click();
  await expect(invite).toBeHidden();
  const joined = await acceptInFreshContext(browser, await inviteLink(member), 'Mel Member', 'mel member passphrase');
  await page.reload();
  await hydrated(page);
  await rowAction(page, member, 'Edit');
  const edit = page.getByRole('dialog', { name: 'Edit user' });
  await edit.getByRole('group', { name: 'Conversations' }).getByLabel('View').check();
  await edit.getByRole('group', { name: 'Conversations' }).getByLabel('Edit').check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();

  // Cases is off: the member's home page says so in plain words.
  const mine = joined.page;
  await mine.goto('/');
  const cases = mine.getByTestId('my-features').locator('li[data-feature="cases"]');
  await expect(cases).toContainText(`Cases isn't turned on for ${tenant}.`);
  await expect(mine.getByTestId('my-features').locator('li[data-feature="conversations"]')).toContainText('Available');

  // The admin turns Cases on: the member can use it at their next request.
  await page.goto('/settings/feature-flags');
  await hydrated(page);
  await page.getByRole('button', { name: 'Turn on Cases' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Feature flag saved.' })).toBeVisible();
  await expect(page.getByTestId('flag-cases')).toContainText('On');
  await mine.reload();
  await expect(cases).toContainText('Available');
  // And off again.
  await page.getByRole('button', { name: 'Turn off Cases' }).click();
  await expect(page.getByTestId('flag-cases')).toContainText('Off');
  await mine.reload();
  await expect(cases).toContainText("isn't turned on");

  // A beta feature: the flag, then the person's beta access.
  await page.getByRole('button', { name: 'Turn on AI reply suggestions' }).click();
  await expect(page.getByTestId('flag-ai_reply_suggestions')).toContainText('On');
  const beta = mine.getByTestId('my-features').locator('li[data-feature="ai_reply_suggestions"]');
  await mine.reload();
  await expect(beta).toContainText('in beta');
  await page.goto('/settings/users');
  await hydrated(page);
  await rowAction(page, member, 'Edit');
  await edit.getByLabel('Beta access').check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();
  await mine.reload();
  await expect(beta).toContainText('Available');
  await joined.context.close();

  // Tabs with counts; cancelling an invite frees its seat and kills its link.
  await page.getByRole('button', { name: 'Invite user' }).click();
  await invite.getByLabel('Email').fill(later);
  await invite.getByRole('button', { name: 'Send invite' }).click();
  await expect(invite).toBeHidden();
  const link = await inviteLink(later);
  await expect(page.getByTestId('seat-indicator')).toHaveText('3 of 25 seats used');
  await page.getByRole('tab', { name: /Pending invites/ }).click();
  await expect(page.getByRole('tab', { name: /Pending invites/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tab', { name: /Pending invites/ })).toContainText('1');
  await expect(row(page, later)).toContainText(/Link expires in \d+ days/);
  await expect(row(page, member)).toHaveCount(0);
  await rowAction(page, later, 'Cancel invite');
  await expect(page.getByRole('status').filter({ hasText: 'Invitation cancelled' })).toBeVisible();
  await expect(page.getByTestId('seat-indicator')).toHaveText('2 of 25 seats used');
  await expect(page.getByRole('tab', { name: /Pending invites/ })).toContainText('0');
  const stale = await browser.newContext();
  const old = await stale.newPage();
  await old.goto(link);
  await expect(old.getByText("isn't valid")).toBeVisible();
  await stale.close();
});

test('feature flags switch before hydration too @nojs', async ({ page, javaScriptEnabled }) => {
  const owner = `${unique('plainflags')}@example.com`;
  createAdmin(unique('Plainflag'), owner);
  await signIn(page, owner, PASSWORD, javaScriptEnabled);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/settings/feature-flags');
  if (javaScriptEnabled) await hydrated(page);
  await expect(page.getByTestId('flag-experiments')).toContainText('Off');
  await page.getByRole('button', { name: 'Turn on Experiments' }).click();
  await expect(page.getByTestId('flag-experiments')).toContainText('On');
  await page.getByRole('button', { name: 'Turn off Experiments' }).click();
  await expect(page.getByTestId('flag-experiments')).toContainText('Off');
});

test('an admin creates the sandbox of a production tenant and switches to it', async ({ page }) => {
  const tenant = unique('Pairco');
  const owner = `${unique('pairowner')}@example.com`;
  createAdmin(tenant, owner);
  await signIn(page, owner, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/settings/tenant');
  await hydrated(page);
  await page.getByRole('button', { name: 'Create sandbox' }).click();
  const pair = page.locator('section', { has: page.locator('#pair-title') });
  await expect(pair).toContainText(`Its sandbox is ${tenant} Sandbox`);
  await hydrated(page);
  await page.getByRole('button', { name: /Current tenant:/ }).click();
  await page.getByRole('button', { name: new RegExp(`${tenant} Sandbox`) }).click();
  await expect(page).toHaveURL(/\/$/);
  // The switch reloads the page: wait for the new one.
  await expect(page.getByRole('button', { name: new RegExp(`Current tenant: ${tenant} Sandbox`) })).toBeVisible();
  await hydrated(page);
  const indicator = page.getByTestId('tenant-indicator');
  await expect(indicator).toContainText(`${tenant} Sandbox`);
  await expect(indicator.locator('.badge-sandbox')).toBeVisible();
  await page.goto('/settings/tenant');
  await expect(pair).toContainText(`This is the sandbox of ${tenant}`);
});

test('a group with a role template gives its member the access, and the Edit dialog says via group', async ({ page, browser }) => {
  const tenant = unique('Groupco');
  const owner = `${unique('gowner')}@example.com`;
  const member = `${unique('analyst')}@example.com`;
  createAdmin(tenant, owner);
  await signIn(page, owner, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await createTemplate(page, 'Analysts', [['Analytics', 'View']]);
  await inviteMember(page, member);
  const joined = await acceptInFreshContext(browser, await inviteLink(member), 'Ana Lyst', 'ana lyst passphrase');

  await page.goto('/settings/groups');
  await hydrated(page);
  await expect(page.getByText('No groups yet')).toBeVisible();
  const card = await createGroup(page, 'Insights');
  await card.getByLabel('Add a member by email').fill('nobody@example.com');
  await card.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(card.locator('.field-error')).toContainText('No one with that email is in this tenant.');
  await card.getByLabel('Add a member by email').fill(member);
  await card.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(card.locator('.chip').filter({ hasText: member })).toBeVisible();
  await card.getByLabel('Attach a role template').selectOption({ label: 'Analysts' });
  await card.getByRole('button', { name: 'Attach' }).click();
  await expect(card.locator('.chip').filter({ hasText: 'Analysts' })).toBeVisible();

  // The member can use what the template grants, at their next request.
  await joined.page.goto('/');
  await expect(joined.page.locator('li[data-feature="analytics_dashboards"]')).toContainText('Available');
  await joined.context.close();

  // The admin's Edit dialog names the group and marks what it grants.
  await page.goto('/settings/users');
  await hydrated(page);
  await rowAction(page, member, 'Edit');
  const edit = page.getByRole('dialog', { name: 'Edit user' });
  await expect(edit.getByTestId('edit-groups')).toContainText('Groups: Insights');
  await expect(edit.getByRole('group', { name: 'Analytics' }).locator('.via')).toHaveText(['via group Insights']);
  await page.keyboard.press('Escape');

  // Deleting asks first, naming its members.
  await page.goto('/settings/groups');
  await hydrated(page);
  await card.getByRole('button', { name: /Delete group/ }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete group' });
  await expect(confirm).toContainText(member);
  await confirm.getByRole('button', { name: 'Delete group' }).click();
  await expect(page.getByText('No groups yet')).toBeVisible();
});

test('only members of the chosen group sign in; admins always do', async ({ page, browser }) => {
  const tenant = unique('Gateco');
  const owner = `${unique('gateowner')}@example.com`;
  const insider = `${unique('insider')}@example.com`;
  const outsider = `${unique('outsider')}@example.com`;
  createAdmin(tenant, owner);
  await signIn(page, owner, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await inviteMember(page, insider);
  const inside = await acceptInFreshContext(browser, await inviteLink(insider), 'Ina Sider', 'ina sider passphrase');
  await inviteMember(page, outsider);
  const outside = await acceptInFreshContext(browser, await inviteLink(outsider), 'Otto Side', 'otto side passphrase');
  const card = await createGroup(page, 'Support');
  await card.getByLabel('Add a member by email').fill(insider);
  await card.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(card.locator('.chip').filter({ hasText: insider })).toBeVisible();

  // Before saving, the admin sees who would lose sign-in.
  await page.goto('/settings/tenant');
  await hydrated(page);
  const who = page.getByLabel('Let these people sign in');
  await expect(who.locator('option', { hasText: 'Only members of Support (1 member would lose sign-in)' })).toHaveCount(1);
  await expect(page.getByText('Admins can always sign in')).toBeVisible();
  await who.selectOption({ label: 'Only members of Support (1 member would lose sign-in)' });
  await expect(page.getByTestId('sign-in-group-preview')).toContainText("1 active member isn't in “Support”");
  await page.getByRole('button', { name: 'Save who can sign in' }).click();
  await expect(page.getByText('Who can sign in saved.')).toBeVisible();
  await page.goto('/settings/groups');
  await expect(page.getByTestId('group-Support').getByText('Sign-in group')).toBeVisible();

  // The outsider's open session has ended; after the right password they are told
  // why, and whom to ask.
  await outside.page.goto('/settings/users');
  await expect(outside.page).toHaveURL(/\/sign-in/);
  await signIn(outside.page, outsider, 'otto side passphrase');
  const refusal = outside.page.getByRole('alert').filter({ hasText: /\S/ });
  await expect(refusal).toContainText(`isn't allowed to sign in to ${tenant}`);
  await expect(refusal).toContainText('“Support”');
  await expect(refusal).toContainText(owner);
  await expect(outside.page).toHaveURL(/\/sign-in/);
  await outside.context.close();

  // The insider keeps their session; the admin, in no group, signs in again.
  await inside.page.goto('/');
  await expect(inside.page).toHaveURL(/\/$/);
  await inside.context.close();
  await page.goto('/');
  await hydrated(page);
  await signOut(page, owner);
  await signIn(page, owner, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
});
