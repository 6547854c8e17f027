// The owner adds a staff member and offboards one, through the pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('the owner adds a staff member and disables another', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.click('text=Staff accounts');
  await screenshot(page, 'staff-accounts');
  assert.deepEqual(await seriousViolations(page), []);
  await page.click('text=Add a person');
  assert.deepEqual(await seriousViolations(page), []);
  await page.fill('#display_name', 'Sam Newhire');
  await page.fill('#username', 'sam');
  await page.click('text=Or type a first password for them');
  await page.fill('#password', 'sunflowers by the window');
  await page.check('input[name=role][value=front_desk]');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Add and invite")')]);
  assert.match(await page.textContent('main'), /Account created/);
  assert.match(await page.textContent('h1'), /Sam Newhire/);
  await screenshot(page, 'staff-added');

  await page.goto(server.url + '/admin/users');
  await page.click('text=Nora Nurse');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Disable account")')]);
  assert.match(await page.textContent('main'), /Account disabled/);
  assert.match(await page.textContent('main'), /Disabled/);
  await screenshot(page, 'staff-offboarded');
});
