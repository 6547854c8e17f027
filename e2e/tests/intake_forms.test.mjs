// Intake and consent forms (issue 28) in Chromium: the owner adopts built-in forms on /forms
// and says which a service asks for; the front desk sends forms from the chart; the patient
// signs in to the portal on a 390 px phone, agrees once to sign electronically, fills a form
// part by part (a required answer left out on purpose: refused at its field, everything typed
// kept, CRLF line breaks and a US date), tries to send it unsigned (refused, naming the
// signature), signs on the pad with a finger and downloads the signed US Letter PDF with its
// evidence; a provider opens the answers and the evidence. axe on every page, no sideways
// scroll on the phone, screenshots at 390 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, signIn, seriousViolations, screenshot, pdfLines, shots } from '../lib.mjs';
import { portalClinic, checkPage } from '../portal_kit.mjs';

const TOKEN = `intake-forms-e2e-${process.pid}-gateway-token`;
let server, browser, gateway, api, apiLogin, codeFor, patientId;

async function wide(page, name) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.reload();
  assert.deepEqual(await seriousViolations(page), [], name);
  await screenshot(page, name);
}

// A staff page at the phone's width: axe and a screenshot; the new forms pages also hold to
// no sideways scroll (`strict`), the older pages they extend (set-up, the chart) keep their
// own tables that scroll sideways.
async function phone(page, name, strict = true) {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  if (strict) { await checkPage(page, name); return; }
  assert.deepEqual(await seriousViolations(page), [], name);
  await screenshot(page, name);
}

