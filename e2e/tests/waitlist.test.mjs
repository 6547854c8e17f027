// The waitlist per service (issue 26): a patient put on a service's waitlist (picked by name,
// a note with CRLF line breaks), an appointment of that service cancelled, the freed time
// offered to them, booked in one click. axe at 1280 and 390 px, no sideways scroll on a phone.
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

async function noSidewaysScroll(page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll on a phone (${wide}px)`);
}

test('a cancelled time is offered to the first on the waitlist and booked in one click', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.goto(server.url + '/calendar/setup');
  await page.fill('#name', 'Peel');
  await page.fill('#minutes', '30');
  await Promise.all([page.waitForNavigation(), page.click('#service-form button')]);

  // Jonah books Monday 9:00 AM.
  const day = nextMonday();
  await page.goto(server.url + '/calendar?day=' + day);
  await Promise.all([page.waitForNavigation(), page.locator('a.cal-free[href*="T09:00"]').first().click()]);
  await page.fill('#patient_find', 'Marchetti');
  await page.locator('.pick-results button.pick', { hasText: 'Marchetti, Jonah' }).click();
  await page.selectOption('#service', { label: 'Peel (30 min)' });
  await Promise.all([page.waitForNavigation(), page.click('#book-form button[type=submit]')]);
  await Promise.all([page.waitForNavigation(), page.click('#book-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /Booked\./);

  // Fatima on the Peel waitlist, Mondays, mornings; a mistake first (half the hours), kept.
  await Promise.all([page.waitForNavigation(), page.click('a[href="/calendar/waitlist"]')]);
  await page.fill('#patient_find', 'Pemberton');
  await page.locator('.pick-results button.pick').first().click();
  await page.selectOption('#service', { label: 'Peel (30 min)' });
  await page.check('input[name=day][value=mon]');
  await page.fill('#from', '8:00 AM');
  await page.fill('#note', 'Prefers a call\r\nafter 8 AM');
  await Promise.all([page.waitForNavigation(), page.click('#wait-form button[type=submit]')]);
  assert.match(await page.textContent('#from-error'), /both ends of the preferred hours/);
  assert.equal(await page.inputValue('#from'), '8:00 AM');
  assert.match(await page.inputValue('#note'), /Prefers a call\r?\nafter 8 AM/);
  assert.ok(await page.isChecked('input[name=day][value=mon]'));
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'waitlist-refused');
  await page.fill('#until', '12:00 PM');
  await Promise.all([page.waitForNavigation(), page.click('#wait-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /Added to the waitlist\./);
  assert.match(await page.textContent('main'), /Pemberton.*Mon, 8:00 AM to 12:00 PM/s);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'waitlist');
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'waitlist-phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Jonah cancels: the freed time is offered to Fatima.
  await page.goto(server.url + '/calendar?day=' + day);
  await Promise.all([page.waitForNavigation(), page.locator('a.cal-card', { hasText: 'Marchetti' }).first().click()]);
  await page.fill('#cancel_reason', 'Called to cancel');
  await Promise.all([page.waitForNavigation(), page.click('#cancel-form button')]);
  assert.match(await page.textContent('main'), /Someone on the waitlist fits the freed time\./);
  assert.match(await page.textContent('#waitlist-offer'), /Peel, \d\d\/\d\d\/\d{4} 9:00 AM is free/);
  assert.doesNotMatch(page.url(), /Pemberton|Marchetti/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'waitlist-offer');
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'waitlist-offer-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await Promise.all([page.waitForNavigation(), page.click('#waitlist-offer button')]);
  assert.match(await page.textContent('main'), /Booked\./);
  assert.match(await page.textContent('.cal-grid'), /9:00 AM to 9:30 AM\s*Fatima Pemberton\s*Peel/);
  await page.goto(server.url + '/calendar/waitlist');
  assert.doesNotMatch(await page.textContent('main'), /Pemberton/);
});
