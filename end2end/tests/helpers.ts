import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, expect, Locator, Page, test } from '@playwright/test';

export const PASSWORD = 'a long and unguessable passphrase';

/** A name no other test run has used. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Creates a tenant and its first admin through the real command line. */
export function createAdmin(tenant: string, email: string, kind = 'production', plan = 'team'): string {
  const bin = process.env.GATEHOUSE_BIN;
  if (!bin) throw new Error('GATEHOUSE_BIN is not set (run through make e2e)');
  const args = ['create-admin', '--tenant', tenant, '--email', email, '--kind', kind, '--plan', plan, '--password-stdin'];
  return execFileSync(bin, args, {
    input: `${PASSWORD}\n`,
    env: process.env,
    encoding: 'utf8',
  });
}

/** Waits for the WASM app to take over the server-rendered page. */
export async function hydrated(page: Page) {
  try {
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  } catch (e) {
    // What the browser said (a page served without its own CSP blocks its bundle).
    console.log(`not hydrated: ${page.url()}\n${((page as any).__logs ?? []).join('\n')}`);
    throw e;
  }
}

export async function signIn(page: Page, email: string, password: string, js = true) {
  // Kept for `hydrated` to print when a page never hydrates.
  if (!(page as any).__logs) {
    (page as any).__logs = [];
    page.on('console', (m) => (page as any).__logs.push(m.type() + ': ' + m.text().slice(0, 400)));
    page.on('pageerror', (e) => (page as any).__logs.push('pageerror: ' + e.message.slice(0, 400)));
  }
  await page.goto('/sign-in');
  if (js) await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The newest invite link mailed to `email` (read from the outbox folder), waiting for delivery. */
export async function inviteLink(email: string, notThis?: string): Promise<string> {
  return mailedLink(email, 'invite', notThis);
}

/** Every delivered mail to `email`, newest first, with quoted-printable soft breaks undone. */
function outboxMails(email: string): string[] {
  const dir = process.env.GATEHOUSE_OUTBOX;
  if (!dir) throw new Error('GATEHOUSE_OUTBOX is not set (run through make e2e)');
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().reverse();
  } catch {
    // folder not created yet
  }
  return files
    .map((f) => readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '='))
    .filter((text) => text.includes(`To: ${email}`));
}

/** Waits up to 15 s for `find` to answer something from the mails to `email`. */
async function waitForMail<T>(email: string, what: string, find: (mails: string[]) => T | undefined): Promise<T> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const found = find(outboxMails(email));
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${what} mail for ${email}`);
}

/** The newest `/<kind>/<token>` link mailed to `email`, waiting for delivery. */
export async function mailedLink(email: string, kind: string, notThis?: string): Promise<string> {
  return waitForMail(email, kind, (mails) => {
    const newest = mails.find((text) => text.includes(`/${kind}/`));
    const m = newest?.match(new RegExp(`https?://[^\\s"<>]+/${kind}/[A-Za-z0-9_-]+`));
    if (!m || m[0] === notThis) return undefined;
    return m[0];
  });
}

