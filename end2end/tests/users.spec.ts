import { expect, Page, test } from '@playwright/test';
import {
  acceptInFreshContext,
  closeRowMenu,
  createAdmin,
  hydrated,
  inviteLink,
  memberRow,
  openRowMenu,
  PASSWORD,
  press,
  rowAction,
  signIn,
  unique,
} from './helpers';

async function openUsers(page: Page) {
  await page.goto('/settings/users');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
}

async function invite(page: Page, email: string, role = 'User') {
  await page.getByRole('button', { name: 'Invite user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Invite user' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Role', { exact: true }).selectOption({ label: role });
  await dialog.getByRole('button', { name: 'Send invite' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${email}` })).toBeVisible();
}

const row = memberRow;

test.describe('Settings → Users', () => {
  const tenant = unique('Acme');
  const admin = `${unique('admin')}@example.com`;

  test.beforeAll(() => {
    createAdmin(tenant, admin);
  });

  test('invite, accept, edit and template, as the admin sees it @mobile', async ({ page, browser }) => {
    const member = `${unique('agent')}@example.com`;
    await signIn(page, admin, PASSWORD);
    await expect(page).toHaveURL(/\/$/);

    // A role template first.
    await page.goto('/settings/role-templates');
    await hydrated(page);
    await page.getByRole('button', { name: 'New template' }).first().click();
    const tdialog = page.getByRole('dialog', { name: 'New template' });
    await tdialog.getByLabel('Name').fill('Support agent');
    await tdialog.getByRole('group', { name: 'Conversations' }).getByLabel('View').check();
    await tdialog.getByRole('button', { name: 'Save template' }).click();
    await expect(tdialog).toBeHidden();
    await expect(page.getByRole('cell', { name: 'Support agent', exact: true })).toBeVisible();

    await openUsers(page);
    await invite(page, member);
    await expect(row(page, member).locator('.status')).toHaveText('Invited');

    const link = await inviteLink(member);
    const joined = await acceptInFreshContext(browser, link, 'Agent Smith', 'agent smith passphrase');
    await expect(joined.page.getByTestId('tenant-indicator')).toContainText(tenant);
    // A plain member sees no user management.
    await expect(joined.page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
    await joined.page.goto('/settings/users');
    await expect(joined.page.getByText("You don't have access to user management")).toBeVisible();

    await page.reload();
    await hydrated(page);
    await expect(row(page, member).locator('.status')).toHaveText('Active');
    // The name they chose is shown above their email.
    await expect(row(page, member).locator('.member-name')).toHaveText('Agent Smith');
    await expect(row(page, member).locator('.member-email')).toHaveText(member);
    // Last login: in words, with the exact instant for machines.
    const lastLogin = row(page, member).getByRole('cell').nth(5);
    await expect(lastLogin).not.toHaveText('Never');
    await expect(lastLogin).toHaveText(/just now|minutes? ago/);
    await expect(lastLogin.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // Edit: template and a direct permission; the table updates without a reload.
    await rowAction(page, member, 'Edit');
    const edit = page.getByRole('dialog', { name: 'Edit user' });
    await edit.getByLabel('Role template').selectOption({ label: 'Support agent' });
    // The dialog marks what the chosen template grants, as the server's evaluation decides.
    await expect(edit.getByRole('group', { name: 'Conversations' }).locator('.via')).toHaveText(['via template']);
    await expect(edit.getByRole('group', { name: 'Analytics' }).locator('.via')).toHaveCount(0);
    await edit.getByRole('group', { name: 'Analytics' }).getByLabel('View').check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(edit).toBeHidden();
    await expect(row(page, member).getByRole('cell', { name: 'Support agent', exact: true })).toBeVisible();

    // Editing the template changes what it grants, for everyone using it.
    await page.goto('/settings/role-templates');
    await hydrated(page);
    const trow = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'Support agent', exact: true }) });
    await expect(trow.getByRole('cell').nth(2)).toHaveText('1');
    await rowAction(page, 'Support agent', 'Edit');
    const tedit = page.getByRole('dialog', { name: 'Edit template' });
    await tedit.getByRole('group', { name: 'Conversations' }).getByLabel('Edit').check();
    await tedit.getByRole('button', { name: 'Save template' }).click();
    await expect(tedit).toBeHidden();
    await expect(trow.getByRole('cell').nth(1)).toContainText('reply to and reassign conversations');

    // The audit log shows who did what, newest first, filtered by member.
    await page.goto('/settings/audit-log');
    await hydrated(page);
    await page.getByLabel('Who (actor or member)').fill(member);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(/who=/);
    await expect(page.getByRole('cell', { name: 'Invited', exact: true })).toBeVisible();
    await expect(page.getByRole('cell', { name: 'Accepted invitation', exact: true })).toBeVisible();

    await openUsers(page);
    // Suspend: the member's open session ends at once.
    await rowAction(page, member, 'Edit');
    await edit.getByLabel('Status').selectOption({ label: 'Suspended' });
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(row(page, member).locator('.status')).toHaveText('Suspended');
    await joined.page.goto('/');
    await expect(joined.page).toHaveURL(/\/sign-in/);
    await joined.context.close();
  });

  test('resending an invite kills the old link @mobile', async ({ page, browser }) => {
    const member = `${unique('late')}@example.com`;
    await signIn(page, admin, PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    await openUsers(page);
    await invite(page, member);
    const first = await inviteLink(member);
    await rowAction(page, member, 'Resend invite');
    await expect(page.getByRole('status').filter({ hasText: 'A new invitation was sent' })).toBeVisible();
    const second = await inviteLink(member, first);
    expect(second).not.toBe(first);
    await expect(row(page, member).locator('.status')).toHaveText('Invited');

    // The invitee's browser runs no JavaScript: the accept page still works.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const old = await context.newPage();
    await old.goto(first);
    await expect(old.getByRole('heading', { name: "This invitation can't be used" })).toBeVisible();
    await expect(old.getByRole('alert')).toContainText('resend');
    await old.goto(second);
    await old.getByLabel('Choose a password').fill('short');
    await old.getByLabel('Your name').fill('Late Comer');
    await old.getByRole('button', { name: 'Accept invitation' }).click();
    await expect(old.locator('#password-error')).toContainText('at least 8 characters');
    await old.getByLabel('Your name').fill('Late Comer');
    await old.getByLabel('Choose a password').fill('late comer passphrase');
    await old.getByRole('button', { name: 'Accept invitation' }).click();
    await expect(old).toHaveURL(/\/$/);
    await expect(old.getByTestId('tenant-indicator')).toContainText(tenant);
    await context.close();
  });

  test('a full tenant cannot invite, and deleting frees a seat @mobile', async ({ page }) => {
    const small = unique('Tiny');
    const owner = `${unique('owner')}@example.com`;
    createAdmin(small, owner, 'production', 'free'); // 5 seats
    await signIn(page, owner, PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    await openUsers(page);
    const people = [1, 2, 3, 4].map((i) => `${unique(`p${i}`)}@example.com`);
    for (const p of people) await invite(page, p);
    await expect(page.getByTestId('seat-indicator')).toHaveText('5 of 5 seats used');
    await expect(page.getByRole('button', { name: 'Invite user' })).toBeDisabled();
    await expect(page.getByText('All seats are in use')).toBeVisible();

    await rowAction(page, people[0], 'Delete user');
    const confirm = page.getByRole('dialog', { name: 'Delete user' });
    await expect(confirm).toContainText('permanent');
    await confirm.getByRole('button', { name: 'Delete user' }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByTestId('seat-indicator')).toHaveText('4 of 5 seats used');
    await expect(row(page, people[0])).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Invite user' })).toBeEnabled();
  });

  test('Next and Previous page through the table, and a page number jumps', async ({ page }) => {
    const big = unique('Big');
    const owner = `${unique('owner')}@example.com`;
    createAdmin(big, owner, 'production', 'business');
    await signIn(page, owner, PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    // 30 invitations straight through the server function the dialog calls.
    for (let i = 0; i < 30; i++) {
      const res = await page.request.post('/api/invite_member', {
        headers: { origin: new URL(page.url()).origin, accept: 'application/json' },
        data: { input: { email: `${unique(`n${i}`)}@example.com`, role: 'user', template_id: null, crm_access: false } },
      });
      expect(res.status()).toBe(200);
    }
    await openUsers(page);
    const pager = page.getByRole('navigation', { name: 'Pages' });
    await expect(pager).toContainText('Showing 1–25 of 31');
    // The email alone: a person's name is shown above it in the same cell.
    const firstPageTop = (await page.locator('tbody tr').first().locator('.member-email').textContent())?.trim();
    expect(firstPageTop).toBeTruthy();
    await pager.getByRole('button', { name: 'Next' }).click();
    await expect(pager).toContainText('Showing 26–31 of 31');
    await expect(pager.getByRole('button', { name: 'Next' })).toBeDisabled();
    await expect(page.locator('tbody tr')).toHaveCount(6);
    await expect(row(page, owner)).toHaveCount(1); // the first member is on the last page
    await pager.getByRole('button', { name: 'Previous' }).click();
    await expect(pager).toContainText('Showing 1–25 of 31');
    await expect(page.locator('tbody tr').first()).toContainText(firstPageTop ?? 'no email');
    await pager.getByLabel('Page').fill('2');
    await pager.getByLabel('Page').press('Enter');
    await expect(pager).toContainText('Showing 26–31 of 31');
    await pager.getByLabel('Page').fill('9');
    await pager.getByLabel('Page').press('Enter');
    await expect(page.getByRole('heading', { name: 'There is no page 9' })).toBeVisible();
    await page.getByRole('button', { name: 'Go to the first page' }).click();
    await expect(pager).toContainText('Showing 1–25 of 31');
  });

  test('the invite dialog explains bad input and writes nothing @mobile', async ({ page }) => {
    await signIn(page, admin, PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    await openUsers(page);
    await page.getByRole('button', { name: 'Invite user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite user' });
    await dialog.getByLabel('Email').fill('not-an-email');
    await dialog.getByRole('button', { name: 'Send invite' }).click();
    await expect(dialog.locator('#invite-email-error')).toContainText('valid email');
    await dialog.getByLabel('Email').fill(admin);
    await dialog.getByRole('button', { name: 'Send invite' }).click();
    await expect(dialog.locator('#invite-email-error')).toContainText('already in this tenant');
    // The CRM toggle disappears for admins.
    await expect(dialog.getByLabel('CRM access')).toBeVisible();
    await dialog.getByLabel('Role', { exact: true }).selectOption({ label: 'Admin' });
    await expect(dialog.getByLabel('CRM access')).toHaveCount(0);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  });

  test("a row's actions menu works from the keyboard", async ({ page }) => {
    const invitee = `${unique('keyboard')}@example.com`;
    await signIn(page, admin, PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    await openUsers(page);
    await invite(page, invitee);
    const button = page.getByRole('button', { name: `Actions for ${invitee}`, exact: true });
    const menu = page.getByRole('menu', { name: `Actions for ${invitee}`, exact: true });
    // What an admin may do with a pending invitation: nothing is disabled here.
    const items = menu.locator('[role="menuitem"]:not([disabled])');
    await expect(button).toHaveAttribute('aria-haspopup', 'menu');
    await expect(menu).toBeHidden();

    // Enter opens it on its first item; the arrows move and wrap; Home and End jump.
    await button.focus();
    await page.keyboard.press('Enter');
    await expect(menu).toBeVisible();
    await expect(items.first()).toBeFocused();
    await expect(items.first()).toHaveText('Edit');
    expect(await items.count()).toBeGreaterThan(2);
    await page.keyboard.press('ArrowDown');
    await expect(items.nth(1)).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(items.first()).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(items.last()).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(items.first()).toBeFocused();
    await page.keyboard.press('End');
    await expect(items.last()).toBeFocused();
    await page.keyboard.press('Home');
    await expect(items.first()).toBeFocused();

    // Escape closes it and gives the focus back to its button.
    await page.keyboard.press('Escape');
    await expect(menu).toBeHidden();
    await expect(button).toBeFocused();

    // Space opens it too; Tab leaves and closes it.
    await page.keyboard.press('Space');
    await expect(menu).toBeVisible();
    await expect(items.first()).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(menu).toBeHidden();

    // Enter on an item does what a click does.
    await button.focus();
    await page.keyboard.press('Enter');
    await expect(items.first()).toBeFocused();
    await page.keyboard.press('Enter');
    const edit = page.getByRole('dialog', { name: 'Edit user' });
    await expect(edit).toBeVisible();
    await expect(menu).toBeHidden();
    await page.keyboard.press('Escape');
    await expect(edit).toBeHidden();
  });

  test("an admin's permissions show ticked, and a list still loading shows skeleton rows", async ({ page }) => {
    await signIn(page, admin, PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    await openUsers(page);
    await rowAction(page, admin, 'Edit');
    const edit = page.getByRole('dialog', { name: 'Edit user' });
    await expect(edit.getByText('Admins have every permission.')).toBeVisible();
    // "Every permission" above boxes that look it: all ticked, none to change.
    const boxes = edit.locator('.permission-grid input[type="checkbox"]');
    expect(await boxes.count()).toBeGreaterThan(20);
    for (const box of await boxes.all()) {
      await expect(box).toBeChecked();
      await expect(box).toBeDisabled();
    }
    await page.keyboard.press('Escape');
    await expect(edit).toBeHidden();

    // A list whose answer hasn't come yet shows grey skeleton lines (and says
    // "Loading…" to screen readers), then the table.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/list_audit_events*', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Audit log' }).click();
    const skeleton = page.locator('.skeleton[role="status"]');
    await expect(skeleton).toBeVisible();
    await expect(skeleton).toContainText('Loading…');
    await expect(skeleton.locator('.skeleton-line').first()).toBeVisible();
    release();
    await expect(page.getByRole('table')).toBeVisible();
    await expect(skeleton).toHaveCount(0);
  });
});

test('ten wrong passwords lock an account without saying so, and an admin unlocks it', async ({ page, browser }) => {
  const tenant = unique('Lockco');
  const owner = `${unique('owner')}@example.com`;
  const victim = `${unique('victim')}@example.com`;
  createAdmin(tenant, owner);
  await signIn(page, owner, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await openUsers(page);
  await invite(page, victim);
  const joined = await acceptInFreshContext(browser, await inviteLink(victim), 'Vic Tim', 'victim passphrase one');
  await joined.context.close();

  const context = await browser.newContext();
  const other = await context.newPage();
  let first = '';
  for (let i = 0; i < 10; i++) {
    await signIn(other, victim, `wrong password ${i}`);
    const alert = other.getByRole('alert').filter({ hasText: /\S/ });
    await expect(alert).toContainText("don't match");
    const text = (await alert.textContent()) ?? '';
    if (i === 0) first = text;
    expect(text).toBe(first);
  }
  // Now even the right password is refused with the very same sentence.
  await signIn(other, victim, 'victim passphrase one');
  const alert = other.getByRole('alert').filter({ hasText: /\S/ });
  await expect(alert).toHaveText(first);
  expect(first).not.toMatch(/lock/i);

  await page.reload();
  await hydrated(page);
  await expect(row(page, victim).getByText('Locked', { exact: true })).toBeVisible();
  await rowAction(page, victim, 'Unlock');
  await expect(page.getByRole('status').filter({ hasText: 'Unlocked' })).toBeVisible();
  await expect(row(page, victim).getByText('Locked', { exact: true })).toHaveCount(0);

  await signIn(other, victim, 'victim passphrase one');
  await expect(other.getByTestId('tenant-indicator')).toContainText(tenant);
  await context.close();
});

test('a manager who is not an admin sees what they may not do, and why @mobile', async ({ page, browser }) => {
  const tenant = unique('Mgrco');
  const owner = `${unique('owner')}@example.com`;
  const manager = `${unique('manager')}@example.com`;
  createAdmin(tenant, owner);
  await signIn(page, owner, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/settings/role-templates');
  await hydrated(page);
  await page.getByRole('button', { name: 'New template' }).first().click();
  const tdialog = page.getByRole('dialog', { name: 'New template' });
  await tdialog.getByLabel('Name').fill('People managers');
  await tdialog.getByRole('group', { name: 'Users' }).getByLabel('Manage').check();
  await tdialog.getByRole('group', { name: 'Conversations' }).getByLabel('View').check();
  await tdialog.getByRole('button', { name: 'Save template' }).click();
  await expect(tdialog).toBeHidden();
  await openUsers(page);
  await page.getByRole('button', { name: 'Invite user' }).click();
  const idialog = page.getByRole('dialog', { name: 'Invite user' });
  await idialog.getByLabel('Email').fill(manager);
  await idialog.getByLabel('Role template').selectOption({ label: 'People managers' });
  await idialog.getByRole('button', { name: 'Send invite' }).click();
  await expect(idialog).toBeHidden();
  const joined = await acceptInFreshContext(browser, await inviteLink(manager), 'Mona Manager', 'mona manager passphrase');
  const mgr = joined.page;
  await openUsers(mgr);

  // The admin's row: nothing to do there, and the row says why.
  const ownerRow = row(mgr, owner);
  const ownerMenu = await openRowMenu(mgr, owner);
  await expect(ownerMenu.getByRole('menuitem', { name: 'Edit', exact: true })).toBeDisabled();
  await expect(ownerMenu.getByRole('menuitem', { name: 'Delete user', exact: true })).toBeDisabled();
  await expect(ownerRow.locator('.row-note')).toHaveText('Only an admin can change an admin.');
  await closeRowMenu(mgr, owner);
  // Their own row: they can't remove themself, and can't change their own access.
  const ownRow = row(mgr, manager);
  const ownMenu = await openRowMenu(mgr, manager);
  await expect(ownMenu.getByRole('menuitem', { name: 'Delete user', exact: true })).toBeDisabled();
  await expect(ownRow.locator('.row-note')).toContainText("You can't remove yourself");
  await press(ownMenu.getByRole('menuitem', { name: 'Edit', exact: true }));
  const edit = mgr.getByRole('dialog', { name: 'Edit user' });
  await expect(edit.getByText("You can't change your own role, status, role template or permissions")).toBeVisible();
  await expect(edit.getByLabel('Role', { exact: true })).toBeDisabled();
  await expect(edit.getByLabel('Role template')).toBeDisabled();
  await mgr.keyboard.press('Escape');
  await expect(edit).toBeHidden();
  // Inviting: the Admin role is not theirs to give; permissions they lack can't be ticked.
  await mgr.getByRole('button', { name: 'Invite user' }).click();
  const invite = mgr.getByRole('dialog', { name: 'Invite user' });
  await expect(invite.getByLabel('Role', { exact: true }).locator('option', { hasText: 'Admin' })).toBeDisabled();
  await expect(invite.getByText('Only an admin can give the Admin role.')).toBeVisible();
  const helper = `${unique('helper')}@example.com`;
  await invite.getByLabel('Email').fill(helper);
  await invite.getByRole('button', { name: 'Send invite' }).click();
  await expect(invite).toBeHidden();
  await rowAction(mgr, helper, 'Edit');
  await expect(edit.getByRole('group', { name: 'Conversations' }).getByLabel('View')).toBeEnabled();
  await expect(edit.getByRole('group', { name: 'Analytics' }).getByLabel('Manage')).toBeDisabled();
  await mgr.keyboard.press('Escape');
  await joined.context.close();
});
