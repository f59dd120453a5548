import { expect, test } from '@playwright/test';
import { createAdmin, hydrated, mailedLink, PASSWORD, signIn, unique } from './helpers';

test.describe('forgot password', () => {
  test('reset by email, then sign in with the new password; the link works once @nojs', async ({ page, javaScriptEnabled }) => {
    const email = `${unique('forgetful')}@example.com`;
    createAdmin(unique('Acme'), email);

    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await expect(page).toHaveURL(/\/forgot-password/);
    if (javaScriptEnabled) await hydrated(page);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    const status = page.getByRole('status').filter({ hasText: 'If an account exists' });
    await expect(status).toBeVisible();
    const known = await status.textContent();

    // An unknown email gets exactly the same answer.
    await page.goto('/forgot-password');
    if (javaScriptEnabled) await hydrated(page);
    await page.getByLabel('Email').fill(`${unique('ghost')}@example.com`);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(status).toBeVisible();
    expect(await status.textContent()).toBe(known);

    const link = await mailedLink(email, 'reset');
    await page.goto(link);
    if (javaScriptEnabled) await hydrated(page);
    await page.getByLabel('New password', { exact: true }).fill('my brand new passphrase');
    await page.getByLabel('Confirm new password').fill('my brand new passphrase');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page).toHaveURL(/\/sign-in\?reset=done/);
    await expect(page.getByRole('status').filter({ hasText: 'Your password was changed' })).toBeVisible();

    await signIn(page, email, PASSWORD, javaScriptEnabled);
    await expect(page.getByRole('alert').filter({ hasText: /\S/ })).toContainText("don't match");
    await signIn(page, email, 'my brand new passphrase', javaScriptEnabled);
    await expect(page.getByTestId('tenant-indicator')).toBeVisible();

    // The used link now says so, plainly.
    await page.goto(link);
    await expect(page.getByRole('heading', { name: "This link can't be used" })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('already used');
  });
});
