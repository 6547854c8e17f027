// The calendar (issue 26) as the front desk runs the day on it: a free slot opened from the
// keyboard, the patient picked by name, the no-shows seen before booking, a double booking
// refused with the conflict named and everything typed kept, then booked with a reason (CRLF
// line breaks); the week and the rooms; a cancellation without a reason refused at its field.
// axe at 1280 and 390 px, no sideways scroll on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

// The next Monday after today: a working day for the default hours.
function nextMonday() {
  const d = new Date();
  d.setDate(d.getDate() + ((8 - d.getDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
}

async function noSidewaysScroll(page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll on a phone (${wide}px)`);
}

test('the front desk books, double-books with a reason, and cancels on the calendar', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.goto(server.url + '/calendar/setup');
  await page.fill('#room_name', 'Laser room');
  await Promise.all([page.waitForNavigation(), page.click('#room-form button')]);
  await page.fill('#name', 'Laser session');
  await page.fill('#minutes', '30');
  await page.selectOption('#room_id', { label: 'Laser room' });
  await Promise.all([page.waitForNavigation(), page.click('#service-form button')]);
  assert.match(await page.textContent('main'), /Service added\./);

  const day = nextMonday();
  await page.goto(server.url + '/calendar?day=' + day);
  assert.match(await page.textContent('h1'), /Calendar: Monday, \d\d\/\d\d\/\d{4}/);
  assert.match(await page.textContent('nav.top, header, body'), /Calendar/);
  // The first free slot at 9:00 AM, reached and opened from the keyboard.
  const slot = page.locator('a.cal-free[href*="T09:00"]').first();
  await slot.focus();
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(await page.inputValue('#start_time'), '9:00 AM');
  assert.match(await page.inputValue('#start_day'), /^\d\d\/\d\d\/\d{4}$/);
  const provider = await page.inputValue('#provider');

  await page.fill('#patient_find', 'Marchetti');
  await page.locator('.pick-results button.pick', { hasText: 'Marchetti, Jonah' }).click();
  await page.selectOption('#service', { label: 'Laser session (30 min)' });
  await Promise.all([page.waitForNavigation(), page.click('#book-form button[type=submit]')]);
  assert.match(await page.textContent('#patient-at-booking'), /Jonah Marchetti/);
  assert.match(await page.textContent('#patient-at-booking'), /missed appointment|No missed appointments/);
  assert.match(await page.textContent('#patient-at-booking'), /Reminders by (text message|email) to|No reminders: /);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'calendar-book-review');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'calendar-book-review-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await Promise.all([page.waitForNavigation(), page.click('#book-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /Booked\./);
  assert.match(await page.textContent('.cal-grid'), /9:00 AM to 9:30 AM\s*Jonah Marchetti\s*Laser session\s*Not confirmed/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'calendar-day');

  // Someone else with the same provider at 9:15: refused, the conflict named, typing kept.
  await page.goto(server.url + '/calendar/book?provider=' + provider + '&start=' + day + 'T09:00');
  await page.fill('#start_time', '9:15 AM');
  await page.fill('#patient_find', 'Pemberton');
  await page.locator('.pick-results button.pick').first().click();
  await page.selectOption('#service', { label: 'Laser session (30 min)' });
  await Promise.all([page.waitForNavigation(), page.click('#book-form button[type=submit]')]);
  await Promise.all([page.waitForNavigation(), page.click('#book-form button[type=submit]')]);
  assert.match(await page.textContent('#override_reason-error'), /The provider already has an appointment then \(\d\d\/\d\d\/\d{4} 9:00 AM to 9:30 AM\)/);
  assert.equal(await page.inputValue('#start_time'), '9:15 AM');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'calendar-book-conflict');
  await page.fill('#override_reason', 'Short check\r\nthe doctor agreed');
  await Promise.all([page.waitForNavigation(), page.click('#book-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /Booked\./);
  assert.match(await page.textContent('#summary'), /Booked\s*Confirmed\s*Not confirmed\s*No-shows\s*Cancelled\s*Monday, \d\d\/\d\d\/\d{4}\s*2\s*0\s*2\s*0\s*0/);

  // The week, and the rooms.
  await page.goto(server.url + '/calendar?day=' + day + '&view=week');
  assert.match(await page.textContent('h1'), /Week of/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'calendar-week');
  await page.goto(server.url + '/calendar?day=' + day + '&by=room');
  assert.match(await page.textContent('.cal-grid thead'), /Laser room/);
  await screenshot(page, 'calendar-rooms');

  // Cancelling without a reason is refused at the field; with one, the day shows it.
  await page.goto(server.url + '/calendar?day=' + day);
  await Promise.all([page.waitForNavigation(), page.locator('a.cal-card').first().click()]);
  // The browser's own required check stops a blank reason first; a space reaches the server.
  await page.fill('#cancel_reason', ' ');
  await Promise.all([page.waitForNavigation(), page.click('#cancel-form button')]);
  assert.match(await page.textContent('#cancel_reason-error'), /say in a few words why it is cancelled/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'calendar-appointment-refused');
  await page.fill('#cancel_reason', 'Called to cancel');
  await Promise.all([page.waitForNavigation(), page.click('#cancel-form button')]);
  assert.match(await page.textContent('main'), /Appointment cancelled\./);

  // The other appointment's confirm link, opened by the patient with no sign-in: the clinic,
  // the day and the time only.
  await Promise.all([page.waitForNavigation(), page.locator('a.cal-card', { hasText: 'Pemberton' }).first().click()]);
  await Promise.all([page.waitForNavigation(), page.click('text=Make a confirm-or-cancel link')]);
  const link = (await page.textContent('#confirm-link code')).trim();
  const patientContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const patient = await patientContext.newPage();
  await patient.goto(link);
  assert.match(await patient.textContent('main'), /Demo Family Clinic\s*Monday, \d\d\/\d\d\/\d{4} at 9:15 AM/);
  assert.doesNotMatch(await patient.textContent('body'), /Pemberton|Laser/);
  assert.deepEqual(await seriousViolations(patient), []);
  await screenshot(patient, 'calendar-link');
  await patient.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(patient);
  await screenshot(patient, 'calendar-link-phone');
  await Promise.all([patient.waitForNavigation(), patient.click('button[value=confirm]')]);
  assert.match(await patient.textContent('main'), /your appointment is confirmed/);
  await patientContext.close();
  await page.goto(server.url + '/calendar?day=' + day);
  assert.match(await page.textContent('.cal-grid'), /Fatima Pemberton\s*Laser session\s*Confirmed/);

  // A phone: the grid scrolls inside its card, never the page.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [['/calendar?day=' + day, 'calendar-day-phone'], ['/calendar?day=' + day + '&view=week', 'calendar-week-phone'], ['/calendar/book?provider=' + provider + '&start=' + day + 'T10:00', 'calendar-book-phone']]) {
    await page.goto(server.url + path);
    await noSidewaysScroll(page);
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, name);
  }
});
