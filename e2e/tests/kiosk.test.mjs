// The clinic tablet in kiosk mode (issue 28, item 3) in Chromium: the owner adopts the consent
// to treat and a service that asks for it; the front desk books the visit, checks the patient
// in, presses "Fill on the clinic tablet" and reads the code. On a tablet (820x1180) the
// patient types a wrong code (refused at the field, kept), then the right one, agrees once to
// sign electronically, fills the part with a mistake on purpose (refused at its field, typing
// kept) and hands the tablet back; a new code on a phone-sized screen (390x844) finds the draft
// kept, the patient signs on the pad with a finger, and the thanks page shows nothing of them.
// The provider sees the evidence: the clinic's tablet. axe on every page, screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, seriousViolations, screenshot, adoptForms } from '../lib.mjs';
import { portalClinic } from '../portal_kit.mjs';

const TOKEN = `kiosk-e2e-${process.pid}-gateway-token`;
let server, browser, gateway, api, apiLogin, patientId, visitId, deskToken;

function nextMonday() {
  const d = new Date();
  d.setDate(d.getDate() + ((8 - d.getDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
}

async function look(page, name, width) {
  assert.deepEqual(await seriousViolations(page), [], name);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= width, `no sideways scroll (${name}: ${wide}px)`);
  await screenshot(page, name);
}

before(async () => {
  const clinic = await portalClinic(TOKEN);
  ({ server, gateway, api, apiLogin } = clinic);
  browser = await launch();
  const desk = await apiLogin('frontdesk');
  deskToken = desk;
  const p = await api('POST', '/api/v1/patients', desk, {
    given_name: 'Marisol', family_name: 'Okafor', date_of_birth: '1980-04-23', sex: 'female',
    contact: { phone: '(555) 234-9876', email: 'mo@example.org', address: '1 Main St', preferred: 'text' },
  });
  patientId = p.id;
});

after(async () => { await browser?.close(); await server?.stop(); gateway?.kill('SIGTERM'); });

async function code(desk, name) {
  await desk.goto(server.url + `/calendar/appointments/${visitId}`);
  await Promise.all([desk.waitForNavigation(), desk.click('#tablet-form button[type=submit]')]);
  const text = await desk.textContent('#kiosk-code');
  const m = text.match(/(\d{3}) (\d{3})/);
  assert.ok(m, text);
  if (name) {
    assert.deepEqual(await seriousViolations(desk), [], name);
    await screenshot(desk, name);
    // The page answered the POST: resized, not reloaded (a reload would make another code).
    await desk.setViewportSize({ width: 390, height: 844 });
    assert.deepEqual(await seriousViolations(desk), [], name + '-phone');
    await screenshot(desk, name + '-phone');
    await desk.setViewportSize({ width: 1280, height: 800 });
  }
  return m[1] + m[2];
}

test('a packet is filled on the clinic tablet', async () => {
  const owner = await signIn(browser, server, 'owner');
  await adoptForms(owner, server, ['Consent to treat']);
  await owner.goto(server.url + '/calendar/setup');
  await owner.fill('#name', 'Consult');
  await owner.fill('#minutes', '30');
  await Promise.all([owner.waitForNavigation(), owner.click('#service-form button[type=submit]')]);
  const details = owner.locator('details[id^=service-forms-]', { has: owner.locator('summary', { hasText: 'Consult' }) });
  await details.locator('summary').click();
  await details.getByLabel('Consent to treat').selectOption('every_visit');
  await Promise.all([owner.waitForNavigation(), details.locator('button[type=submit]').click()]);
  await owner.context().close();

  const desk = await signIn(browser, server, 'frontdesk');
  await desk.goto(server.url + '/calendar?day=' + nextMonday());
  await Promise.all([desk.waitForNavigation(), desk.locator('a.cal-free[href*="T09:00"]').first().click()]);
  await desk.fill('#patient_find', 'Okafor');
  await desk.locator('.pick-results button.pick', { hasText: 'Okafor, Marisol' }).click();
  await desk.selectOption('#service', { label: 'Consult (30 min)' });
  await Promise.all([desk.waitForNavigation(), desk.click('#book-form button[type=submit]')]);
  await Promise.all([desk.waitForNavigation(), desk.click('#book-form button[type=submit]')]);
  const href = await desk.locator('a.cal-card', { hasText: 'Marisol Okafor' }).first().getAttribute('href');
  visitId = Number(href.split('/').pop());
  // Not checked in yet: the page says when the tablet can be used.
  await desk.goto(server.url + `/calendar/appointments/${visitId}`);
  assert.match(await desk.textContent('main'), /Once the patient is checked in/);
  await api('POST', `/api/v1/appointments/${visitId}/status`, await apiLogin('frontdesk'), { status: 'checked_in' });
  const first = await code(desk, 'kiosk-staff-code');
  assert.match(await desk.textContent('main'), /shown only this once/);

  // The tablet, 820x1180.
  const tabletCtx = await browser.newContext({ viewport: { width: 820, height: 1180 }, bypassCSP: true, hasTouch: true });
  const tablet = await tabletCtx.newPage();
  await tablet.goto(server.url + '/kiosk');
  assert.equal(await tablet.locator('header nav, nav.portal-nav').count(), 0, 'no menu');
  await look(tablet, 'kiosk-code-tablet', 820);
  const wrong = String((Number(first) + 1) % 1000000).padStart(6, '0');
  await tablet.fill('#code', wrong);
  const [bad] = await Promise.all([tablet.waitForNavigation(), tablet.click('#code-form button[type=submit]')]);
  assert.equal(bad.status(), 422);
  assert.match(await tablet.textContent('#code-form'), /That code is not right/);
  assert.equal(await tablet.inputValue('#code'), wrong);
  await look(tablet, 'kiosk-code-wrong-tablet', 820);
  await tablet.fill('#code', first);
  await Promise.all([tablet.waitForNavigation(), tablet.click('#code-form button[type=submit]')]);
  assert.match(await tablet.textContent('h1'), /Your forms for today's visit/);
  assert.equal(await tablet.locator('a[href^="/portal"], a[href^="/patients"], a[href="/"]').count(), 0, 'no way out');
  await look(tablet, 'kiosk-esign-tablet', 820);
  await tablet.check('#agree');
  await Promise.all([tablet.waitForNavigation(), tablet.click('#esign button[type=submit]')]);
  await Promise.all([tablet.waitForNavigation(), tablet.click('a:has-text("Start")')]);
  // A mistake on purpose: initials too long; refused at the field, kept.
  await tablet.fill('#f-initials', 'Marisol Okafor 3');
  const [refused] = await Promise.all([tablet.waitForNavigation(), tablet.click('button[value=next]')]);
  assert.equal(refused.status(), 422);
  assert.equal(await tablet.getAttribute('#f-initials', 'aria-invalid'), 'true');
  assert.equal(await tablet.inputValue('#f-initials'), 'Marisol Okafor 3');
  await look(tablet, 'kiosk-form-part-refused-tablet', 820);
  await tablet.fill('#f-initials', 'M.O.');
  await Promise.all([tablet.waitForNavigation(), tablet.click('button[value=next]')]);
  assert.match(await tablet.textContent('main'), /By signing, I sign/);
  await look(tablet, 'kiosk-form-sign-tablet', 820);
  // Handed back before signing: the session ends; the thanks page shows nothing of her.
  await tablet.goto(server.url + '/kiosk/forms');
  await Promise.all([tablet.waitForNavigation(), tablet.click('#hand-back button[type=submit]')]);
  assert.doesNotMatch(await tablet.textContent('body'), /Marisol|Okafor|Consent/);
  await tablet.goto(server.url + '/kiosk/forms');
  assert.match(tablet.url(), /\/kiosk(\?ended=1)?$/);
  await tabletCtx.close();

  // A new code on a phone-sized screen: the draft was kept; signed with a finger.
  const second = await code(desk);
  const phoneCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true, isMobile: true, hasTouch: true });
  const phone = await phoneCtx.newPage();
  await phone.goto(server.url + '/kiosk');
  await look(phone, 'kiosk-code-phone', 390);
  await phone.fill('#code', second);
  await Promise.all([phone.waitForNavigation(), phone.click('#code-form button[type=submit]')]);
  await look(phone, 'kiosk-forms-phone', 390);
  await Promise.all([phone.waitForNavigation(), phone.click('a:has-text("Continue")')]);
  assert.equal(await phone.inputValue('#f-initials'), 'M.O.');
  await look(phone, 'kiosk-form-part-phone', 390);
  await Promise.all([phone.waitForNavigation(), phone.click('button[value=next]')]);
  await phone.locator('#sig-pad').scrollIntoViewIfNeeded();
  const box = await phone.locator('#sig-pad').boundingBox();
  const cdp = await phoneCtx.newCDPSession(phone);
  const at = (fx, fy) => [{ x: Math.round(box.x + box.width * fx), y: Math.round(box.y + box.height * fy) }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0.1, 0.7) });
  for (const [fx, fy] of [[0.2, 0.3], [0.3, 0.7], [0.45, 0.3], [0.6, 0.6], [0.8, 0.4]]) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(fx, fy) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  assert.match(await phone.inputValue('#sig-drawn'), /^M \d+ \d+ L/);
  await look(phone, 'kiosk-form-sign-phone', 390);
  await Promise.all([phone.waitForNavigation(), phone.click('#sign-form button[type=submit]')]);
  assert.match(phone.url(), /\/kiosk\/thanks$/);
  assert.match(await phone.textContent('main'), /hand the tablet back/);
  assert.doesNotMatch(await phone.textContent('body'), /Marisol|Okafor|Consent/);
  await look(phone, 'kiosk-thanks-phone', 390);
  await phone.setViewportSize({ width: 820, height: 1180 });
  await look(phone, 'kiosk-thanks-tablet', 820);
  await phone.goto(server.url + '/kiosk/forms');
  assert.match(phone.url(), /\/kiosk(\?ended=1)?$/);
  await phoneCtx.close();
  await desk.context().close();

  // The provider: signed on the clinic's tablet.
  const doc = await signIn(browser, server, 'provider');
  await doc.goto(server.url + `/patients/${patientId}`);
  await Promise.all([doc.waitForNavigation(), doc.click('#forms a:has-text("open")')]);
  assert.match(await doc.textContent('main'), /On the clinic's tablet/);
  await screenshot(doc, 'kiosk-evidence');
  await doc.context().close();
});

