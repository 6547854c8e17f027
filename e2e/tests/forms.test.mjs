// Forms as a clinic's staff use them: text typed on several lines (browsers send CRLF) comes
// back on several lines, on the page and in the PDF; a refused form of each kind keeps every
// value typed, says what to fix beside the field, and opens at the form, not the page's top.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot, pdfLines, refusedKeepsEverything } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('registration: a refused form keeps everything; a two-line address stays two lines', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.goto(server.url + '/patients/new');
  await page.fill('#given_name', 'Rosalind');
  await page.fill('#family_name', 'Featherstone');
  await page.fill('#date_of_birth', '13/45/1980');
  await page.selectOption('#sex', 'female');
  await page.fill('#phone', '(555) 201-7788');
  await page.fill('#email', 'rosalind@example.com');
  await page.fill('#address', '12 Elm Street\nApartment 4B\nSpringfield, IL 62704');
  await page.fill('#emergency_contact', 'Tom Featherstone, brother, (555) 201-7789');
  await page.selectOption('#preferred', 'mail');
  await refusedKeepsEverything(page, 'register', 'date_of_birth', 'register-refused');
  await page.fill('#date_of_birth', '04/23/1980');
  await Promise.all([page.waitForNavigation(), page.click('#register button[type=submit]')]);
  assert.match(await page.textContent('main'), /Patient registered/);
  const address = await page.locator('dd.lines').first().innerText();
  assert.equal(address, '12 Elm Street\nApartment 4B\nSpringfield, IL 62704');
  server.chart = new URL(page.url()).pathname;
  await screenshot(page, 'chart-two-line-address');
});

test('vitals out of range keep every value and the form open', async () => {
  const page = await signIn(browser, server, 'provider');
  await page.goto(server.url + server.chart);
  await page.click('summary:has-text("Record vitals")');
  await page.fill('#systolic', '400');
  await page.fill('#diastolic', '82');
  await page.fill('#pulse', '68');
  await page.fill('#temperature', '37.1');
  await page.selectOption('select[name=temperature_unit]', 'c');
  await page.fill('#weight', '70');
  await page.selectOption('select[name=weight_unit]', 'kg');
  await page.fill('#spo2', '98');
  await refusedKeepsEverything(page, 'vitals-form', 'systolic', 'vitals-refused');
  assert.ok(await page.locator('#vitals-form').isVisible(), 'the details stay open');
  // The account page: change one's password, sign out everywhere. A wrong current password
  // is refused at its field; a missing page keeps the navigation.
  await page.goto(server.url + '/account');
  await page.fill('#current', 'not my password');
  await page.fill('#code', '123456');
  await page.fill('#new', 'a brand new passphrase 42');
  await page.fill('#again', 'a brand new passphrase 42');
  const [res] = await Promise.all([page.waitForNavigation(), page.click('#change-password button[type=submit]')]);
  assert.equal(res.status(), 422);
  assert.equal(await page.getAttribute('#current', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#new'), '', 'a password is never put back in the page');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'account-password-refused', { fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'account-password-refused-phone', { fullPage: false });
  await page.setViewportSize({ width: 1280, height: 800 });
  const missing = await page.goto(server.url + '/no-such-page');
  assert.equal(missing.status(), 404);
  assert.ok(await page.locator('nav[aria-label=Main] a[href="/patients"]').count() === 1, 'the navigation is there');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'not-found');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'not-found-phone');
});

