// The demo clinic keeps New York's time (clinic_time_zone): appointments typed at 2:30 PM on
// either side of the spring change stay at 2:30 PM on the schedule, and the audit log shows
// the clinic's clock with EST/EDT in US formats. (The audit log across both changes, with a
// clock the test moves, is tests/it/time_zone.rs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('the schedule and the audit log in America/New_York around a daylight-saving change', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  const chart = '/patients/4';
  // 2027's change is on Sunday March 14: Friday the 12th is EST, Monday the 15th EDT.
  for (const day of ['2027-03-12', '2027-03-15']) {
    await page.goto(server.url + chart);
    await page.click('summary:has-text("Book an appointment")');
    await page.fill('#service', 'Cleaning');
    await page.fill('#date', day);
    await page.fill('#time', '14:30');
    await page.fill('#minutes', '30');
    await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Book")')]);
    assert.match(await page.textContent('main'), /Appointment booked/);
  }
  for (const [day, shown] of [['2027-03-12', '03/12/2027'], ['2027-03-15', '03/15/2027']]) {
    await page.goto(server.url + '/schedule?date=' + day);
    assert.match(await page.textContent('h1'), new RegExp('Schedule for ' + shown));
    const row = page.locator('tr', { hasText: 'Cleaning' });
    assert.match(await row.textContent(), /2:30 PM.3:00 PM/, `${day}: 2:30 PM on the clinic's clock`);
  }
  await screenshot(page, 'schedule-after-dst');
  assert.deepEqual(await seriousViolations(page), []);
  // Cancelling asks first; "keep it" leaves it booked.
  await Promise.all([page.waitForNavigation(), page.locator('tr', { hasText: 'Cleaning' }).locator('button:has-text("Cancel")').click()]);
  assert.match(await page.textContent('h1'), /Mark this appointment cancelled\?/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'confirm-cancel');
  await Promise.all([page.waitForNavigation(), page.click('text=No, keep it as it is')]);
  assert.match(await page.locator('tr', { hasText: 'Cleaning' }).textContent(), /Booked/);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'schedule-after-dst-phone');

  const co = await signIn(browser, server, 'compliance');
  await co.goto(server.url + '/audit');
  const first = await co.locator('tbody tr td:nth-child(2)').first().textContent();
  assert.match(first, /^\d\d\/\d\d\/\d{4} \d{1,2}:\d\d (AM|PM) E[SD]T$/, first);
  await screenshot(co, 'audit-clinic-time', { fullPage: false });
  assert.deepEqual(await seriousViolations(co), []);
  await co.setViewportSize({ width: 390, height: 844 });
  await screenshot(co, 'audit-clinic-time-phone', { fullPage: false });
  // The audit log filtered by a patient chosen by name; no name reaches the address.
  await co.setViewportSize({ width: 1280, height: 800 });
  await co.goto(server.url + '/audit');
  await co.fill('#audit-patient-find', 'Marchetti');
  await co.locator('.pick-results button.pick', { hasText: 'Marchetti, Jonah' }).click();
  await Promise.all([co.waitForNavigation(), co.click('form.filters button:has-text("Show")')]);
  const url = new URL(co.url());
  assert.equal(url.searchParams.get('patient'), '4');
  assert.doesNotMatch(co.url(), /Marchetti/i, 'the name is never in the address');
  // Patients are named, each linking to their access timeline: every row names patient 4.
  const links = await co.locator('tbody tr td:nth-child(6)')
    .evaluateAll((tds) => tds.map((td) => [...td.querySelectorAll('a')].map((a) => a.getAttribute('href'))));
  assert.ok(links.length > 0 && links.every((l) => l.includes('/audit/patients/4')), JSON.stringify(links));
  assert.deepEqual(await seriousViolations(co), []);
  await screenshot(co, 'audit-patient-filter', { fullPage: false });
});
