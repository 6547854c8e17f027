// The patient portal at 390x844 (issue 27): a patient signs in with the code the stand-in SMS
// gateway received, sees their appointment, acknowledges the privacy notice and asks for a
// copy of their record; mistakes on purpose (a date in the wrong form, a wrong code, a request
// without the copy's form) come back with everything typed. axe on every page, no sideways
// scroll, screenshots at 390 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, seriousViolations, screenshot } from '../lib.mjs';
import { portalClinic, checkPage } from '../portal_kit.mjs';

const TOKEN = 'portal-e2e-gateway-token-0123456789';
let server, browser, gateway, api, apiLogin, texts, codeFor, patientId;

before(async () => {
  const clinic = await portalClinic(TOKEN);
  ({ server, gateway, api, apiLogin, texts, codeFor } = clinic);
  const owner = clinic.owner;
  browser = await launch();
  // The clinic's side: the gateway's vendor under a BAA, a patient with a mobile number on
  // file, an appointment next week, and the notice published.
  const users = await api('GET', '/api/v1/users', owner);
  const provider = users.find((u) => u.username === 'provider').id;
  const desk = await apiLogin('frontdesk');
  const p = await api('POST', '/api/v1/patients', desk, {
    given_name: 'Rosalind', family_name: 'Quintero', date_of_birth: '1980-04-23', sex: 'female',
    contact: { phone: '(555) 234-5678', email: 'rq@example.org', address: '1 Main St', preferred: 'text' },
  });
  patientId = p.id;
  const day = new Date(Date.now() + 8 * 86400000);
  day.setUTCHours(15, 10, 0, 0);
  await api('POST', `/api/v1/patients/${p.id}/appointments`, desk, {
    provider_id: provider, service: 'Follow-up visit', start: day.toISOString().replace('.000Z', 'Z'), minutes: 20,
  });
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/program/npp');
  await Promise.all([page.waitForNavigation(), page.click('#npp-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /Version 1 is in effect/);
  // The owner lets signed visit notes show in the portal.
  await page.goto(server.url + '/admin/settings#portal');
  await page.check('input[name=notes][value=after_signing]');
  await Promise.all([page.waitForNavigation(), page.click('#portal button[type=submit]')]);
  assert.match(await page.textContent('main'), /Saved: the patient portal follows your choice/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'admin-settings-portal');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'admin-settings-portal-phone');
  await page.context().close();
});

after(async () => { await browser?.close(); await server?.stop(); gateway?.kill('SIGTERM'); });

test('a patient signs in by code on a phone, sees the appointment, acknowledges the notice and asks for a copy', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(server.url + '/portal/sign-in');
  await checkPage(page, 'portal-sign-in-phone');
  // A date typed the wrong way: refused at its field, the number kept.
  await page.fill('#contact', '(555) 234-5678');
  await page.fill('#date_of_birth', '1980/23/04');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.textContent('#date_of_birth-error'), /like 04\/23\/1980/);
  assert.equal(await page.inputValue('#contact'), '(555) 234-5678');
  assert.equal(await page.inputValue('#date_of_birth'), '1980/23/04');
  await checkPage(page, 'portal-sign-in-refused-phone');
  await page.fill('#date_of_birth', '04/23/1980');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.textContent('h1'), /Type your code/);
  const code = await codeFor('+15552345678', 1);
  const text = (await texts())[0].body;
  assert.ok(!/Rosalind|Quintero/.test(text), 'no name in the text');
  await checkPage(page, 'portal-code-phone');
  // A wrong code first.
  await page.fill('#code', code === '000000' ? '111111' : '000000');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.textContent('#code-error'), /not right/);
  await page.fill('#code', code);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.textContent('h1'), /Hello, Rosalind/);
  assert.match(await page.textContent('main'), /Follow-up visit/);
  assert.match(await page.textContent('main'), /\d\d\/\d\d\/\d{4} at \d{1,2}:\d\d [AP]M/);
  await checkPage(page, 'portal-home-phone');
  await Promise.all([page.waitForNavigation(), page.click('button[value=confirm]')]);
  assert.match(await page.textContent('main'), /your appointment is confirmed/);
  assert.match(await page.textContent('.portal-status'), /Confirmed/);
  // Cancelling is asked first; keeping it changes nothing.
  await Promise.all([page.waitForNavigation(), page.click('.portal-actions >> text=Cancel')]);
  assert.match(await page.textContent('main'), /Cancel this appointment\?/);
  await checkPage(page, 'portal-cancel-ask-phone');
  await Promise.all([page.waitForNavigation(), page.click('text=Keep it')]);
  assert.match(await page.textContent('.portal-status'), /Confirmed/);

  // Visit notes: released after signing, none signed yet.
  await Promise.all([page.waitForNavigation(), page.click('nav.portal-nav >> text=Visit notes')]);
  assert.match(await page.textContent('main'), /No signed visit notes yet/);
  await checkPage(page, 'portal-notes-phone');
  // The notice, acknowledged.
  await Promise.all([page.waitForNavigation(), page.click('nav.portal-nav >> text=Privacy notice')]);
  await checkPage(page, 'portal-notice-phone');
  await page.check('#received');
  await Promise.all([page.waitForNavigation(), page.click('.portal-ack button')]);
  assert.match(await page.textContent('main'), /You said you received this notice on \d\d\/\d\d\/\d{4}/);

  // A copy of the record: first without saying how (refused, words kept with their line break).
  await Promise.all([page.waitForNavigation(), page.click('nav.portal-nav >> text=Your requests')]);
  await page.check('#kind-access');
  await page.fill('#words', 'Everything since 2020, please.\nThank you.');
  await Promise.all([page.waitForNavigation(), page.click('#request-form button[type=submit]')]);
  assert.match(await page.textContent('#copy_form-error'), /how you want the copy/);
  assert.equal(await page.inputValue('#words'), 'Everything since 2020, please.\nThank you.');
  assert.equal(await page.isChecked('#kind-access'), true);
  await checkPage(page, 'portal-request-refused-phone');
  await page.check('#copy-both');
  await Promise.all([page.waitForNavigation(), page.click('#request-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /Your request is received/);
  assert.match(await page.textContent('main'), /A copy of my record/);
  assert.match(await page.textContent('main'), /The clinic answers by \d\d\/\d\d\/\d{4}/);
  await checkPage(page, 'portal-requests-phone');
  // The same pages at 1280 px.
  await page.setViewportSize({ width: 1280, height: 800 });
  for (const [path, name] of [['/portal', 'portal-home'], ['/portal/notes', 'portal-notes'], ['/portal/notice', 'portal-notice'], ['/portal/requests', 'portal-requests']]) {
    await page.goto(server.url + path);
    assert.deepEqual(await seriousViolations(page), [], name);
    await screenshot(page, name);
  }
  // The sign-in pages at 1280 px, in a browser with no portal session.
  const wide = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const desk = await wide.newPage();
  await desk.goto(server.url + '/portal/sign-in');
  assert.deepEqual(await seriousViolations(desk), []);
  await screenshot(desk, 'portal-sign-in');
  await desk.fill('#contact', 'rq@example.org');
  await desk.fill('#date_of_birth', '04/23/1980');
  await Promise.all([desk.waitForNavigation(), desk.click('button[type=submit]')]);
  assert.deepEqual(await seriousViolations(desk), []);
  await screenshot(desk, 'portal-code');
  await wide.close();
  // Signing out ends the portal session.
  await Promise.all([page.waitForNavigation(), page.click('nav.portal-nav button')]);
  assert.match(await page.textContent('main'), /You are signed out/);
  await page.goto(server.url + '/portal');
  assert.match(page.url(), /\/portal\/sign-in$/);
  await context.close();
});

test('the chart says the notice was acknowledged in the portal, with its time, and shows no alert', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.goto(server.url + '/patients/' + patientId);
  const line = await page.textContent('#npp');
  assert.match(line, /Acknowledged in the portal on \d\d\/\d\d\/\d{4} at \d{1,2}:\d\d [AP]M \(version 1\)/);
  assert.doesNotMatch(line, /not acknowledged/);
  assert.equal(await page.locator('#npp.alert-line').count(), 0);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'chart-npp-portal', { fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'chart-npp-portal-phone', { fullPage: false });
  await page.context().close();
});
