import { test, expect } from '@playwright/test';
import { createAdmin, hydrated, PASSWORD, signIn, unique } from './helpers';

// The release build's bundle: hashed file names, brotli and gzip copies chosen by
// Accept-Encoding, kept by browsers for a year; pages are never stored.
test('the bundle is served compressed under hashed names and cached for a year; pages never', async ({ request }) => {
  const page = await request.get('/sign-in');
  expect(page.headers()['cache-control']).toBe('no-store');
  const html = await page.text();
  const files = new Set([...html.matchAll(/\/pkg\/gatehouse\.[A-Za-z0-9_-]{8,}\.(?:wasm|js|css)/g)].map((m) => m[0]));
  expect(new Set([...files].map((f) => f.split('.').pop()))).toEqual(new Set(['wasm', 'js', 'css']));
  for (const file of files) {
    for (const [asked, sent] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
      ['identity', undefined],
    ] as const) {
      const res = await request.get(file, { headers: { 'accept-encoding': asked } });
      expect(res.status(), `${file} (${asked})`).toBe(200);
      expect(res.headers()['content-encoding'], `${file} (${asked})`).toBe(sent);
      expect(res.headers()['cache-control'], file).toBe('public, max-age=31536000, immutable');
    }
  }
  // A name that isn't in this build is not found, and not cached.
  const stale = await request.get('/pkg/gatehouse.stale0hash.wasm');
  expect(stale.status()).toBe(404);
  expect(stale.headers()['cache-control']).not.toContain('immutable');
});

// Run hydrated and with JavaScript off: before hydration a button that needs
// JavaScript is shown as unusable, never silently dead; hydrated, it works.
test('@nojs a button that needs JavaScript looks unusable until the page is hydrated', async ({ page, javaScriptEnabled }) => {
  const tenant = unique('Nojs');
  const admin = `${unique('admin')}@example.com`;
  createAdmin(tenant, admin);
  await signIn(page, admin, PASSWORD, javaScriptEnabled);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/settings/users');
  if (javaScriptEnabled) await hydrated(page);
  const invite = page.getByRole('button', { name: 'Invite user' });
  await expect(invite).toBeVisible();
  await expect(invite).toHaveCSS('pointer-events', javaScriptEnabled ? 'auto' : 'none');
  // A plain form's button works either way.
  await expect(page.locator('button[type="submit"]', { hasText: 'Sign out' })).toHaveCSS('pointer-events', 'auto');
  // A form that needs JavaScript (an API key's secret is shown in the page, never
  // sent through a redirect): its button too, and its defaults are there before.
  await page.goto('/settings/api-keys');
  if (javaScriptEnabled) await hydrated(page);
  const create = page.getByRole('button', { name: 'Create API key' });
  await expect(create).toHaveCSS('pointer-events', javaScriptEnabled ? 'auto' : 'none');
  await expect(page.getByLabel('Check access')).toBeChecked();
});
