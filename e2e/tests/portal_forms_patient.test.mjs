// The patient's side of a form in Chromium (issue 28), under the portal's own
// Content-Security-Policy (no bypass: only the product's app.js runs): typing in a part and then
// following a link asks before leaving, and staying keeps what was typed; asking for more rows
// stays on the part with the typing saved and asks nothing; sending a part never asks; the sign
// step shows the answers by part with a way back; signed with a typed name. Screenshots at
// 390 and 1280 px; axe on the sign step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, seriousViolations, screenshot, adoptForms } from '../lib.mjs';
import { portalClinic } from '../portal_kit.mjs';

const TOKEN = `portal-forms-patient-e2e-${process.pid}-gateway-token`;
let server, browser, gateway, api, apiLogin, codeFor, patientId;

before(async () => {
  ({ server, gateway, api, apiLogin, codeFor } = await portalClinic(TOKEN));
  browser = await launch();
  const desk = await apiLogin('frontdesk');
  const p = await api('POST', '/api/v1/patients', desk, {
    given_name: 'Odile', family_name: 'Brennan', date_of_birth: '1980-04-23', sex: 'female',
    contact: { phone: '(555) 234-9912', email: 'ob@example.org', address: '1 Main St', preferred: 'text' },
  });
  patientId = p.id;
  const owner = await signIn(browser, server, 'owner');
  await adoptForms(owner, server, ['Current medications and allergies', 'Consent to treat', 'Medical history', 'Authorization to disclose health information']);
  await owner.context().close();
  const staff = await signIn(browser, server, 'frontdesk');
  await staff.goto(server.url + `/patients/${patientId}`);
  await staff.click('#forms summary');
  await staff.locator('#forms').getByLabel('Current medications and allergies').check();
  await staff.locator('#forms').getByLabel('Consent to treat').check();
  await staff.locator('#forms').getByLabel('Medical history').check();
  await staff.locator('#forms').getByLabel('Authorization to disclose health information').check();
  await Promise.all([staff.waitForNavigation(), staff.click('#forms button[type=submit]')]);
  await staff.context().close();
});

after(async () => { await browser?.close(); await server?.stop(); gateway?.kill('SIGTERM'); });

async function portal(context, nth) {
  const page = await context.newPage();
  await page.goto(server.url + '/portal/sign-in');
  await page.fill('#contact', '(555) 234-9912');
  await page.fill('#date_of_birth', '04/23/1980');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await page.fill('#code', await codeFor('+15552349912', nth));
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return page;
}

async function noSidewaysScroll(page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= page.viewportSize().width, `no sideways scroll (${wide}px)`);
}

test('leaving a part with unsaved typing asks first; saving never does', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await portal(context, 1);
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.type()); await d.dismiss(); });
  await page.goto(server.url + '/portal/forms');
  await page.check('#agree');
  await Promise.all([page.waitForNavigation(), page.click('#esign button[type=submit]')]);
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Start Current medications")')]);
  const part = page.url();

  // Nothing typed yet: a link leaves at once.
  await Promise.all([page.waitForNavigation(), page.click('.portal-nav a[href="/portal/notice"]')]);
  assert.deepEqual(dialogs, []);
  await page.goBack();
  assert.equal(page.url(), part);

  // Typed, then a link: the browser asks; staying keeps everything typed.
  await page.tap('#takes_medications-yes');
  await page.tap('#medications-name-1');
  await page.keyboard.type('Metformin');
  await page.fill('#medications-dose-1', '500 mg');
  await page.click('.portal-nav a[href="/portal/notice"]');
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, ['beforeunload']);
  assert.equal(page.url(), part, 'stayed on the part');
  assert.equal(await page.inputValue('#medications-name-1'), 'Metformin');
  assert.equal(await page.inputValue('#medications-dose-1'), '500 mg');
  await screenshot(page, 'portal-form-unsaved-phone');

  // More rows: saved, the same part, two more empty rows, and no question asked.
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Add two more rows")')]);
  assert.equal(dialogs.length, 1);
  assert.match(page.url(), /part=0#f-medications$/);
  assert.match(await page.textContent('h2'), /Medications/);
  assert.equal(await page.inputValue('#medications-name-1'), 'Metformin');
  assert.equal(await page.locator('input[name="medications.name"]').count(), 3);
  await noSidewaysScroll(page);
  await screenshot(page, 'portal-form-more-rows-phone');
  // Enter in a box still saves and continues (the first button of the form is "continue").
  await page.fill('#medications-name-2', 'Lisinopril');
  await page.check('#blood_thinners-no');
  await Promise.all([page.waitForNavigation(), page.press('#medications-name-2', 'Enter')]);
  assert.equal(dialogs.length, 1, 'sending a part never asks');
  assert.match(await page.textContent('h2'), /Allergies/);
  await page.check('#has_allergies-no');
  await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);

  // The sign step: the answers by part, each with a way back.
  assert.match(await page.textContent('#check'), /Check your answers/);
  const summary = await page.locator('.form-summary').allTextContents();
  assert.equal(summary.length, 2);
  assert.match(summary[0], /Medications[\s\S]*Change[\s\S]*Metformin, 500 mg\s*Lisinopril/);
  assert.match(summary[1], /Allergies[\s\S]*No/);
  await noSidewaysScroll(page);
  await screenshot(page, 'portal-form-check-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, 'portal-form-check');
  await page.setViewportSize({ width: 390, height: 844 });
  // "Change" goes back to the part with its answers.
  await Promise.all([page.waitForNavigation(), page.locator('.form-summary').first().locator('a.change').click()]);
  assert.equal(await page.inputValue('#medications-name-2'), 'Lisinopril');
  await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);
  await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);
  // A typed name, then sent: no question asked either.
  await page.tap('#typed');
  await page.keyboard.type('Odile Brennan');
  await Promise.all([page.waitForNavigation(), page.click('#sign-form button[type=submit]')]);
  assert.equal(dialogs.length, 1);
  assert.match(await page.textContent('main'), /signed and sent/);
  await context.close();
});

