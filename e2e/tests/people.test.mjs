// People acting for the patient (issue 27 item 4): the front desk adds a person involved in
// care on the chart (CRLF line breaks in the patient's words, a US date), a mistake refused at
// its field with everything kept, then answers "Someone is on the phone": the caller's name
// posted (never in the address), what they may be told in words, the check and what was shared
// recorded. axe and screenshots at 1280x800 and 390x844.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot, refusedKeepsEverything } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

async function noSidewaysScroll(page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll on a phone (${wide}px)`);
}

async function both(page, name, selector) {
  if (selector) await page.locator(selector).scrollIntoViewIfNeeded();
  assert.deepEqual(await seriousViolations(page), [], name);
  await screenshot(page, name, { fullPage: !selector });
  await page.setViewportSize({ width: 390, height: 844 });
  if (selector) await page.locator(selector).scrollIntoViewIfNeeded();
  await noSidewaysScroll(page);
  assert.deepEqual(await seriousViolations(page), [], name + ' on a phone');
  await screenshot(page, name + '-phone', { fullPage: !selector });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the front desk lists a person involved in care and answers their call', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.goto(server.url + '/patients');
  await Promise.all([page.waitForNavigation(), page.locator('a', { hasText: 'Marchetti' }).first().click()]);
  const chart = page.url();
  await page.locator('#people summary', { hasText: 'Add a person involved in care' }).click();
  await page.fill('#person-name', 'Rosa Marchetti');
  await page.fill('#person-relationship', 'sister');
  await page.fill('#person-phone', '555-20');
  await page.check('input[name=topic_appointments]');
  await page.check('input[name=topic_billing]');
  await page.fill('#person-words', 'Only about\r\nher knee surgery');
  await page.selectOption('#person-agreed', 'oral');
  await page.fill('#person-agreed-on', '11/23/2026');
  // Too few digits: refused at the phone, every value (ticks, words, date) still there.
  await refusedKeepsEverything(page, 'person-form', 'person-phone', 'people-refused');
  assert.match(await page.textContent('#person-phone-error'), /7 to 15 digits/);
  assert.ok(await page.isChecked('input[name=topic_billing]'));
  assert.equal(await page.inputValue('#person-words'), 'Only about\nher knee surgery');
  await page.fill('#person-phone', '(555) 201-7788');
  await Promise.all([page.waitForNavigation(), page.click('#person-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /Person involved in care added\./);
  const card = await page.textContent('#people');
  assert.match(card, /Rosa Marchetti · sister · \(555\) 201-7788/);
  assert.match(card, /May be told: Appointments \(dates and times\); Billing and payments\./);
  assert.match(card, /Agreed out loud on 11\/23\/2026/);
  assert.equal(await page.locator('#people .person .lines').first().innerText(), 'Only about\nher knee surgery');
  await both(page, 'people-card', '#people');

  // A representative with their document; the end date before the start is refused, kept.
  await page.locator('#people summary', { hasText: 'Add a personal representative' }).click();
  await page.fill('#rep-name', 'Paolo Marchetti');
  await page.fill('#rep-relationship', 'brother');
  await page.fill('#rep-email', 'Paolo.Marchetti@example.org');
  await page.selectOption('#rep-basis', 'health_care_poa');
  await page.fill('#rep-starts', '01/15/2026');
  await page.fill('#rep-ends', '01/14/2026');
  await page.fill('#rep-words', 'Health care decisions only\r\nwhile she is in the hospital');
  const pdf = { name: 'poa.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n') };
  await page.setInputFiles('#rep-file', pdf);
  await Promise.all([page.waitForNavigation(), page.click('#rep-form button[type=submit]')]);
  assert.match(await page.textContent('#rep-ends-error'), /end date of the document is before its start date/);
  assert.equal(await page.inputValue('#rep-name'), 'Paolo Marchetti');
  assert.equal(await page.inputValue('#rep-words'), 'Health care decisions only\nwhile she is in the hospital');
  assert.equal(await page.inputValue('#rep-basis'), 'health_care_poa');
  assert.equal(await page.inputValue('#rep-email'), 'Paolo.Marchetti@example.org');
  await both(page, 'people-representative-refused', '#rep-form');
  await page.fill('#rep-ends', '01/15/2027');
  await page.setInputFiles('#rep-file', pdf);
  await Promise.all([page.waitForNavigation(), page.click('#rep-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /Personal representative added/);
  const rep = await page.textContent('#people');
  assert.match(rep, /Health care power of attorney \(45 CFR 164\.502\(g\)\(2\)\) · from 01\/15\/2026 to 01\/15\/2027/);
  assert.match(rep, /May act for the patient\./);
  assert.match(rep, /paolo\.marchetti@example\.org/, 'the email, as kept for the portal sign-in');
  await both(page, 'people-representative', '#people ul.people-list >> nth=1');

  // Someone is on the phone.
  await Promise.all([page.waitForNavigation(), page.click('#people a[href$="/caller"]')]);
  await page.fill('#caller-name', 'rosa marchetti');
  await Promise.all([page.waitForNavigation(), page.click('#caller-form button[type=submit]')]);
  assert.doesNotMatch(page.url(), /rosa/i, 'the name is never in the address');
  const answer = await page.textContent('#answer');
  assert.match(answer, /You may tell them.*Appointments \(dates and times\).*Billing and payments/s);
  assert.match(answer, /Do not tell them.*Test results/s);
  const person = await page.getAttribute('#answer input[name=person]', 'value');
  const form = `call-${person}`;
  await page.fill(`#shared-${person}`, 'Her next visit is\r\nTuesday at 10:00 AM');
  // No check ticked: refused at the checks, the words kept.
  await refusedKeepsEverything(page, form, `checks-${person}`, 'caller-refused');
  assert.match(await page.textContent(`#checks-${person}-error`), /tick how you checked/);
  await page.check(`#${form} input[name=check_birth_date]`);
  await page.check(`#${form} input[name=check_call_back]`);
  await Promise.all([page.waitForNavigation(), page.click(`#${form} button[type=submit]`)]);
  assert.match(await page.textContent('main'), /The call is recorded/);
  const calls = await page.textContent('#calls-h + table');
  assert.match(calls, /Rosa Marchetti/);
  assert.match(calls, /Knew the patient's date of birth; Called back at the number on file/);
  assert.match(calls, /\d\d\/\d\d\/\d{4}/);
  // A caller no one listed: the screen says not to confirm anything.
  await page.fill('#caller-name', 'Bartholomew');
  await Promise.all([page.waitForNavigation(), page.click('#caller-form button[type=submit]')]);
  assert.match(await page.textContent('#answer'), /No one by that name is listed/);
  await page.fill('#caller-name', 'rosa');
  await Promise.all([page.waitForNavigation(), page.click('#caller-form button[type=submit]')]);
  await both(page, 'caller', null);
  await page.goto(chart);

  // The calendar's appointment leads to the same screen for its patient.
  await page.goto(server.url + '/calendar?view=week');
  await Promise.all([page.waitForNavigation(), page.locator('a.cal-card').first().click()]);
  const phone = page.locator('a[href$="/caller"]', { hasText: 'Someone is on the phone' });
  assert.equal(await phone.count(), 1, 'linked from the appointment');
  await both(page, 'appointment-caller-link', 'a[href$="/caller"]');
  await Promise.all([page.waitForNavigation(), phone.click()]);
  assert.match(await page.textContent('h1'), /Someone is on the phone about /);
});
