// The set-up path (issue 25, item 1): the owner's /setup page with its numbered path and the
// clinic's details, typed as a browser would (CRLF in the address), with a mistake on purpose
// that comes back at its field with everything typed kept; the dashboard shows the path.
// Screenshots at 1280x800 and 390x844; axe clean; no sideways scroll on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

async function noSidewaysScroll(page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the page scrolls sideways by ${wide}px`);
}

test('the owner fills the clinic details on the set-up path', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/setup');
  assert.match(await page.textContent('#path-h'), /Set-up path: \d of 9 steps done/);
  assert.equal(await page.locator('ol.steps > li').count(), 9);
  assert.deepEqual(await seriousViolations(page), []);

  await page.fill('#legal_name', 'Lakeside Medspa LLC');
  await page.fill('#address', '12 Shore Rd\r\nAustin, TX 78701');
  await page.fill('#phone', '555-0100');
  await page.fill('#website', 'lakesidemedspa.com');
  await page.fill('#privacy_contact', 'Dana Reyes, office manager');
  await page.selectOption('#time_zone', 'America/Chicago');
  await Promise.all([page.waitForNavigation(), page.click('#details button[type=submit]')]);
  assert.match(await page.textContent('#phone-error'), /10 digits/);
  assert.equal(await page.inputValue('#legal_name'), 'Lakeside Medspa LLC');
  assert.equal(await page.inputValue('#address'), '12 Shore Rd\nAustin, TX 78701');
  assert.equal(await page.inputValue('#phone'), '555-0100');
  assert.equal(await page.inputValue('#time_zone'), 'America/Chicago');
  assert.equal(new URL(page.url()).hash, '#details', 'the answer opens at the form');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'setup-refused');
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page);
  await screenshot(page, 'setup-refused-phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.fill('#phone', '(512) 555-0100');
  await Promise.all([page.waitForNavigation(), page.click('#details button[type=submit]')]);
  assert.match(await page.textContent('main'), /Clinic details saved/);
  assert.equal(await page.inputValue('#phone'), '(512) 555-0100');
  await screenshot(page, 'setup');
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page);
  await screenshot(page, 'setup-phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The notice now carries the details.
  await page.goto(server.url + '/program/npp');
  const notice = await page.inputValue('#body');
  assert.ok(!notice.includes('[['), 'no blank left in the notice: ' + notice.slice(-200));

  await page.goto(server.url + '/program');
  assert.match(await page.textContent('#path-h'), /Set-up path: \d of 9 steps done/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'dashboard-path', { fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page);
  await screenshot(page, 'dashboard-path-phone', { fullPage: false });
});
