import { expect, test } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { createAdmin, hydrated, inviteMember, PASSWORD, press, settingsLink, signIn, unique } from './helpers';

type Received = { headers: IncomingHttpHeaders; body: string };

/** A receiver on loopback (the e2e server allows private addresses). */
async function receiver(): Promise<{ url: string; got: Received[]; close: () => void }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => server.close() };
}

/** The Standard Webhooks signature of a delivery. */
function signature(secret: string, r: Received): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`;
  return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
}

test('a webhook endpoint receives a signed event after an invite', async ({ page }) => {
  const hook = await receiver();
  try {
    const tenant = unique('Hookco');
    const admin = `${unique('hooks')}@example.com`;
    createAdmin(tenant, admin);
    await signIn(page, admin, PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    await (await settingsLink(page, 'Webhooks')).click();
    await expect(page).toHaveURL(/\/settings\/webhooks$/);
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'No endpoints yet' })).toBeVisible();

    // Bad input: a sentence next to the field, nothing added.
    const form = page.getByRole('form', { name: 'New endpoint' });
    await form.getByLabel('URL').fill('not a url');
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.locator('#webhook-url-error')).toContainText('full URL');
    await expect(page.getByRole('heading', { name: 'No endpoints yet' })).toBeVisible();

    await form.getByLabel('URL').fill(hook.url);
    await expect(form.getByLabel(/Member invited/)).toBeChecked();
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    const secretField = page.getByTestId('webhook-secret');
    await expect(secretField).toHaveValue(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const secret = await secretField.inputValue();
    await page.getByRole('button', { name: "I've copied it" }).click();
    await expect(secretField).toBeHidden();
    await expect(page.getByTestId('webhooks')).toContainText(hook.url);

    // An invite is a member.invited event, signed with that secret.
    const invited = `${unique('ann')}@example.com`;
    await inviteMember(page, invited);
    await expect.poll(() => hook.got.length, { timeout: 15_000 }).toBeGreaterThan(0);
    const delivery = hook.got[0];
    const body = JSON.parse(delivery.body);
    expect(body.type).toBe('member.invited');
    expect(body.data.object.label).toBe(invited);
    expect(delivery.headers['webhook-id']).toMatch(/^msg_/);
    expect(delivery.headers['webhook-signature']).toBe(signature(secret, delivery));

    // The delivery log says it was delivered, with the answer.
    await page.goto('/settings/webhooks');
    await hydrated(page);
    // The endpoint card's Deliveries: in its actions menu when the card has one.
    const card = page.getByTestId('webhooks').locator('[data-testid^="webhook-"]').filter({ hasText: hook.url });
    const actions = card.getByRole('button', { name: /^Actions for / });
    if (await actions.count()) {
      await press(actions);
      await press(card.getByRole('menuitem', { name: 'Deliveries', exact: true }));
    } else {
      await card.getByRole('link', { name: 'Deliveries' }).click();
    }
    const log = page.getByTestId('deliveries');
    await expect(log.getByRole('row', { name: /member\.invited/ })).toContainText('Delivered');
    await expect(log.getByRole('row', { name: /member\.invited/ })).toContainText('204');
  } finally {
    hook.close();
  }
});

test('on a plan without webhooks the page says the plan is why', async ({ page }) => {
  const tenant = unique('Freehooks');
  const admin = `${unique('freehooks')}@example.com`;
  createAdmin(tenant, admin, 'production', 'free');
  await signIn(page, admin, PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/settings/webhooks');
  await hydrated(page);
  await expect(page.getByRole('main')).toContainText(`Webhooks isn't part of ${tenant}'s plan`);
  await expect(page.getByRole('form', { name: 'New endpoint' })).toHaveCount(0);
});
