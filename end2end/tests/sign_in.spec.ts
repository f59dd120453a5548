import { expect, test } from '@playwright/test';
import { createAdmin, hydrated, memberRow, PASSWORD, press, settingsLink, signIn, unique } from './helpers';

test.describe('sign-in', () => {
  const tenant = unique('Acme');
  const email = `${unique('admin')}@example.com`;

  test.beforeAll(() => {
    const out = createAdmin(tenant, email);
    expect(out).toContain('Created tenant');
  });

  test('an admin signs in, sees the tenant indicator, and signs out @nojs', async ({ page, javaScriptEnabled }) => {
    await signIn(page, email, PASSWORD, javaScriptEnabled);
    await expect(page).toHaveURL(/\/$/);
    const indicator = page.getByTestId('tenant-indicator');
    await expect(indicator).toContainText(tenant);
    await expect(indicator).toContainText('Production');
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');

    const menu = page.getByRole('button', { name: `Account menu for ${email}` });
    await expect(menu).toContainText(email);
    await menu.click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in/);

    // The old session is gone: a signed-in page sends us back to sign-in.
    await page.goto('/settings/tenant');
    await expect(page).toHaveURL(/\/sign-in\?next=/);
  });

  test('wrong password and unknown email get the same refusal @nojs', async ({ page, javaScriptEnabled }) => {
    await signIn(page, email, 'not the right password', javaScriptEnabled);
    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await expect(alert).toContainText("don't match");
    const wrongPassword = (await alert.textContent())?.trim();

    await signIn(page, `${unique('nobody')}@example.com`, 'not the right password', javaScriptEnabled);
    await expect(alert).toContainText("don't match");
    const unknownEmail = (await alert.textContent())?.trim();

    expect(wrongPassword).toBe(unknownEmail);
    expect(wrongPassword).not.toMatch(/exist|unknown|suspend|lock/i);
  });

  test('empty fields get a sentence next to the field', async ({ page }) => {
    await page.goto('/sign-in');
    await hydrated(page);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#email-error')).toHaveText('Enter your email address.');
    await expect(page.locator('#password-error')).toHaveText('Enter your password.');
    await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  });

  test('after sign-in you land where you were going', async ({ page }) => {
    await page.goto('/settings/tenant');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fsettings%2Ftenant|\/sign-in\?next=\/settings\/tenant/);
    await hydrated(page);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/settings\/tenant$/);
    await expect(page.getByText(/1 of \d+ seats used/)).toBeVisible();
  });

  // On a phone the navigation is folded into its "Menu" (settingsLink opens it).
  test('the settings navigation reaches every settings page @mobile', async ({ page }) => {
    await signIn(page, email, PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    await hydrated(page);
    await press(await settingsLink(page, 'Users'));
    await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
    await expect(memberRow(page, email)).toBeVisible();
    await press(await settingsLink(page, 'Role templates'));
    await expect(page.getByRole('heading', { name: 'Role templates', level: 1 })).toBeVisible();
    await press(await settingsLink(page, 'Tenant'));
    await expect(page.getByRole('heading', { name: 'Tenant', level: 1 })).toBeVisible();
  });

  test('an unknown address shows a friendly 404 @nojs', async ({ page }) => {
    const response = await page.goto('/this/does/not/exist');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  });
});