export async function signOut(page: Page, email: string) {
  await page.getByRole('button', { name: `Account menu for ${email}` }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/[\s=-]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code an authenticator app shows for `secret`, `offset` steps from now. */
export function totp(secret: string, offset = 0): string {
  const step = Math.floor(Date.now() / 30_000) + offset;
  const counter = Buffer.alloc(8);
  counter.writeBigInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0x0f;
  const n = (((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1_000_000;
  return n.toString().padStart(6, '0');
}

/** The Users table's row of `email` (its Person cell shows the name above the email). */
export function memberRow(page: Page, email: string) {
  return page.getByRole('row').filter({ has: page.getByText(email, { exact: true }) });
}

/** Whether the running project emulates a touch screen (the 'mobile' project). */
function touchProject(): boolean {
  try {
    return !!test.info().project.use.hasTouch;
  } catch {
    return false; // outside a test
  }
}

/** A tap on a touch screen (the 'mobile' project), a click elsewhere. */
export async function press(target: Locator) {
  if (touchProject()) await target.tap();
  else await target.click();
}

/**
 * Opens the one actions menu of a row (`subject`: the member's email, the role
 * template's name) and answers the menu. A menu that is already open stays open.
 */
export async function openRowMenu(page: Page, subject: string): Promise<Locator> {
  const button = page.getByRole('button', { name: `Actions for ${subject}`, exact: true });
  const menu = page.getByRole('menu', { name: `Actions for ${subject}`, exact: true });
  if (!(await menu.isVisible())) await press(button);
  await expect(menu).toBeVisible();
  return menu;
}

/** Closes the row's actions menu if it is open (a click on its button, as a person would). */
export async function closeRowMenu(page: Page, subject: string) {
  const menu = page.getByRole('menu', { name: `Actions for ${subject}`, exact: true });
  if (await menu.isVisible()) await press(page.getByRole('button', { name: `Actions for ${subject}`, exact: true }));
  await expect(menu).toBeHidden();
}

/** Opens the row's actions menu and chooses `item` ("Edit", "Delete user", "Activity", …). */
export async function rowAction(page: Page, subject: string, item: string) {
  const menu = await openRowMenu(page, subject);
  await press(menu.getByRole('menuitem', { name: item, exact: true }));
}

/**
 * A link of the Settings navigation, reachable: on a narrow screen (720 px or less)
 * the navigation is folded into its "Menu", which is opened first.
 */
export async function settingsLink(page: Page, name: string | RegExp): Promise<Locator> {
  const nav = page.getByRole('navigation', { name: 'Settings' });
  if ((page.viewportSize()?.width ?? 1280) <= 720) {
    const menu = nav.locator('details.nav-menu');
    if (!(await menu.evaluate((d) => (d as HTMLDetailsElement).open))) await press(menu.locator('summary').first());
  }
  const link = nav.getByRole('link', { name });
  await expect(link).toBeVisible();
  return link;
}

/** Accepts an invitation as a new person in a browser of their own (hydrated). */
export async function acceptInFreshContext(browser: Browser, link: string, name: string, password: string) {
  const context = await browser.newContext({ javaScriptEnabled: true });
  const page = await context.newPage();
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Choose a password').fill(password);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(page).toHaveURL(/\/$/);
  return { context, page };
}

/** Invites `email` as a plain user from the Users page (hydrated first). */
export async function inviteMember(page: Page, email: string) {
  await page.goto('/settings/users');
  await hydrated(page);
  await page.getByRole('button', { name: 'Invite user' }).click();
  const invite = page.getByRole('dialog', { name: 'Invite user' });
  await invite.getByLabel('Email').fill(email);
  await invite.getByRole('button', { name: 'Send invite' }).click();
  await expect(invite).toBeHidden();
}

/** Creates a group on Settings → Groups and answers its card. */
export async function createGroup(page: Page, name: string) {
  await page.goto('/settings/groups');
  await hydrated(page);
  await page.getByLabel('New group name').fill(name);
  await page.getByRole('button', { name: 'New group' }).click();
  const card = page.getByTestId(`group-${name}`);
  await expect(card).toBeVisible();
  return card;
}

/** Creates a role template granting `permissions` ([category group, action label]). */
export async function createTemplate(page: Page, name: string, permissions: [string, string][]) {
  await page.goto('/settings/role-templates');
  await hydrated(page);
  await page.getByRole('button', { name: 'New template' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New template' });
  await dialog.getByLabel('Name').fill(name);
  for (const [group, action] of permissions) {
    await dialog.getByRole('group', { name: group }).getByLabel(action).check();
  }
  await dialog.getByRole('button', { name: 'Save template' }).click();
  await expect(dialog).toBeHidden();
}

/** Makes every invitation of `email` expired, straight in the e2e database. */
export function expireInvitations(email: string) {
  const url = process.env.DATABASE_URL ?? '';
  const update =
    'update invitations set expires_at = 0 where membership_id in (select m.id from memberships m join accounts a on a.id = m.account_id where a.email = ';
  if (url.startsWith('postgres')) {
    // The replicas' run (make e2e-replicas) is on PostgreSQL.
    execFileSync('psql', [url, '-qc', `${update}'${email.replace(/'/g, "''")}')`]);
    return;
  }
  const file = url.replace(/^sqlite:\/\//, '').split('?')[0];
  const script = [
    'import sqlite3, sys',
    'c = sqlite3.connect(sys.argv[1])',
    `c.execute("${update}?)", (sys.argv[2],))`,
    'c.commit()',
  ].join('\n');
  execFileSync('python3', ['-c', script, file, email]);
}

/** Waits for a delivered mail to `email` whose text contains `text`, and answers it. */
export async function mailContaining(email: string, text: string): Promise<string> {
  return waitForMail(email, `"${text}"`, (mails) => mails.find((m) => m.includes(text)));
}

/** A new tenant with its admin signed in, and `members` invited (and joined, unless `pending`). */
export async function tenantWith(page: Page, browser: Browser, prefix: string, joined: string[], pending: string[] = []) {
  const tenant = unique(prefix);
  const owner = `${unique(`${prefix.toLowerCase()}-owner`)}@example.com`;
  createAdmin(tenant, owner);
  await signIn(page, owner, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  for (const email of joined) {
    await inviteMember(page, email);
    const j = await acceptInFreshContext(browser, await inviteLink(email), 'Pat Person', 'pat person passphrase');
    await j.context.close();
  }
  for (const email of pending) await inviteMember(page, email);
  return { tenant, owner };
}

/** Switches to `tenant`, or to its sandbox, with the tenant switcher (the page reloads). */
export async function switchTenant(page: Page, tenant: string, sandbox: boolean) {
  const name = sandbox ? `${tenant} Sandbox` : `${tenant}(?! Sandbox)`;
  await page.getByRole('button', { name: /Current tenant:/ }).click();
  await page.getByRole('button', { name: new RegExp(sandbox ? name : `^${name}`) }).click();
  await expect(page.getByRole('button', { name: new RegExp(`Current tenant: ${name}`) })).toBeVisible();
  await hydrated(page);
}

/** On the Tenant page, creates the sandbox of production tenant `tenant` and switches into it. */
export async function createSandboxAndSwitch(page: Page, tenant: string) {
  await page.goto('/settings/tenant');
  await hydrated(page);
  await page.getByRole('button', { name: 'Create sandbox' }).click();
  await expect(page.locator('section', { has: page.locator('#pair-title') })).toContainText(`Its sandbox is ${tenant} Sandbox`);
  await hydrated(page);
  await switchTenant(page, tenant, true);
}
