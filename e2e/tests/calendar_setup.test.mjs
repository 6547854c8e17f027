// The calendar's set-up (issue 26) as the front desk uses it: a room, a service typed wrong
// then right (nothing typed is lost, CRLF line breaks in the forms list), a clinician's week of
// hours and time off in US dates; axe at 1280 and 390 px, no sideways scroll on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('the front desk sets up services, rooms, hours and time off', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.goto(server.url + '/calendar/setup');
  assert.match(await page.textContent('h1'), /Calendar set-up/);

  await page.fill('#room_name', 'Exam 1');
  await Promise.all([page.waitForNavigation(), page.click('#room-form button')]);
  assert.match(await page.textContent('main'), /Room added\./);

  await page.fill('#name', 'Laser session');
  await page.fill('#minutes', 'forty');
  await page.fill('#buffer_minutes', '15');
  await page.selectOption('#room_id', { label: 'Exam 1' });
  await page.fill('#equipment', 'Laser');
  await page.fill('#forms', 'Consent to treat\r\nPhotography consent');
  await page.locator('#providers input[type=checkbox]').first().check();
  await Promise.all([page.waitForNavigation(), page.click('#service-form button')]);
  assert.match(await page.textContent('#minutes-error'), /number of minutes/);
  assert.equal(await page.inputValue('#name'), 'Laser session');
  assert.equal(await page.inputValue('#minutes'), 'forty');
  assert.equal(await page.inputValue('#forms'), 'Consent to treat\nPhotography consent');
  assert.equal(await page.locator('#providers input[type=checkbox]').first().isChecked(), true);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'calendar-setup-refused');
  await page.fill('#minutes', '45');
  await Promise.all([page.waitForNavigation(), page.click('#service-form button')]);
  assert.match(await page.textContent('main'), /Service added\./);
  assert.match(await page.textContent('#services table'), /Laser session\s*45 min\s*15 min\s*Exam 1; Laser/);

  const week = page.locator('form.hours-form').first();
  for (let d = 0; d < 5; d++) {
    await week.locator('input[name=from]').nth(d).fill('09:00');
    await week.locator('input[name=until]').nth(d).fill('17:00');
  }
  await Promise.all([page.waitForNavigation(), week.locator('button').click()]);
  assert.match(await page.textContent('main'), /Working hours saved\./);

  await page.fill('#first_day', '12/24/2026');
  await page.fill('#last_day', '12/26/2026');
  await Promise.all([page.waitForNavigation(), page.click('#time-off-form button')]);
  assert.match(await page.textContent('#time-off'), /12\/24\/2026 to 12\/26\/2026/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'calendar-setup');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll on a phone (${wide}px)`);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'calendar-setup-phone');
});