function nextMonday() {
  const d = new Date();
  d.setDate(d.getDate() + ((8 - d.getDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
}

before(async () => {
  const clinic = await portalClinic(TOKEN);
  ({ server, gateway, api, apiLogin, codeFor } = clinic);
  browser = await launch();
  const desk = await apiLogin('frontdesk');
  const p = await api('POST', '/api/v1/patients', desk, {
    given_name: 'Marisol', family_name: 'Okafor', date_of_birth: '1980-04-23', sex: 'female',
    contact: { phone: '(555) 234-9876', email: 'mo@example.org', address: '1 Main St', preferred: 'text' },
  });
  patientId = p.id;
});

after(async () => { await browser?.close(); await server?.stop(); gateway?.kill('SIGTERM'); });

test('the owner adopts forms, a service names them, the front desk sends them from the chart', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/forms');
  // The demo clinic has adopted a few forms for its services; the authorization is not one.
  assert.match(await page.textContent('#builtin-h + p + ul'), /Consent to treat\s*adopted/);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Adopt Authorization to disclose health information")')]);
  assert.match(await page.textContent('main'), /Adopted/);
  await wide(page, 'forms-list');
  await phone(page, 'forms-list-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Preview Authorization")')]);
  assert.match(await page.textContent('main'), /not conditioned|will not condition/);
  await wide(page, 'forms-preview');
  await phone(page, 'forms-preview-phone');
  // Edit the consent: an empty title is refused with what was typed kept.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(server.url + '/forms');
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Edit Consent to treat")')]);
  await page.fill('#s0-text', 'First paragraph, edited.\r\n\r\nSecond paragraph.');
  await page.fill('#title', '');
  const [bad] = await Promise.all([page.waitForNavigation(), page.click('#edit-form button[value=save]')]);
  assert.equal(bad.status(), 422);
  assert.match(await page.textContent('#page-error'), /Not saved/);
  assert.match(await page.textContent('#form-error'), /title/);
  assert.equal(await page.inputValue('#s0-text'), 'First paragraph, edited.\n\nSecond paragraph.');
  await wide(page, 'forms-edit-refused');
  await phone(page, 'forms-edit-refused-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.fill('#title', 'Consent to treat');
  await Promise.all([page.waitForNavigation(), page.click('#edit-form button[value=save]')]);
  assert.match(await page.textContent('main'), /corrected/);

  // A service that asks for the medications form every visit.
  await page.goto(server.url + '/calendar/setup');
  await page.fill('#name', 'Lip filler');
  await page.fill('#minutes', '45');
  await Promise.all([page.waitForNavigation(), page.click('#service-form button[type=submit]')]);
  const details = page.locator('details[id^=service-forms-]', { has: page.locator('summary', { hasText: 'Lip filler' }) });
  await details.locator('summary').click();
  await details.getByLabel('Current medications and allergies').selectOption('every_visit');
  await Promise.all([page.waitForNavigation(), details.locator('button[type=submit]').click()]);
  assert.match(await page.textContent('main'), /Saved: the service's forms/);
  assert.match(await page.textContent('main'), /Current medications and allergies \(every visit\)/);
  await wide(page, 'calendar-setup-forms');
  await phone(page, 'calendar-setup-forms-phone', false);
  await page.context().close();

  // The front desk sends two forms from the chart; it sees their status, never answers.
  const desk = await signIn(browser, server, 'frontdesk');
  await desk.goto(server.url + `/patients/${patientId}`);
  await desk.click('#forms summary');
  await desk.locator('#forms').getByLabel('Current medications and allergies').check();
  await desk.locator('#forms').getByLabel('Authorization to disclose health information').check();
  await Promise.all([desk.waitForNavigation(), desk.click('#forms button[type=submit]')]);
  assert.match(await desk.textContent('main'), /Forms sent/);
  assert.match(await desk.textContent('#forms'), /Not started/);
  await wide(desk, 'chart-forms-sent');
  await phone(desk, 'chart-forms-sent-phone', false);
  // Booking the service makes the visit's packet; the calendar shows what is missing.
  await desk.setViewportSize({ width: 1280, height: 800 });
  const day = nextMonday();
  await desk.goto(server.url + '/calendar?day=' + day);
  await Promise.all([desk.waitForNavigation(), desk.locator('a.cal-free[href*="T09:00"]').first().click()]);
  await desk.fill('#patient_find', 'Okafor');
  await desk.locator('.pick-results button.pick', { hasText: 'Okafor, Marisol' }).click();
  await desk.selectOption('#service', { label: 'Lip filler (45 min)' });
  await Promise.all([desk.waitForNavigation(), desk.click('#book-form button[type=submit]')]);
  await Promise.all([desk.waitForNavigation(), desk.click('#book-form button[type=submit]')]);
  assert.match(await desk.textContent('main'), /Booked\./);
  assert.match(await desk.textContent('.cal-grid'), /Marisol Okafor[\s\S]*Forms missing: Current medications and allergies/);
  await wide(desk, 'calendar-forms-missing');
  await phone(desk, 'calendar-forms-missing-phone', false);
  await desk.context().close();
});

test('a patient fills and signs a form on a phone at 390 px', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(server.url + '/portal/sign-in');
  await page.fill('#contact', '(555) 234-9876');
  await page.fill('#date_of_birth', '04/23/1980');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  const code = await codeFor('+15552349876', 1);
  await page.fill('#code', code);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  // The home page points to the forms waiting.
  assert.match(await page.textContent('#forms-waiting'), /fill in \d+ forms before your visit/);
  await checkPage(page, 'portal-home-forms-phone');
  await Promise.all([page.waitForNavigation(), page.click('#forms-waiting a:has-text("Fill in your forms")')]);
  // Asked once: the E-SIGN statement before any form.
  assert.match(await page.textContent('#esign'), /right to receive these forms on paper/);
  assert.equal(await page.locator('a:has-text("Start")').count(), 0);
  await checkPage(page, 'portal-forms-esign-phone');
  await Promise.all([page.waitForNavigation(), page.click('#esign button[type=submit]')]);
  assert.match(await page.textContent('#page-error'), /Tick the box/);
  await page.check('#agree');
  await Promise.all([page.waitForNavigation(), page.click('#esign button[type=submit]')]);
  assert.match(await page.textContent('main'), /you can now fill in and sign/);
  assert.equal(await page.locator('#esign').count(), 0, 'not asked again');
  // Sent by hand, then asked by the booking: one request, reused for the visit (issue 28e).
  assert.equal(await page.locator('a:has-text("Start Current medications")').count(), 1);
  await checkPage(page, 'portal-forms-phone');

  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Start Current medications")')]);
  assert.match(await page.textContent('h2'), /Medications/);
  // The list is asked only after "yes" (the script hides it until then).
  assert.equal(await page.isVisible('#q-medications'), false);
  await page.check('#takes_medications-yes');
  assert.equal(await page.isVisible('#q-medications'), true);
  await page.fill('#medications-name-1', 'Metformin');
  await page.fill('#medications-dose-1', '500 mg');
  await page.fill('#medications-often-1', 'twice a day');
  await checkPage(page, 'portal-form-part1-phone');
  // "Blood thinners" left out on purpose: refused at the field, the medicine kept.
  const [res] = await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);
  assert.equal(res.status(), 422);
  assert.match(await page.textContent('#e-blood_thinners'), /Answer/);
  assert.equal(await page.getAttribute('#f-blood_thinners', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#medications-name-1'), 'Metformin');
  assert.equal(await page.inputValue('#medications-often-1'), 'twice a day');
  assert.equal(await page.isChecked('#takes_medications-yes'), true);
  await checkPage(page, 'portal-form-part1-refused-phone');
  await page.check('#blood_thinners-yes');
  await page.fill('#blood_thinners-detail', 'Aspirin 81 mg\r\nsince 2019');
  await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);
  assert.match(await page.textContent('h2'), /Allergies/);
  await page.check('#has_allergies-yes');
  await page.fill('#allergies-sub-1', 'Penicillin');
  await page.fill('#allergies-re-1', 'Hives');
  // Back and forth keeps everything (each part is saved as a draft).
  await Promise.all([page.waitForNavigation(), page.click('button[value=back]')]);
  assert.equal(await page.inputValue('#blood_thinners-detail'), 'Aspirin 81 mg\nsince 2019');
  await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);
  assert.equal(await page.inputValue('#allergies-sub-1'), 'Penicillin');
  await checkPage(page, 'portal-form-part2-phone');
  await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);

  // The sign step: sending unsigned is refused, naming the signature.
  assert.match(await page.textContent('main'), /By signing, I sign/);
  assert.equal(await page.isVisible('#sig-pad'), true);
  await checkPage(page, 'portal-form-sign-phone');
  const [unsigned] = await Promise.all([page.waitForNavigation(), page.click('#sign-form button[type=submit]')]);
  assert.equal(unsigned.status(), 422);
  assert.match(await page.textContent('#problems'), /Sign .*Signature of the patient/);
  await checkPage(page, 'portal-form-sign-refused-phone');
  // Drawn with a finger on the pad.
  // A finger on the touch screen (Chrome's own touch events, as a phone sends them).
  await page.locator('#sig-pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#sig-pad').boundingBox();
  const cdp = await context.newCDPSession(page);
  const at = (fx, fy) => [{ x: Math.round(box.x + box.width * fx), y: Math.round(box.y + box.height * fy) }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0.08, 0.7) });
  for (const [fx, fy] of [[0.15, 0.5], [0.2, 0.3], [0.28, 0.55], [0.35, 0.75], [0.42, 0.5], [0.5, 0.25], [0.58, 0.5], [0.65, 0.7], [0.72, 0.5], [0.8, 0.35]]) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(fx, fy) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  assert.match(await page.inputValue('#sig-drawn'), /^M \d+ \d+ L/);
  await screenshot(page, 'portal-form-signed-pad-phone');
  await Promise.all([page.waitForNavigation(), page.click('#sign-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /signed and sent/);
  await checkPage(page, 'portal-forms-done-phone');
  // The signed copy: a US Letter PDF with the evidence.
  const href = await page.getAttribute('a:has-text("Download the signed copy")', 'href');
  const pdf = await page.evaluate(async (h) => Array.from(new Uint8Array(await (await fetch(h)).arrayBuffer())), href);
  const bytes = Buffer.from(pdf);
  writeFileSync(join(shots, 'signed-form.pdf'), bytes);
  assert.match(bytes.toString('latin1'), /MediaBox\s*\[\s*0 0 612(\.\d+)? 792(\.\d+)?\s*\]/);
  const lines = pdfLines(bytes).join('\n');
  for (const want of [/Metformin, 500 mg, twice a day/, /Penicillin \(Hives\)/, /Signed by: Marisol Okafor, the patient/,
    /Signed on: \d\d\/\d\d\/\d{4} at \d{1,2}:\d\d [AP]M/, /Device \(browser\): Mozilla/, /Internet address: 127\.0\.0\.1/,
    /Answers SHA-256: [0-9a-f]{64}/, /answers above match the answers signed/]) {
    assert.match(lines, want);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.reload();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'portal-forms-done');
  await context.close();

  // The provider opens the answers and the evidence from the chart.
  const doc = await signIn(browser, server, 'provider');
  await doc.goto(server.url + `/patients/${patientId}`);
  assert.match(await doc.textContent('#forms'), /Signed and submitted/);
  await Promise.all([doc.waitForNavigation(), doc.click('#forms a:has-text("open")')]);
  assert.match(await doc.textContent('main'), /Aspirin 81 mg\nsince 2019/);
  assert.match(await doc.textContent('main'), /The answers above match the answers signed/);
  assert.equal(await doc.locator('svg.sig-shown title').count(), 1);
  await wide(doc, 'form-response');
  await phone(doc, 'form-response-phone');
  await doc.context().close();
});
