import { defineConfig } from '@playwright/test';

// The server is started by `make e2e` (scripts/e2e.sh) on a free port with a fresh
// database, and its address is passed in BASE_URL.
const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';

const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

export default defineConfig({
  testDir: './tests',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  globalSetup: './global-setup.ts',
  use: { baseURL, launchOptions, trace: 'off' },
  projects: [
    // Every test, hydrated, on a desktop-sized window (1280×720). The @a11y spec
    // (tests/layout.spec.ts) runs only here: it makes its own desktop and phone windows.
    { name: 'hydrated', use: { javaScriptEnabled: true } },
    // Pages that must work before hydration run again with JavaScript off.
    { name: 'no-javascript', use: { javaScriptEnabled: false }, grep: /@nojs/, grepInvert: /@a11y/ },
    // The main flows again on a phone: 390 px wide, touch, the navigation folded into its Menu.
    {
      name: 'mobile',
      use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, javaScriptEnabled: true },
      grep: /@mobile/,
      grepInvert: /@a11y/,
    },
  ],
});
