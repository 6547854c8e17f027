// The chart's own forms, refused as staff meet them, keep every value typed (text on several
// lines included), say what to fix at the field, and open at the form: a new note, a
// diagnosis, a medication, an allergy, a booking and an invoice. The owner's time-zone
// setting is refused at its field the same way and then saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, screenshot, seriousViolations, refusedKeepsEverything } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('a provider\'s refused note and entries keep what was typed', async () => {
  const page = await signIn(browser, server, 'provider');
  await page.goto(server.url + '/patients/1');
  // A note over 50,000 characters is refused as a whole; its four parts come back as typed,
  // their line breaks too.
  await page.click('summary:has-text("Write a new note")').catch(() => {});
  await page.fill('#subjective', 'Cough for three weeks.\nWorse at night.');
  await page.fill('#objective', 'Clear chest.\nNo fever.');
  await page.fill('#assessment', 'Post-viral cough.');
  await page.fill('#plan', 'Honey and rest. '.repeat(3200));
  await refusedKeepsEverything(page, 'new-note', 'new-note', 'chart-note-refused');
  assert.equal(await page.inputValue('#subjective'), 'Cough for three weeks.\nWorse at night.');

  await page.click('summary:has-text("Add a diagnosis")');
  await page.fill('#dx-code', 'E11.9.9');
  await page.fill('#dx-text', 'Type 2 diabetes without complications');
  await refusedKeepsEverything(page, 'dx-form', 'dx-code', 'chart-diagnosis-refused');

  await page.click('summary:has-text("Add a medication")');
  await page.fill('#med-name', 'Metformin');
  await page.fill('#med-dose', '500 mg '.repeat(40));
  await page.fill('#med-freq', 'twice a day');
  await refusedKeepsEverything(page, 'med-form', 'med-dose', 'chart-medication-refused');

  await page.click('summary:has-text("Add an allergy")');
  await page.fill('#al-sub', 'Penicillin'.repeat(21));
  await page.fill('#al-re', 'Hives');
  await page.selectOption('#al-sev', 'severe');
  await refusedKeepsEverything(page, 'al-form', 'al-sub', 'chart-allergy-refused');
  await page.fill('#al-sub', 'Penicillin');
  await Promise.all([page.waitForNavigation(), page.click('#al-form button[type=submit]')]);
  assert.match(await page.locator('#problems').innerText(), /Penicillin/);
});

test('the front desk\'s refused booking and billing\'s refused invoice keep what was typed', async () => {
  const desk = await signIn(browser, server, 'frontdesk');
  await desk.goto(server.url + '/patients/1');
  await desk.click('summary:has-text("Book an appointment")');
  await desk.fill('#service', 'Follow-up visit for the cough, '.repeat(5));
  await desk.fill('#date', '2027-01-12');
  await desk.fill('#time', '14:30');
  await desk.fill('#minutes', '45');
  await refusedKeepsEverything(desk, 'book', 'service', 'chart-booking-refused');

  const billing = await signIn(browser, server, 'billing');
  await billing.goto(server.url + '/patients/1');
  await billing.click('summary:has-text("New invoice")');
  await billing.fill('#line-desc', 'Office visit, established patient');
  await billing.fill('#line-amount', '$125.5.0');
  await refusedKeepsEverything(billing, 'invoice-form', 'line-amount', 'chart-invoice-refused');
});

test('the owner sets the clinic\'s time zone; a refused one is said at the field', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.click('nav >> text=Clinic settings');
  assert.match(await page.locator('main').innerText(), /At the clinic it is now \d\d\/\d\d\/\d{4} \d{1,2}:\d\d [AP]M [A-Z]{3,4}/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'settings-time-zone', { fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'settings-time-zone-phone', { fullPage: false });
  await page.setViewportSize({ width: 1280, height: 800 });
  // A zone the list does not hold (an old bookmark, a tampered form) is refused at the field.
  await page.evaluate(() => {
    const o = document.createElement('option');
    o.value = 'Mars/Olympus_Mons'; o.textContent = 'Mars'; o.selected = true;
    document.getElementById('time_zone').append(o);
  });
  const [res] = await Promise.all([page.waitForNavigation(), page.click('#time-zone button[type=submit]')]);
  assert.equal(res.status(), 422);
  assert.equal(await page.getAttribute('#time_zone', 'aria-invalid'), 'true');
  assert.match(await page.locator('#time_zone-error').innerText(), /not one Carekeep knows/);
  await screenshot(page, 'settings-time-zone-refused', { fullPage: false });
  await page.selectOption('#time_zone', 'America/Chicago');
  await Promise.all([page.waitForNavigation(), page.click('#time-zone button[type=submit]')]);
  assert.match(await page.locator('main').innerText(), /Time zone saved/);
  assert.match(await page.locator('main').innerText(), /\d [AP]M C[SD]T \(America\/Chicago\)/);
  // Roles, their classes and what else they may do, in words; the why behind a disclosure.
  for (const [path, shot] of [['/admin/roles', 'roles-in-words'], ['/program', 'program-why']]) {
    await page.goto(server.url + path);
    assert.doesNotMatch(await page.locator('main').innerText(), /compliance_officer|front_desk|handle_incidents|45 CFR/);
    assert.deepEqual(await seriousViolations(page), [], path);
    await screenshot(page, shot, { fullPage: false });
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, shot + '-phone', { fullPage: false });
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

test('a refused incident report keeps its title, story and dates', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.click('nav >> text=Report an incident');
  await page.fill('#title', 'Fax sent to the wrong number '.repeat(8));
  await page.fill('#what_happened', 'Sent the visit summary to a bakery.\nThey called us back.\nThe fax was shredded.');
  await page.fill('#systems', 'Front desk fax');
  await refusedKeepsEverything(page, 'report', 'title', 'incident-report-refused');
  assert.equal(await page.inputValue('#what_happened'), 'Sent the visit summary to a bakery.\nThey called us back.\nThe fax was shredded.');
  await page.fill('#title', 'Fax sent to the wrong number');
  await Promise.all([page.waitForNavigation(), page.click('#report button[type=submit]')]);
  assert.match(await page.locator('main').innerText(), /is recorded/);
});
