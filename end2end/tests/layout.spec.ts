import AxeBuilder from '@axe-core/playwright';
import { BrowserContext, BrowserContextOptions, expect, Page, test } from '@playwright/test';
import {
  acceptInFreshContext,
  closeRowMenu,
  createAdmin,
  createGroup,
  createTemplate,
  hydrated,
  inviteLink,
  inviteMember,
  mailedLink,
  openRowMenu,
  PASSWORD,
  signIn,
  unique,
} from './helpers';

// Every page on a desktop window and on a phone, in light and in dark: nothing may
// make the page scroll sideways, and axe finds no serious or critical WCAG 2.1 A/AA
// problem. Runs in the 'hydrated' project only (the others' grep leave @a11y out);
// each test makes its own windows.

type Combination = { name: string; options: BrowserContextOptions; width: number };

const DESKTOP = { viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const COMBINATIONS: Combination[] = [
  { name: 'desktop, light', options: { ...DESKTOP, colorScheme: 'light' }, width: 1280 },
  { name: 'desktop, dark', options: { ...DESKTOP, colorScheme: 'dark' }, width: 1280 },
  { name: 'phone, light', options: { ...PHONE, colorScheme: 'light' }, width: 390 },
  { name: 'phone, dark', options: { ...PHONE, colorScheme: 'dark' }, width: 390 },
];

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** What the browser said, printed by `hydrated` when a page never hydrates. */
function listen(page: Page) {
  const logs: string[] = [];
  (page as any).__logs = logs;
  page.on('console', (m) => logs.push(m.type() + ': ' + m.text().slice(0, 400)));
  page.on('pageerror', (e) => logs.push('pageerror: ' + e.message.slice(0, 400)));
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n').find((l) => l.trim()) ?? String(e);
}

/** Waits for sections still loading, running transitions (a dialog fading in) and fonts. */
async function settle(page: Page) {
  await page
    .locator('.skeleton, .loading')
    .first()
    .waitFor({ state: 'detached', timeout: 5_000 })
    .catch(() => undefined); // still loading: measured as it is
  await page.evaluate(async () => {
    await document.fonts.ready;
    const finite = document
      .getAnimations()
      .filter((a) => Number.isFinite(Number(a.effect?.getComputedTiming().endTime ?? Infinity)));
    // A paused animation never finishes: wait two seconds at most.
    const done = Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
    await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
  });
}

/** The page is no wider than the window; else the elements sticking out furthest. */
async function overflow(page: Page, width: number): Promise<string | null> {
  return page.evaluate((configured) => {
    const limit = Math.min(window.innerWidth, configured);
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth <= limit) return null;
    // An element inside a box that scrolls or clips (a table in its scroller) doesn't
    // widen the page: leave those out.
    const clipped = (el: Element) => {
      for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= limit + 1) return true;
      }
      return false;
    };
    const found: { right: number; what: string }[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.right <= limit + 1) continue;
      if (getComputedStyle(el).position === 'fixed' || clipped(el)) continue;
      const id = el.id ? `#${el.id}` : '';
      const classes = el.classList.length ? `.${Array.from(el.classList).join('.')}` : '';
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
      found.push({ right: r.right, what: `<${el.tagName.toLowerCase()}${id}${classes}> "${text}" (right edge at ${Math.round(r.right)} px)` });
    }
    found.sort((a, b) => b.right - a.right);
    const widest = found.slice(0, 3).map((f) => f.what);
    return `the page is ${scrollWidth} px wide in a ${limit} px window; sticking out: ${widest.join('; ') || '(no single element found)'}`;
  }, width);
}

/** Both checks on the page as it is now; each problem is added to `problems`. */
async function check(page: Page, where: string, width: number, problems: string[]) {
  try {
    await settle(page);
    const wide = await overflow(page, width);
    if (wide) problems.push(`${where}: ${wide}`);
  } catch (e) {
    problems.push(`${where}: could not measure the width: ${firstLine(e)}`);
  }
  try {
    const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
    for (const v of results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
      const targets = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
      problems.push(`${where}: axe ${v.id} (${v.impact}): ${v.help} [${v.nodes.length} element(s): ${targets}]`);
    }
  } catch (e) {
    problems.push(`${where}: axe did not run: ${firstLine(e)}`);
  }
}

