import { expect, Page, test } from '@playwright/test';
import { createAdmin, hydrated, inviteLink, PASSWORD, signIn, signOut, totp, unique } from './helpers';

async function openAccount(page: Page, email: string) {
  await page.getByRole('button', { name: `Account menu for ${email}` }).click();
  await page.locator('.account-menu').getByRole('link', { name: 'My account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'My account', level: 1 })).toBeVisible();
}

/** Turns two-factor on from My account; answers the secret and the recovery codes. */
async function enrol(page: Page): Promise<{ secret: string; codes: string[] }> {
  const card = page.getByRole('region', { name: /Two-factor sign-in/ });
  await card.getByRole('button', { name: 'Set up two-factor' }).click();
  await expect(card.getByRole('img', { name: /QR code/ })).toBeVisible();
  const secret = (await card.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await card.getByLabel('Code from the app').fill(totp(secret));
  await card.getByLabel('Your password').fill(PASSWORD);
  await card.getByRole('button', { name: 'Turn on two-factor' }).click();
  const list = page.getByTestId('recovery-codes');
  await expect(list.getByRole('listitem')).toHaveCount(10);
  const codes = (await list.getByRole('listitem').allTextContents()).map((c) => c.trim());
  await expect(page.getByRole('status').filter({ hasText: 'Two-factor is on' })).toBeVisible();
  await page.getByRole('button', { name: "I've saved my codes" }).click();
  await expect(card.getByText('On', { exact: true })).toBeVisible();
  return { secret, codes };
}

async function enterCode(page: Page, code: string) {
  await expect(page).toHaveURL(/\/sign-in\/two-factor/);
  await hydrated(page);
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}

test('enrol two-factor, sign in with a code; a replayed code fails; a recovery code works once @mobile', async ({ page }) => {
  const email = `${unique('tf')}@example.com`;
  createAdmin(unique('TwoFactor'), email);
  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await openAccount(page, email);
  const { secret, codes } = await enrol(page);
  await signOut(page, email);

  // The password alone no longer signs in: a code is asked for. The code of the
  // step used at enrolment is spent, so use the next step's (one step of skew is allowed).
  await signIn(page, email, PASSWORD);
  const next = totp(secret, 1);
  await enterCode(page, next);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('tenant-indicator')).toBeVisible();
  await signOut(page, email);

  // The same code again: refused.
  await signIn(page, email, PASSWORD);
  await enterCode(page, next);
  await expect(page.locator('#code-error')).toContainText("That code didn't work");
  await expect(page).toHaveURL(/\/sign-in\/two-factor/);

  // A recovery code works once.
  await page.getByLabel('Code', { exact: true }).fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/$/);
  await openAccount(page, email);
  await expect(page.getByText('9 unused recovery codes left.')).toBeVisible();
  await signOut(page, email);
  await signIn(page, email, PASSWORD);
  await enterCode(page, codes[0]);
  await expect(page.locator('#code-error')).toContainText("That code didn't work");
});

test('sign out another session from the sessions list, and that browser loses access @mobile', async ({ page, browser }) => {
  const email = `${unique('sessions')}@example.com`;
  createAdmin(unique('Sessions'), email);
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await signIn(other, email, PASSWORD);
  await expect(other).toHaveURL(/\/$/);

  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await openAccount(page, email);
  const rows = page.getByTestId('session-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'This session' })).toHaveCount(1);
  await rows.filter({ hasNotText: 'This session' }).getByRole('button', { name: /^Sign out / }).click();
  await expect(page.getByRole('status').filter({ hasText: 'That session was signed out.' })).toBeVisible();
  await expect(rows).toHaveCount(1);

  // The other browser is signed out at its next request.
  await other.goto('/settings/tenant');
  await expect(other).toHaveURL(/\/sign-in/);
  await otherContext.close();
});

test('my account: name, password change, workspaces @mobile', async ({ page }) => {
  const email = `${unique('me')}@example.com`;
  const tenant = unique('Mine');
  createAdmin(tenant, email);
  await signIn(page, email, PASSWORD);
  await openAccount(page, email);
  await expect(page.getByTestId('workspace-row').filter({ hasText: tenant })).toContainText('Admin');

  await page.getByLabel('Display name').fill('Grace Hopper');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your name was saved.' })).toBeVisible();

  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill('password123');
  await page.getByLabel('Confirm new password').fill('password123');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#password-error')).toContainText('most commonly used');

  await page.getByLabel('New password', { exact: true }).fill('seven lanterns by the quay');
  await page.getByLabel('Confirm new password').fill('seven lanterns by the quay');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();
  await signOut(page, email);
  await signIn(page, email, 'seven lanterns by the quay');
  await expect(page).toHaveURL(/\/$/);
});

test('appearance: Dark is kept after a reload and at the next sign-in; System leaves it to the device @mobile', async ({ page }) => {
  const email = `${unique('theme')}@example.com`;
  createAdmin(unique('Themes'), email);
  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  const html = page.locator('html');
  // Nobody chose yet: the device decides, and <html> says nothing.
  await expect(html).not.toHaveAttribute('data-theme');
  await openAccount(page, email);
  // The Appearance card's three radios (the only radios on My account).
  await expect(page.getByText('Appearance', { exact: true }).first()).toBeVisible();
  const choice = (name: 'System' | 'Light' | 'Dark') => page.getByRole('radio', { name, exact: true });
  const save = page.getByRole('button', { name: 'Save appearance' });
  const saved = page.getByRole('status').filter({ hasText: 'Appearance saved.' });
  await expect(choice('System')).toBeChecked();

  await choice('Dark').check();
  await save.click();
  await expect(saved.first()).toBeVisible();
  await expect(html).toHaveAttribute('data-theme', 'dark');

  // Kept after a reload (the server renders it, so the page never flashes light).
  await page.reload();
  await hydrated(page);
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await expect(choice('Dark')).toBeChecked();

  // And at the next sign-in.
  await signOut(page, email);
  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await expect(html).toHaveAttribute('data-theme', 'dark');

  // Light is said as plainly; System takes the attribute away again.
  await openAccount(page, email);
  await choice('Light').check();
  await save.click();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await choice('System').check();
  await save.click();
  await expect(html).not.toHaveAttribute('data-theme');
  await page.reload();
  await hydrated(page);
  await expect(html).not.toHaveAttribute('data-theme');
  await expect(choice('System')).toBeChecked();
});

test('a tenant that requires two-factor: its admin uses it first, and a new admin sets it up before anything else', async ({ page, browser }) => {
  const email = `${unique('req')}@example.com`;
  const newcomer = `${unique('newadmin')}@example.com`;
  createAdmin(unique('Strict'), email);
  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  const requireIt = async () => {
    await page.goto('/settings/tenant');
    await hydrated(page);
    await page.getByLabel('Require two-factor for admins').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
  };
  // Without two-factor herself, she is told to set it up first; nothing is saved.
  await requireIt();
  await expect(page.getByRole('alert').filter({ hasText: 'your own account first' })).toBeVisible();
  await openAccount(page, email);
  await enrol(page);
  await requireIt();
  await expect(page.getByRole('status').filter({ hasText: 'Sign-in security saved.' })).toBeVisible();

  // A new admin's first stop after accepting the invitation is the set-up.
  await page.goto('/settings/users');
  await hydrated(page);
  await page.getByRole('button', { name: 'Invite user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Invite user' });
  await dialog.getByLabel('Email').fill(newcomer);
  await dialog.getByLabel('Role', { exact: true }).selectOption({ label: 'Admin' });
  await dialog.getByRole('button', { name: 'Send invite' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${newcomer}` })).toBeVisible();
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(await inviteLink(newcomer));
  await hydrated(other);
  await other.getByLabel('Your name').fill('New Admin');
  await other.getByLabel('Choose a password').fill('a new admin passphrase');
  await other.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(other).toHaveURL(/\/sign-in\/set-up-two-factor/);
  await hydrated(other);
  const secret = (await other.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
  await other.getByLabel('Code from the app').fill(totp(secret));
  await other.getByRole('button', { name: 'Turn on and continue' }).click();
  await expect(other.getByTestId('recovery-codes').getByRole('listitem')).toHaveCount(10);
  await other.getByRole('button', { name: "I've saved my codes" }).click();
  await expect(other).toHaveURL(/\/$/);
  await expect(other.getByTestId('tenant-indicator')).toBeVisible();
  await context.close();
});

test('the two-factor sign-in step also works as a plain form @nojs', async ({ page, browser, javaScriptEnabled }) => {
  const email = `${unique('plain')}@example.com`;
  createAdmin(unique('Plain'), email);
  // Enrol in a browser with JavaScript (the set-up shows its codes from the action's answer).
  const setupContext = await browser.newContext({ javaScriptEnabled: true });
  const setup = await setupContext.newPage();
  await signIn(setup, email, PASSWORD);
  await expect(setup).toHaveURL(/\/$/);
  await openAccount(setup, email);
  const { secret } = await enrol(setup);
  await setupContext.close();

  await signIn(page, email, PASSWORD, javaScriptEnabled);
  await expect(page).toHaveURL(/\/sign-in\/two-factor/);
  if (javaScriptEnabled) await hydrated(page);
  await page.getByLabel('Code', { exact: true }).fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.locator('#code-error')).toContainText("That code didn't work");
  await page.getByLabel('Code', { exact: true }).fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('tenant-indicator')).toBeVisible();
});
