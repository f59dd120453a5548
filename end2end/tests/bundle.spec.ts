import { test, expect, Page } from '@playwright/test';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createAdmin, hydrated, PASSWORD, unique } from './helpers';

// The bytes a browser downloads (brotli, as served) to hydrate a page. The ceilings
// fail the run when a change makes them grow past what the build measures today plus
// a little room; issue 12's targets are printed beside them. Lower the ceilings as
// the bundle shrinks. (A per-page split with `cargo leptos build --split` was tried
// and measured: see the README's "Bundle size".) Raised from 600 to 650 when issue 13
// added the decision log, webhook and delivery pages (577 → 623 KB); to 670 when
// issue 19 added dark mode and the phone layout (CSS 3 → 6.4 KB), the rows' Actions
// menu, times in words and the colour-scheme choice (WASM +13 KB): 662 KB.
const CEILING_KB = { '/sign-in': 670, '/settings/users': 670 };
const TARGET_KB = { '/sign-in': 180, '/settings/users': 250 };

/** Every bundle file the page asked for until it hydrated, as brotli bytes on disk. */
async function bundleBytes(page: Page, path: string): Promise<{ files: string[]; bytes: number }> {
  const site = process.env.LEPTOS_SITE_ROOT;
  if (!site) throw new Error('LEPTOS_SITE_ROOT is not set (run through make e2e)');
  const files = new Set<string>();
  const listener = (r: { url(): string }) => {
    const p = new URL(r.url()).pathname;
    if (p.startsWith('/pkg/')) files.add(p);
  };
  page.on('request', listener);
  await page.goto(path);
  await hydrated(page);
  page.off('request', listener);
  let bytes = 0;
  for (const f of files) bytes += statSync(join(site, `${f}.br`)).size;
  return { files: [...files], bytes };
}

test('the bytes a browser downloads to hydrate a page stay within budget', async ({ page }) => {
  const tenant = unique('Bundle');
  const admin = `${unique('admin')}@example.com`;
  createAdmin(tenant, admin);

  const signInPage = await bundleBytes(page, '/sign-in');
  await page.getByLabel('Email').fill(admin);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  // A fresh page, so nothing is cached from the sign-in page.
  const fresh = await page.context().browser()!.newContext();
  await fresh.addCookies(await page.context().cookies());
  const usersPage = await bundleBytes(await fresh.newPage(), '/settings/users');
  await fresh.close();

  const measured = [
    ['/sign-in', signInPage],
    ['/settings/users', usersPage],
  ] as const;
  for (const [path, got] of measured) {
    console.log(
      `bundle ${path}: ${(got.bytes / 1000).toFixed(1)} KB brotli in ${got.files.length} files ` +
        `(ceiling ${CEILING_KB[path]} KB, issue 12's target ${TARGET_KB[path]} KB)`,
    );
  }
  for (const [path, got] of measured) {
    expect(got.files.some((f) => f.endsWith('.wasm')), `${path} loads WASM`).toBe(true);
    expect(got.bytes / 1000, `${path}: ${got.files.join(', ')}`).toBeLessThanOrEqual(CEILING_KB[path]);
  }
});
