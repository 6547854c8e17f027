// Asking for a new time in the portal (issue 27, item 3): the owner lets patients move a
// service online; the front desk books it; the patient, on a phone, asks for a new time
// (a mistake first: nothing picked), picks a free time and writes a note with a line break;
// the front desk sees "Patients asked to move" on the calendar, tries a decline without a
// reason (refused at the field), then moves it in one click; the patient sees it moved.
// axe, no sideways scroll on a phone, screenshots at 390 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, seriousViolations, screenshot } from '../lib.mjs';
import { portalClinic, checkPage } from '../portal_kit.mjs';

const TOKEN = 'portal-move-e2e-gateway-token-5551237788';
let server, browser, gateway, api, apiLogin, codeFor;

/** A Monday eight to fourteen days ahead (more than a day's notice, within three weeks). */
function mondayAhead() {
  const d = new Date(Date.now() + 8 * 86400000);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7));
  return d.toISOString().slice(0, 10);
}

before(async () => {
  const clinic = await portalClinic(TOKEN);
  ({ server, gateway, api, apiLogin, codeFor } = clinic);
  browser = await launch();
  const desk = await apiLogin('frontdesk');
  await api('POST', '/api/v1/patients', desk, {
    given_name: 'Odalys', family_name: 'Brennan', date_of_birth: '1980-04-23', sex: 'female',
    contact: { phone: '(555) 777-1234', email: 'ob@example.org', address: '2 Elm St', preferred: 'text' },
  });
});

after(async () => { await browser?.close(); await server?.stop(); gateway?.kill('SIGTERM'); });

test('a patient asks for a new time on a phone and the front desk moves it from the calendar', async () => {
  // The owner adds a service and lets patients move it online.
  const owner = await signIn(browser, server, 'owner');
  await owner.goto(server.url + '/calendar/setup');
  await owner.fill('#name', 'Skin check');
  await owner.fill('#minutes', '30');
  await Promise.all([owner.waitForNavigation(), owner.click('#service-form button')]);
  await owner.locator('#portal-moves label', { hasText: 'Skin check' }).locator('input').check();
  await Promise.all([owner.waitForNavigation(), owner.click('#portal-moves button[type=submit]')]);
  assert.match(await owner.textContent('main'), /Saved: which visits patients may ask to move online/);
  assert.ok(await owner.locator('#portal-moves label', { hasText: 'Skin check' }).locator('input').isChecked());
  assert.deepEqual(await seriousViolations(owner), []);
  await screenshot(owner, 'calendar-setup-portal-moves');
  await owner.setViewportSize({ width: 390, height: 844 });
  await owner.reload();
  assert.deepEqual(await seriousViolations(owner), []);
  await screenshot(owner, 'calendar-setup-portal-moves-phone');
  await owner.context().close();

  // The front desk books it.
  const desk = await signIn(browser, server, 'frontdesk');
  const day = mondayAhead();
  await desk.goto(server.url + '/calendar?day=' + day);
  await Promise.all([desk.waitForNavigation(), desk.locator('a.cal-free[href*="T09:00"]').first().click()]);
  await desk.fill('#patient_find', 'Brennan');
  await desk.locator('.pick-results button.pick', { hasText: 'Brennan, Odalys' }).click();
  await desk.selectOption('#service', { label: 'Skin check (30 min)' });
  await Promise.all([desk.waitForNavigation(), desk.click('#book-form button[type=submit]')]);
  await Promise.all([desk.waitForNavigation(), desk.click('#book-form button[type=submit]')]);
  assert.match(await desk.textContent('main'), /Booked\./);

  // The patient, on a phone.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(server.url + '/portal/sign-in');
  await page.fill('#contact', '(555) 777-1234');
  await page.fill('#date_of_birth', '04/23/1980');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await page.fill('#code', await codeFor('+15557771234', 1));
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.textContent('h1'), /Hello, Odalys/);
  await checkPage(page, 'portal-home-move-link-phone');
  await Promise.all([page.waitForNavigation(), page.click('text=Ask for a new time')]);
  assert.match(await page.textContent('h1'), /Ask for a new time/);
  assert.match(await page.textContent('main'), /Skin check/);
  assert.ok((await page.locator('input[name=slot]').count()) > 0, 'free times are offered');
  await checkPage(page, 'portal-move-phone');
  // Nothing picked, nothing written: refused at the times.
  await Promise.all([page.waitForNavigation(), page.click('#move-form button[type=submit]')]);
  assert.match(await page.textContent('#slot-error'), /Pick a new time, or write which days and times suit you/);
  await checkPage(page, 'portal-move-refused-phone');
  const choice = page.locator('label.slot-choice').nth(2);
  // "9:00 AM on Tuesday, 12/08/2026" (the day is said to screen readers in the label).
  const [time, dayWords] = (await choice.textContent()).replace(/\s+/g, ' ').trim().split(' on ');
  const date = dayWords.split(', ')[1];
  const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await choice.locator('input').check();
  await page.fill('#wishes', 'Any Tuesday also works\r\nafter 3 PM');
  await Promise.all([page.waitForNavigation(), page.click('#move-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /Your request for a new time is sent/);
  assert.match(await page.textContent('.portal-move'), /You asked for a new time/);
  assert.equal(await page.locator('text=Ask for a new time').count(), 0);
  await checkPage(page, 'portal-home-move-asked-phone');

  // The front desk's list on the calendar: a decline without a reason first.
  await desk.goto(server.url + '/calendar');
  assert.match(await desk.textContent('#move-requests'), /Patients asked to move \(1\)/);
  assert.match(await desk.textContent('#move-requests'), /Brennan/);
  assert.match(await desk.textContent('#move-requests'), /Any Tuesday also works\s+after 3 PM/);
  assert.match(await desk.textContent('#move-requests'), new RegExp('Picked: ' + esc(date + ' ' + time)));
  assert.deepEqual(await seriousViolations(desk), []);
  await screenshot(desk, 'calendar-move-requests');
  await Promise.all([desk.waitForNavigation(), desk.click('#move-requests button:has-text("Decline")')]);
  assert.match(await desk.textContent('#move-requests .field-error'), /the patient reads it/);
  assert.deepEqual(await seriousViolations(desk), []);
  await screenshot(desk, 'calendar-move-requests-refused');
  await desk.setViewportSize({ width: 390, height: 844 });
  const wide = await desk.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll on a phone (${wide}px)`);
  await screenshot(desk, 'calendar-move-requests-phone');
  await desk.setViewportSize({ width: 1280, height: 800 });
  await Promise.all([desk.waitForNavigation(), desk.click('#move-requests button:has-text("Move to the picked time")')]);
  assert.match(await desk.textContent('main'), /Moved as the patient asked/);
  assert.equal(await desk.locator('#move-requests').count(), 0);

  // The patient sees it moved, at the picked time.
  await page.reload();
  assert.match(await page.textContent('.portal-move'), /The clinic moved your appointment to the new time/);
  assert.match(await page.textContent('.portal-item'), new RegExp(esc(dayWords + ' at ' + time)));
  await checkPage(page, 'portal-home-moved-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.reload();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'portal-home-moved');
  await context.close();
  await desk.context().close();
});
