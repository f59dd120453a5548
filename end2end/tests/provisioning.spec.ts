import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { createAdmin, hydrated, memberRow, PASSWORD, signIn, unique } from './helpers';

test('an admin imports a CSV with two bad rows, sees why, invites the rest and exports them', async ({ page }) => {
  const tenant = unique('Importco');
  const admin = `${unique('import')}@example.com`;
  createAdmin(tenant, admin);
  await signIn(page, admin, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/settings/users');
  await hydrated(page);
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await expect(page).toHaveURL(/\/settings\/users\/import$/);
  await expect(page.getByRole('heading', { name: 'Import people' })).toBeVisible();
  // The sample file is a download away.
  const sample = await page.request.get('/settings/users/import-sample.csv');
  expect(await sample.text()).toContain('email,role,template,crm_access');

  const first = `${unique('ann')}@example.com`;
  const second = `${unique('ben')}@example.com`;
  const csv = `email,role,template,crm_access\n${first},user,,yes\nnot-an-email,,,\n${first},,,\n${second},,,no\n`;
  await page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page).toHaveURL(/\/settings\/users\/import\?file=\d+$/);
  await expect(page.getByTestId('import-summary')).toHaveText('4 rows: 2 can be invited, 2 can\'t.');
  const rows = page.getByTestId('import-rows');
  await expect(rows.getByRole('row', { name: /not-an-email/ })).toContainText('is not an email address');
  await expect(rows.getByRole('row').filter({ hasText: 'also on line 2' })).toContainText("Can't invite");
  await expect(rows.getByRole('row', { name: new RegExp(second) })).toContainText('Ready');

  await hydrated(page);
  await page.getByRole('button', { name: 'Invite 2 people' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Invited 2 people' })).toBeVisible();
  await expect(page.getByTestId('import-applied')).toBeVisible();

  // Both are pending on the Users page.
  await page.goto('/settings/users');
  await hydrated(page);
  await page.getByRole('tab', { name: /Pending invites/ }).click();
  await expect(memberRow(page, first)).toBeVisible();
  await expect(memberRow(page, second)).toBeVisible();

  // "Export CSV" downloads what the filter shows.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^importco-.*-users-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = readFileSync(await download.path(), 'utf8');
  expect(text.split('\n')[0]).toBe('email,name,role,template,groups,status,crm_access,beta_access,last_login');
  expect(text).toContain(`${first},,user,,,invited,yes,no,`);
  expect(text).toContain(second);
  expect(text).not.toContain(admin);
});

test('someone at a verified domain joins from their home page', async ({ page }) => {
  const tenant = unique('Joinco');
  const admin = `${unique('owner')}@example.com`;
  createAdmin(tenant, admin);
  const domain = `${unique('partner')}.example`.toLowerCase();
  execFileSync(process.env.GATEHOUSE_BIN!, ['tenant', 'add-domain', '--tenant', tenant, '--domain', domain], {
    env: process.env,
    encoding: 'utf8',
  });
  await signIn(page, admin, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/settings/tenant');
  await hydrated(page);
  const form = page.getByTestId('provisioning-form');
  await expect(page.getByTestId('verified-domains')).toContainText(domain);
  await form.getByLabel('People with a verified-domain email can join as User').check();
  await form.getByLabel('Most seats auto-join may use').fill('5');
  await form.getByRole('button', { name: 'Save provisioning' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Provisioning saved.' })).toBeVisible();

  // Pat works at that domain and is the admin of a tenant of her own.
  const pat = `pat@${domain}`;
  const own = unique('Patco');
  createAdmin(own, pat);
  const context = await page.context().browser()!.newContext();
  const patPage = await context.newPage();
  await signIn(patPage, pat, PASSWORD);
  await expect(patPage).toHaveURL(/\/$/);
  await hydrated(patPage);
  const offers = patPage.getByTestId('join-offers');
  await expect(offers).toContainText(`Your ${domain} email lets you join as User.`);
  await offers.getByRole('button', { name: `Join ${tenant}` }).click();
  await expect(patPage.getByRole('heading', { name: new RegExp(`You are in ${tenant}`) })).toBeVisible();
  await expect(patPage.getByTestId('join-offers')).toHaveCount(0);
  await context.close();

  // The admin sees her as an active member.
  await page.goto('/settings/users');
  await hydrated(page);
  await expect(page.getByRole('row').filter({ hasText: pat })).toContainText('Active');
});

test('an import and a join work before hydration too @nojs', async ({ page, browser, javaScriptEnabled }) => {
  const tenant = unique('Plainimport');
  const admin = `${unique('plainimp')}@example.com`;
  createAdmin(tenant, admin);
  const domain = `${unique('plainjoin')}.example`.toLowerCase();
  execFileSync(process.env.GATEHOUSE_BIN!, ['tenant', 'add-domain', '--tenant', tenant, '--domain', domain], {
    env: process.env,
    encoding: 'utf8',
  });
  await signIn(page, admin, PASSWORD, javaScriptEnabled);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/settings/users/import');
  if (javaScriptEnabled) await hydrated(page);
  const who = `${unique('dee')}@example.com`;
  await page.getByLabel('CSV file').setInputFiles({
    name: 'people.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`email\n${who}\nnope\n`),
  });
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.getByTestId('import-summary')).toHaveText("2 rows: 1 can be invited, 1 can't.");
  if (javaScriptEnabled) await hydrated(page);
  await page.getByRole('button', { name: 'Invite 1 person' }).click();
  await expect(page.getByTestId('import-applied')).toBeVisible();

  // Auto-join on, then someone at the domain joins, all as plain forms.
  await page.goto('/settings/tenant');
  if (javaScriptEnabled) await hydrated(page);
  await page.getByLabel('People with a verified-domain email can join as User').check();
  await page.getByRole('button', { name: 'Save provisioning' }).click();
  await expect(page.getByLabel('People with a verified-domain email can join as User')).toBeChecked();
  const joiner = `jo@${domain}`;
  createAdmin(unique('Joco'), joiner);
  const context = await browser.newContext({ javaScriptEnabled });
  const other = await context.newPage();
  await signIn(other, joiner, PASSWORD, javaScriptEnabled);
  await expect(other).toHaveURL(/\/$/);
  if (javaScriptEnabled) await hydrated(other);
  await other.getByRole('button', { name: `Join ${tenant}` }).click();
  await expect(other.getByRole('heading', { name: new RegExp(`You are in ${tenant}`) })).toBeVisible();
  await context.close();
});