// A parent signs a minor's packet on the tablet (issue 28, item 4: the signer and the basis).
// The nurse adds the mother as the child's representative and sends the consent from the
// chart; at the checked-in visit the desk chooses her as the signer (1280 and 390), she
// signs on a phone-sized tablet with her typed name; the provider sees her and her basis in the
// evidence; the desk records at the chart that she withdrew her consent to electronic forms
// (she wants paper), and the chart says paper forms are needed; the review queue shows the
// child's birth date.
test('a representative signs on the clinic tablet', async () => {
  const child = await api('POST', '/api/v1/patients', deskToken, {
    given_name: 'Mia', family_name: 'Quenby', date_of_birth: '2015-06-01', sex: 'female',
    contact: { phone: '(555) 234-9877', email: '', address: '1 Main St', preferred: 'text' },
  });
  // The nurse at the desk (the front desk signed in a moment ago: a second sign-in within the
  // same 30 seconds would be a replayed code); the same classes of the record.
  const desk = await signIn(browser, server, 'nurse');
  await desk.goto(server.url + `/patients/${child.id}`);
  await desk.locator('summary', { hasText: 'Add a personal representative' }).click();
  await desk.fill('#rep-name', 'Paula Quenby');
  await desk.fill('#rep-relationship', 'mother');
  await desk.fill('#rep-phone', '(555) 222-3334');
  await desk.selectOption('#rep-basis', 'parent_of_minor');
  await desk.fill('#rep-starts', '06/01/2015');
  await desk.setInputFiles('#rep-file', { name: 'birth.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n') });
  await Promise.all([desk.waitForNavigation(), desk.click('#rep-form button[type=submit]')]);
  assert.match(await desk.textContent('main'), /Personal representative added/);
  // Sent by hand from the chart.
  await desk.locator('#forms summary', { hasText: 'Send forms' }).click();
  await desk.getByLabel('Consent to treat').check();
  await Promise.all([desk.waitForNavigation(), desk.click('#send-forms-form button[type=submit]')]);
  assert.match(desk.url(), /#forms$/);
  // Booked from the chart for the service that asks the consent: the form sent by hand counts
  // for this visit.
  await desk.locator('summary', { hasText: 'Book an appointment' }).click();
  await desk.fill('#date', nextMonday());
  await desk.fill('#time', '15:00');
  await desk.fill('#minutes', '30');
  await desk.fill('#service', 'Consult');
  await desk.selectOption('#provider_id', { index: 0 });
  await Promise.all([desk.waitForNavigation(), desk.click('#book button[type=submit]')]);
  await desk.goto(server.url + '/calendar?day=' + nextMonday());
  const card = desk.locator('a.cal-card', { hasText: 'Mia Quenby' }).first();
  assert.match(await card.textContent(), /Forms missing: Consent to treat/);
  const visit = { id: Number((await card.getAttribute('href')).split('/').pop()) };
  await api('POST', `/api/v1/appointments/${visit.id}/status`, deskToken, { status: 'checked_in' });

  await desk.goto(server.url + `/calendar/appointments/${visit.id}`);
  const option = desk.locator('#signer option', { hasText: 'Paula Quenby' });
  assert.match(await option.textContent(), /Paula Quenby, representative: .*minor/i);
  await desk.selectOption('#signer', { label: await option.textContent() });
  await look(desk, 'kiosk-signer-choice', 1280);
  await desk.setViewportSize({ width: 390, height: 844 });
  await look(desk, 'kiosk-signer-choice-phone', 390);
  await Promise.all([desk.waitForNavigation(), desk.click('#tablet-form button[type=submit]')]);
  assert.match(await desk.textContent('main'), /Signs on the tablet: Paula Quenby, representative/);
  await look(desk, 'kiosk-signer-code-phone', 390);
  await desk.setViewportSize({ width: 1280, height: 800 });
  await look(desk, 'kiosk-signer-code', 1280);
  const m = (await desk.textContent('#kiosk-code')).match(/(\d{3}) (\d{3})/);

  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true, isMobile: true, hasTouch: true });
  const tablet = await ctx.newPage();
  await tablet.goto(server.url + '/kiosk');
  await tablet.fill('#code', m[1] + m[2]);
  await Promise.all([tablet.waitForNavigation(), tablet.click('#code-form button[type=submit]')]);
  await tablet.check('#agree');
  await Promise.all([tablet.waitForNavigation(), tablet.click('#esign button[type=submit]')]);
  await Promise.all([tablet.waitForNavigation(), tablet.click('a:has-text("Start")')]);
  await tablet.fill('#f-initials', 'P.Q.');
  await Promise.all([tablet.waitForNavigation(), tablet.click('button[value=next]')]);
  // The child's name is not the signer's: refused at the field, the typing kept.
  await tablet.fill('#typed', 'Mia Quenby');
  const [refused] = await Promise.all([tablet.waitForNavigation(), tablet.click('#sign-form button[type=submit]')]);
  assert.equal(refused.status(), 422);
  assert.equal(await tablet.inputValue('#typed'), 'Mia Quenby');
  await look(tablet, 'kiosk-signer-refused-phone', 390);
  await tablet.fill('#typed', 'Paula Quenby');
  await Promise.all([tablet.waitForNavigation(), tablet.click('#sign-form button[type=submit]')]);
  assert.match(tablet.url(), /\/kiosk\/thanks$/);
  await ctx.close();

  const doc = await signIn(browser, server, 'provider');
  await doc.goto(server.url + `/patients/${child.id}`);
  await Promise.all([doc.waitForNavigation(), doc.click('#forms a:has-text("open")')]);
  assert.match(await doc.textContent('main'), /Paula Quenby, personal representative \(.*minor/i);
  await screenshot(doc, 'kiosk-signer-evidence');
  await doc.goto(server.url + '/forms/review');
  assert.match(await doc.textContent('main'), /06\/01\/2015/);
  await look(doc, 'forms-queue-born', 1280);
  await doc.setViewportSize({ width: 390, height: 844 });
  await look(doc, 'forms-queue-born-phone', 390);
  await doc.context().close();

  // She tells the desk she wants paper forms from now on.
  await desk.goto(server.url + `/patients/${child.id}`);
  await desk.locator('#forms summary', { hasText: 'Patient wants paper forms' }).click();
  await desk.selectOption('#who', { label: 'Paula Quenby (representative)' });
  await look(desk, 'chart-esign-withdrawal', 1280);
  await desk.setViewportSize({ width: 390, height: 844 });
  await look(desk, 'chart-esign-withdrawal-phone', 390);
  await Promise.all([desk.waitForNavigation(), desk.click('#esign-form button[type=submit]')]);
  assert.match(await desk.textContent('main'), /Withdrawal recorded/);
  assert.match(await desk.textContent('#forms'), /Paper forms needed/);
  await look(desk, 'chart-esign-withdrawn-phone', 390);
  await desk.setViewportSize({ width: 1280, height: 800 });
  await look(desk, 'chart-esign-withdrawn', 1280);
  await desk.context().close();
});
