import { test, expect } from '@playwright/test';

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
