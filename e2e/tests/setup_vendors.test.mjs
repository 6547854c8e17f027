// The set-up path's vendors step (issue 25, item 4): tick and fill the usual vendors in one
// submission; a mistake is told at its field with everything typed kept. axe at 1280 and 390
// px, no sideways scroll on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

async function narrow(page, name) {
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, `no sideways scroll (${name})`);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, name + '-390');
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the owner ticks the usual vendors, answers in words, and adds them at once', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/setup/vendors');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'setup-vendors');
  await narrow(page, 'setup-vendors');
  await page.check('input[name=card_use]');
  await page.fill('#card_name', 'Square');
  await page.check('input[name=card_answer][value=yes]');
  await page.check('input[name=cloud_use]');
  await page.fill('#cloud_name', 'Dropbox Business');
  await page.check('input[name=cloud_answer][value=yes]');
  await page.check('input[name=cloud_baa][value=signed]');
  // A mistake on purpose: a date that is not one.
  await page.fill('#cloud_signed_on', '13/45/2026');
  await page.check('input[name=ai_use]');
  await page.fill('#ai_name', 'Notetaker AI');
  await page.check('input[name=ai_answer][value=unknown]');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/setup/vendors"] button[type=submit]')]);
  assert.match(await page.textContent('#cloud_signed_on-error'), /04\/23\/2026/);
  assert.equal(await page.inputValue('#card_name'), 'Square');
  assert.equal(await page.inputValue('#ai_name'), 'Notetaker AI');
  assert.equal(await page.inputValue('#cloud_signed_on'), '13/45/2026');
  assert.ok(await page.locator('input[name=ai_answer][value=unknown]').isChecked());
  assert.match(await page.textContent('#v-card'), /section 1179/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'setup-vendors-refused');
  await narrow(page, 'setup-vendors-refused');
  await page.fill('#cloud_signed_on', '01/05/2026');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/setup/vendors"] button[type=submit]')]);
  assert.match(await page.textContent('.notice'), /3 vendors added/);
  await screenshot(page, 'setup-vendors-added', { fullPage: false });
  await page.goto(server.url + '/program/vendors');
  const text = await page.textContent('main');
  assert.match(text, /Square/);
  assert.match(text, /Notetaker AI/);
});
