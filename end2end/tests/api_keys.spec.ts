import { expect, test } from '@playwright/test';
import { createAdmin, hydrated, PASSWORD, settingsLink, signIn, unique } from './helpers';

test('an admin creates an API key, copies its secret once, and revokes it', async ({ page }) => {
  const tenant = unique('Keyco');
  const admin = `${unique('keys')}@example.com`;
  createAdmin(tenant, admin);
  await signIn(page, admin, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await (await settingsLink(page, 'API keys')).click();
  await expect(page).toHaveURL(/\/settings\/api-keys$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'No API keys yet' })).toBeVisible();

  // Bad input: a sentence next to each field, no key.
  const form = page.getByRole('form', { name: 'New API key' });
  await form.getByLabel('Check access').uncheck();
  await form.getByRole('button', { name: 'Create API key' }).click();
  await expect(page.locator('#key-name-error')).toContainText('Enter a name');
  await expect(page.locator('#key-scopes-error')).toContainText('at least one scope');
  await expect(page.getByRole('heading', { name: 'No API keys yet' })).toBeVisible();

  await form.getByLabel('Name').fill('Billing service');
  await form.getByLabel('Check access').check();
  await form.getByLabel('Read members').check();
  await form.getByRole('button', { name: 'Create API key' }).click();
  const secret = page.getByTestId('api-key-secret');
  await expect(secret).toHaveValue(/^gatehouse_[A-Za-z0-9_-]{43}$/);
  const value = await secret.inputValue();
  await expect(page.getByRole('status').filter({ hasText: 'API key “Billing service” created' })).toBeVisible();
  const row = page.getByTestId('api-keys').getByRole('row', { name: /Billing service/ });
  await expect(row).toContainText('Check access, Read members');
  await expect(row).toContainText(`by ${admin}`);
  await expect(row).toContainText('Never');
  await expect(row).toContainText(value.slice(0, 16));

  // Dismissed, then never shown again: not even in the page's HTML.
  await page.getByRole('button', { name: "I've copied it" }).click();
  await expect(secret).toBeHidden();
  const html = await (await page.request.get('/settings/api-keys')).text();
  expect(html).toContain('Billing service');
  expect(html).not.toContain(value);

  // A program asks with it: the admin may manage users; the answer is logged.
  const ask = () =>
    page.request.post('/v1/check', {
      headers: { Authorization: `Bearer ${value}` },
      data: { email: admin, permission: 'users.manage' },
    });
  const answer = await ask();
  expect(answer.status()).toBe(200);
  expect(await answer.json()).toMatchObject({ allowed: true, reasons: [] });
  await page.getByRole('link', { name: /Check decisions/ }).click();
  await expect(page).toHaveURL(/\/settings\/api-keys\/decisions$/);
  const decisions = page.getByTestId('decisions');
  await expect(decisions.getByRole('row', { name: new RegExp(admin) })).toContainText('Allowed');
  await expect(decisions).toContainText('Billing service');
  await page.goto('/settings/api-keys');
  await hydrated(page);

  // Revoked after a confirmation; listed as revoked, by whom.
  await row.getByRole('button', { name: 'Revoke Billing service' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke API key' });
  await expect(dialog).toContainText('Billing service');
  await dialog.getByRole('button', { name: 'Revoke key' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText(`Revoked by ${admin}`);
  await expect(row.getByRole('button', { name: /Revoke/ })).toHaveCount(0);

  // The program is refused from now on, with a problem detail.
  const refused = await ask();
  expect(refused.status()).toBe(401);
  expect(refused.headers()['content-type']).toBe('application/problem+json');
  expect((await refused.json()).detail).toContain('not valid');
});

test('on a plan without API keys the page says the plan is why', async ({ page }) => {
  const tenant = unique('Freeco');
  const admin = `${unique('free')}@example.com`;
  createAdmin(tenant, admin, 'production', 'free');
  await signIn(page, admin, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/settings/api-keys');
  await hydrated(page);
  await expect(page.getByRole('main')).toContainText(`API keys isn't part of ${tenant}'s plan`);
  await expect(page.getByRole('form', { name: 'New API key' })).toHaveCount(0);
});
