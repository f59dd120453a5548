import { execFileSync } from 'node:child_process';
import { expect, Page } from '@playwright/test';

export const PASSWORD = 'a long and unguessable passphrase';

/** A name no other test run has used. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Creates a tenant and its first admin through the real command line. */
export function createAdmin(tenant: string, email: string, kind = 'production'): string {
  const bin = process.env.GATEHOUSE_BIN;
  if (!bin) throw new Error('GATEHOUSE_BIN is not set (run through make e2e)');
  return execFileSync(bin, ['create-admin', '--tenant', tenant, '--email', email, '--kind', kind, '--password-stdin'], {
    input: `${PASSWORD}\n`,
    env: process.env,
    encoding: 'utf8',
  });
}

/** Waits for the WASM app to take over the server-rendered page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

export async function signIn(page: Page, email: string, password: string, js = true) {
  await page.goto('/sign-in');
  if (js) await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