/** Opens `path` and waits for hydration. False (and a problem) when the page never got there. */
async function open(page: Page, path: string, where: string, problems: string[]): Promise<boolean> {
  try {
    const response = await page.goto(path);
    const status = response?.status() ?? 0;
    if (status >= 400) problems.push(`${where}: answered HTTP ${status}`);
    const wanted = new URL(path, 'http://x').pathname;
    const landed = new URL(page.url()).pathname;
    if (landed !== wanted) {
      problems.push(`${where}: landed on ${landed} instead (signed out?)`);
      return false;
    }
    await hydrated(page);
  } catch (e) {
    problems.push(`${where}: did not load and hydrate: ${firstLine(e)}`);
    return false;
  }
  return true;
}

/** Opens `path`, waits for hydration and checks the page. */
async function visit(page: Page, path: string, where: string, width: number, problems: string[]) {
  if (await open(page, path, where, problems)) await check(page, where, width, problems);
}

test.describe('every page fits a phone and a desktop, light and dark, and passes axe @a11y', () => {
  // A missing button fails its step (and the run goes on to the next page) instead
  // of waiting for the test's whole timeout.
  test.use({ actionTimeout: 15_000, navigationTimeout: 30_000 });

  let baseURL: string | undefined;
  let admin = '';
  let member = '';
  let storage: Awaited<ReturnType<BrowserContext['storageState']>>;
  const signedOut: { path: string; label: string }[] = [];
  const signedIn: { path: string; label: string }[] = [];

  test.beforeAll(async ({ browser }, testInfo) => {
    testInfo.setTimeout(240_000);
    baseURL = testInfo.project.use.baseURL ?? process.env.BASE_URL;
    const tenant = unique('Layoutco');
    admin = `${unique('layout-admin')}@example.com`;
    member = `${unique('layout-pat')}@example.com`;
    const pending = `${unique('layout-invited')}@example.com`;
    createAdmin(tenant, admin);

    const context = await browser.newContext({ baseURL, javaScriptEnabled: true, ...DESKTOP });
    const page = await context.newPage();
    await signIn(page, admin, PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    // A name, so the Users table shows one above the email.
    await page.goto('/account');
    await hydrated(page);
    await page.getByLabel('Display name').fill('Ada Admin');
    await page.getByRole('button', { name: 'Save name' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Your name was saved.' })).toBeVisible();

    await createTemplate(page, 'Support agent', [['Conversations', 'View']]);
    // An active person with a name, who asks for access; a pending invitation.
    await inviteMember(page, member);
    const joined = await acceptInFreshContext(browser, await inviteLink(member), 'Pat Person', 'pat layout passphrase');
    await joined.page.goto(new URL('/access?permission=analytics.view', page.url()).href);
    await hydrated(joined.page);
    const focus = joined.page.getByTestId('focus-verdict');
    await focus.getByText('Request access').click();
    await focus.getByLabel('Why do you need it? (optional)').fill('Weekly report for the board');
    await focus.getByRole('button', { name: 'Send request' }).click();
    await expect(focus).toContainText("You've asked for this");
    await joined.context.close();
    await inviteMember(page, pending);
    const invite = new URL(await inviteLink(pending)).pathname;

    const group = await createGroup(page, 'Support');
    await group.getByLabel('Add a member by email').fill(member);
    await group.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(group.locator('.chip').filter({ hasText: member })).toBeVisible();

    await page.goto('/settings/api-keys');
    await hydrated(page);
    const form = page.getByRole('form', { name: 'New API key' });
    await form.getByLabel('Name').fill('Reporting');
    await form.getByLabel('Read members').check();
    await form.getByRole('button', { name: 'Create API key' }).click();
    await expect(page.getByTestId('api-key-secret')).toBeVisible();
    await page.getByRole('button', { name: "I've copied it" }).click();

    await page.goto('/settings/access-reviews');
    await hydrated(page);
    await page.getByLabel('Who').selectOption({ label: 'Everyone' });
    await page.getByRole('button', { name: 'Start review' }).click();
    await expect(page).toHaveURL(/\/settings\/access-reviews\/review\?id=\d+/);
    const review = new URL(page.url());

    // The member's activity page, as their row's menu links to it.
    await page.goto('/settings/users');
    await hydrated(page);
    const menu = await openRowMenu(page, member);
    const activity = await menu.getByRole('menuitem', { name: 'Activity', exact: true }).getAttribute('href');
    expect(activity).toMatch(/\/settings\/users\/activity\?member=\d+/);
    storage = await context.storageState();
    await context.close();

    // A live password reset link, asked for as someone signed out would.
    const anonymous = await browser.newContext({ baseURL, javaScriptEnabled: true, ...DESKTOP });
    const asker = await anonymous.newPage();
    await asker.goto('/forgot-password');
    await hydrated(asker);
    await asker.getByLabel('Email').fill(member);
    await asker.getByRole('button', { name: 'Send reset link' }).click();
    await expect(asker.getByRole('status').filter({ hasText: 'If an account exists' })).toBeVisible();
    const reset = new URL(await mailedLink(member, 'reset')).pathname;
    await anonymous.close();

    signedOut.length = 0;
    signedOut.push(
      { path: '/sign-in', label: 'sign-in' },
      { path: '/forgot-password', label: 'forgot password' },
      { path: invite, label: 'accept an invitation (/invite/<token>)' },
      { path: reset, label: 'reset password (/reset/<token>)' },
    );
    const q = encodeURIComponent;
    signedIn.length = 0;
    signedIn.push(
      { path: '/', label: 'home' },
      { path: '/account', label: 'my account' },
      { path: '/access', label: 'my access' },
      { path: '/settings/users', label: 'users' },
      { path: activity!, label: 'activity of a member' },
      { path: '/settings/users/import', label: 'import' },
      { path: '/settings/role-templates', label: 'role templates' },
      { path: '/settings/roles', label: 'roles overview' },
      { path: '/settings/groups', label: 'groups' },
      { path: '/settings/api-keys', label: 'API keys' },
      { path: '/settings/api-keys/decisions', label: 'check decisions' },
      { path: '/settings/webhooks', label: 'webhooks' },
      { path: '/settings/webhooks/deliveries', label: 'webhook deliveries' },
      { path: '/settings/tenant', label: 'tenant' },
      { path: '/settings/feature-flags', label: 'feature flags' },
      { path: '/settings/access-reviews', label: 'access reviews' },
      { path: `${review.pathname}${review.search}`, label: 'an access review' },
      { path: '/settings/audit-log', label: 'audit log' },
      { path: '/settings/diagnostics', label: 'diagnostics' },
      { path: `/settings/diagnostics?email=${q(member)}&target=sign_in`, label: 'diagnostics with a result' },
      { path: '/settings/who-can', label: 'who can' },
      { path: `/settings/who-can?target=${q('permission:conversations.view')}`, label: 'who can with an answer' },
      { path: '/settings/access-requests', label: 'access requests' },
    );
  });

  for (const combination of COMBINATIONS) {
    test(`${combination.name}: no page scrolls sideways, and axe finds nothing serious`, async ({ browser }) => {
      test.setTimeout(360_000);
      const problems: string[] = [];
      const at = (label: string, path: string) => `[${combination.name}] ${label} (${path})`;
      const options = { ...combination.options, baseURL, javaScriptEnabled: true };
      const anonymous = await browser.newContext(options);
      const signedInContext = await browser.newContext({ ...options, storageState: storage });
      try {
        const outside = await anonymous.newPage();
        listen(outside);
        for (const { path, label } of signedOut) await visit(outside, path, at(label, path), combination.width, problems);

        const page = await signedInContext.newPage();
        listen(page);
        for (const { path, label } of signedIn) await visit(page, path, at(label, path), combination.width, problems);

        // With a row's actions menu open, then with the Invite user dialog open.
        const users = '/settings/users';
        if (await open(page, users, at('users', users), problems)) {
          try {
            await openRowMenu(page, member);
            await check(page, at('users, a row menu open', users), combination.width, problems);
            await closeRowMenu(page, member);
          } catch (e) {
            problems.push(`${at('users, a row menu', users)}: could not open it: ${firstLine(e)}`);
          }
          try {
            await page.getByRole('button', { name: 'Invite user' }).click();
            const dialog = page.getByRole('dialog', { name: 'Invite user' });
            await expect(dialog).toBeVisible();
            await check(page, at('users, the Invite user dialog open', users), combination.width, problems);
            await page.keyboard.press('Escape');
            await expect(dialog).toBeHidden();
          } catch (e) {
            problems.push(`${at('users, the Invite user dialog', users)}: could not open it: ${firstLine(e)}`);
          }
        }
      } finally {
        await anonymous.close();
        await signedInContext.close();
      }
      expect(problems.length, `${problems.length} problem(s):\n${problems.join('\n')}`).toBe(0);
    });
  }
});