test('the sign step with its answers passes axe at both widths', async () => {
  // bypassCSP only to inject axe; the page's own script is the same.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await portal(context, 2);
  await page.goto(server.url + '/portal/forms');
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Start Consent to treat")')]);
  await page.fill('#f-initials', 'OB');
  await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);
  assert.match(await page.textContent('.form-summary'), /Your initials\s*OB/);
  assert.deepEqual(await seriousViolations(page), []);
  await noSidewaysScroll(page);
  await screenshot(page, 'portal-form-check-consent-phone');
  // Drawn on the pad and a name typed too: refused at the signature, both kept.
  await page.locator('#sig-pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#sig-pad').boundingBox();
  await page.mouse.move(box.x + 30, box.y + 120);
  await page.mouse.down();
  for (const [x, y] of [[80, 60], [140, 130], [200, 70], [260, 120]]) await page.mouse.move(box.x + x, box.y + y);
  await page.mouse.up();
  const drawn = await page.inputValue('#sig-drawn');
  assert.match(drawn, /^M \d+ \d+ L/);
  await page.fill('#typed', 'Odile Brennan');
  const [res] = await Promise.all([page.waitForNavigation(), page.click('#sign-form button[type=submit]')]);
  assert.equal(res.status(), 422);
  assert.match(await page.textContent('#problems'), /keep one/);
  assert.equal(await page.inputValue('#sig-drawn'), drawn);
  assert.equal(await page.getAttribute('#sig-path', 'd'), drawn);
  assert.equal(await page.inputValue('#typed'), 'Odile Brennan');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'portal-form-two-marks-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'portal-form-two-marks');
  // Cleared the pad: the typed name signs.
  await page.click('#sig-clear');
  await Promise.all([page.waitForNavigation(), page.click('#sign-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /signed and sent/);
  await context.close();
});

test('height in feet and inches, and the law one click away', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await portal(context, 3);
  await page.goto(server.url + '/portal/forms');
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Start Medical history")')]);
  assert.match(await page.textContent('#q-height'), /In inches \(66\) or in feet and inches/);
  await page.fill('#f-height', 'five six');
  await page.fill('#f-weight', '150');
  const [bad] = await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);
  assert.equal(bad.status(), 422);
  assert.match(await page.textContent('#e-height'), /Type it in inches, like 66/);
  assert.equal(await page.inputValue('#f-height'), 'five six');
  assert.equal(await page.inputValue('#f-weight'), '150');
  assert.deepEqual(await seriousViolations(page), []);
  await noSidewaysScroll(page);
  await screenshot(page, 'portal-form-height-refused-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, 'portal-form-height-refused');
  await page.fill('#f-height', '5\' 6"');
  await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);
  await Promise.all([page.waitForNavigation(), page.click('button[value=back]')]);
  assert.equal(await page.inputValue('#f-height'), '66');

  await page.goto(server.url + '/portal/forms');
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Start Authorization")')]);
  const main = await page.textContent('main');
  assert.ok(!/CFR/.test(await page.locator('form > p').allTextContents().then((t) => t.join(' '))), main);
  await page.click('details.why summary');
  assert.match(await page.textContent('details.why'), /45 CFR 164\.508\(b\)\(2\)/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'portal-form-why-we-ask');
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page);
  await screenshot(page, 'portal-form-why-we-ask-phone');
  await context.close();
});