test('roster, request, vendor and risk-assessment row keep what was typed; a policy prints its lines', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/program/workforce');
  await page.fill('#name', 'Marguerite Okonkwo');
  await page.fill('#job_title', 'Medical assistant');
  await page.fill('#username', 'no-such-login');
  await page.fill('#hired_on', '2026-03-02');
  await page.fill('#email', 'marguerite@clinic.example');
  await refusedKeepsEverything(page, 'add-person', 'username', 'roster-refused');

  await page.goto(server.url + '/program/vendors');
  await page.fill('#name', 'Lakeside Shredding');
  await page.fill('#service', 'Paper shredding');
  await page.fill('#contact', 'Dana, (555) 300-1000');
  await page.check('input[name=maintains_phi]');
  await page.selectOption('#baa_status', 'signed');
  await page.fill('#subcontractors', 'Truck company\nRecycling plant');
  await refusedKeepsEverything(page, 'vendor-form', 'baa_signed_on', 'vendor-refused');

  await page.goto(server.url + '/program/sra');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Start")')]);
  const spec = await page.locator('textarea[id^=measure-]').first().getAttribute('id');
  const row = spec.replace('measure-', '');
  const form = page.locator(`form[action$="/answers/${row}#${row}"]`);
  await form.evaluate((f, id) => { f.id = id; }, 'row-form');
  await page.selectOption(`#answer-${row}`, 'alternative');
  await page.fill(`#reason-${row}`, 'Too small\nfor this');
  const [res] = await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
  assert.equal(res.status(), 422);
  assert.equal(new URL(page.url()).hash, `#${row}`, 'opens at the row');
  assert.equal(await page.inputValue(`#answer-${row}`), 'alternative');
  assert.equal(await page.inputValue(`#reason-${row}`), 'Too small\nfor this');
  assert.equal(await page.locator(`#measure-${row}`).getAttribute('aria-invalid'), 'true');
  const box = await page.locator(`#${row}`).boundingBox();
  assert.ok(box.y < 800 && box.y + box.height > 0, 'the row is on screen');
  await screenshot(page, 'sra-row-refused', { fullPage: false });
  assert.deepEqual(await seriousViolations(page), []);

  // A policy typed on several lines prints its lines, not question marks. (One sign-in per
  // person per test: the same TOTP code twice within its 30 seconds is refused as a replay.)
  const opened = await page.goto(server.url + '/program/policies/breach_response');
  assert.equal(opened.status(), 200, await page.textContent('main'));
  await page.fill('#body', 'Who is called first: Cora.\nThen: the owner.\n\nFirst hour: stop the harm.');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Adopt this policy")')]);
  const pdf = await page.request.get(server.url + '/program/policies/breach_response/pdf');
  assert.equal(pdf.status(), 200);
  const lines = pdfLines(await pdf.body());
  for (const want of ['Who is called first: Cora.', 'Then: the owner.', 'First hour: stop the harm.']) {
    assert.ok(lines.includes(want), `${want} is a line of the PDF: ${JSON.stringify(lines.slice(0, 40))}`);
  }
  assert.ok(!lines.some((l) => l.includes('?')), 'no line break printed as ?');

  // The request form: the patient is chosen by typing their name (no internal number), and
  // a refusal keeps the chosen patient with everything else.
  const co = await signIn(browser, server, 'compliance');
  await co.goto(server.url + '/requests');
  await co.fill('#patient-find', 'Featherst');
  const offer = co.locator('.pick-results button.pick', { hasText: 'Featherstone, Rosalind' });
  await offer.waitFor();
  await screenshot(co, 'request-patient-picker', { fullPage: false });
  assert.deepEqual(await seriousViolations(co), []);
  await offer.click();
  assert.match(await co.inputValue('#patient-find'), /^Featherstone, Rosalind, born 04\/23\/1980, MRN-\d+$/);
  assert.match(await co.textContent('#patient-chosen'), /Chosen: Featherstone, Rosalind/);
  await co.selectOption('#kind', 'amendment');
  await co.fill('#received_on', '2099-01-01');
  await co.fill('#details', 'Please correct my address:\nit is 12 Elm Street.');
  await refusedKeepsEverything(co, 'open-request', 'received_on', 'request-refused');
  await co.fill('#received_on', await co.evaluate(() => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date())));
  await Promise.all([co.waitForNavigation(), co.click('#open-request button[type=submit]')]);
  const logged = co.locator('tr[data-request]', { hasText: 'Featherstone' });
  assert.equal(await logged.count(), 1, 'the request names the patient chosen by name');
  assert.match(await logged.innerText(), /Please correct my address:\nit is 12 Elm Street\./, 'its two lines shown as two lines');
  await screenshot(co, 'requests-logged');
});
