// The front desk signs in with TOTP, sees its own modules, and cannot reach what it may not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('sign-in page has no serious accessibility problems', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true })).newPage();
  await page.goto(server.url + '/login');
  await screenshot(page, 'login');
  assert.deepEqual(await seriousViolations(page), []);
});

test('front desk signs in with a TOTP code and sees its home page', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  assert.equal(new URL(page.url()).pathname, '/');
  const body = await page.textContent('main');
  assert.match(body, /Frank Frontdesk/);
  assert.match(body, /Today's appointments/);
  assert.match(body, /Open the schedule/);
  assert.doesNotMatch(body, /Charts|Staff accounts|Audit log/);
  await screenshot(page, 'home-front-desk');
  assert.deepEqual(await seriousViolations(page), []);
  for (const path of ['/admin/users', '/audit', '/monitoring']) {
    const res = await page.goto(server.url + path);
    assert.equal(res.status(), 403, path);
  }
});

test('a wrong code is refused with a clear message', async () => {
  const page = await (await browser.newContext()).newPage();
  const c = server.creds.find((x) => x.username === 'frontdesk');
  await page.goto(server.url + '/login');
  await page.fill('#username', c.username);
  await page.fill('#password', c.password);
  await page.fill('#code', '000000');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.textContent('main'), /the username, password or authenticator code is not right/);
});
