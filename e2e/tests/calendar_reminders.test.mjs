// Reminders in the browser (issue 26): the owner reads what turning on the service in
// reminders means and turns it on; the front desk opens a patient's reminders from an
// appointment and records, then lifts, an opt-out of texts. axe at 1280 and 390 px, no
// sideways scroll on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

function nextMonday() {
  const d = new Date();
  d.setDate(d.getDate() + ((8 - d.getDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
}

async function bothSizes(page, name) {
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll on a phone (${wide}px)`);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, name + '-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the owner decides what reminders say', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/calendar/setup#reminders');
  const section = page.locator('#reminders');
  assert.match(await section.textContent(), /164\.502\(b\)/);
  const box = section.locator('input[name=names_service]');
  assert.equal(await box.isChecked(), false, 'off by default');
  await box.check();
  await Promise.all([page.waitForNavigation(), section.locator('button').click()]);
  assert.match(await page.textContent('main'), /Saved: reminders now name the service\./);
  assert.equal(await page.locator('#reminders input[name=names_service]').isChecked(), true);
  await bothSizes(page, 'calendar-setup-reminders');
  await page.locator('#reminders input[name=names_service]').uncheck();
  await Promise.all([page.waitForNavigation(), page.locator('#reminders button').click()]);
  assert.match(await page.textContent('main'), /only the clinic, the day and time, and a link/);
});

test('the front desk records an opt-out of texts and lifts it', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.goto(server.url + '/calendar/setup');
  await page.fill('#name', 'Consult');
  await page.fill('#minutes', '30');
  await Promise.all([page.waitForNavigation(), page.click('#service-form button')]);
  await page.goto(server.url + '/calendar?day=' + nextMonday());
  await Promise.all([page.waitForNavigation(), page.locator('a.cal-free[href*="T10:00"]').first().click()]);
  await page.fill('#patient_find', 'Marchetti');
  await page.locator('.pick-results button.pick', { hasText: 'Marchetti, Jonah' }).click();
  await page.selectOption('#service', { label: 'Consult (30 min)' });
  await Promise.all([page.waitForNavigation(), page.click('#book-form button[type=submit]')]);
  await Promise.all([page.waitForNavigation(), page.click('#book-form button[type=submit]')]);
  await Promise.all([page.waitForNavigation(), page.locator('a.cal-card', { hasText: 'Marchetti' }).first().click()]);
  await Promise.all([page.waitForNavigation(), page.click('text=Reminders and text messages')]);
  assert.match(await page.textContent('h1'), /Reminders: Jonah Marchetti/);
  assert.match(await page.textContent('main'), /No reminders yet/);
  await Promise.all([page.waitForNavigation(), page.click('text=The patient asked for no more texts')]);
  assert.match(await page.textContent('main'), /Recorded: no more text messages to this patient\./);
  assert.match(await page.textContent('#texts'), /Opted out of text messages on \d\d\/\d\d\/\d{4} at \d{1,2}:\d\d [AP]M [A-Z]{2,5}, as recorded by staff\./);
  assert.ok(!page.url().includes('Marchetti'), 'no name in the address');
  await bothSizes(page, 'calendar-reminders');
  await Promise.all([page.waitForNavigation(), page.click('text=The patient asked for texts again')]);
  assert.match(await page.textContent('main'), /Recorded: text messages to this patient may resume\./);
});
