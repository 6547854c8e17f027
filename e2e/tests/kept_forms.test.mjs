// Refused forms of the incident, requests, disclosures and chart pages keep what was typed
// (issue 23, item 2): each is filled as staff do, with a mistake on purpose and text on several
// lines (the browser sends CRLF), and must come back at the form with every value in its field
// and the message at the field it is about. Its own server: each person signs in once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot, refusedKeepsEverything, totp } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('the compliance officer\'s refused determination, decision, disclosure and authorization keep what was typed', async () => {
  const co = await signIn(browser, server, 'compliance');
  await co.goto(server.url + '/incidents/new');
  await co.fill('#title', 'Referral faxed to the wrong number');
  await co.fill('#what_happened', 'The fax went to a bakery.\nThey called us the same day.');
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Report it")')]);
  await co.goto(server.url + '/incidents');
  await Promise.all([co.waitForNavigation(), co.click('main a:has-text("Referral faxed")')]);

  // The determination: a count by state written as words is refused at "By state".
  await co.check('input[name=phi_involved]');
  await co.selectOption('#safeguard', 'none');
  await co.fill('#nature_and_extent', 'Name, date of birth & visit reason');
  await co.fill('#unauthorized_person', 'A bakery on Main Street');
  await co.fill('#discovered_by', 'Dana at the front desk');
  await co.fill('#affected', '3');
  await co.fill('#by_state', 'Texas=3');
  await co.fill('#steps_for_individuals', 'Watch your statements.\nCall us with any question.');
  await co.fill('#what_we_are_doing', 'We retrained the staff.\nWe changed the fax cover sheet.');
  await co.fill('#contact_for_questions', '(800) 555-0199');
  await co.selectOption('#status', 'closed');
  await refusedKeepsEverything(co, 'determination-form', 'by_state', 'incident-determination-refused');
  assert.equal(await co.inputValue('#steps_for_individuals'), 'Watch your statements.\nCall us with any question.');
  assert.match(await co.textContent('#by_state-error'), /state/);
  await co.fill('#by_state', 'TX=3');
  await Promise.all([co.waitForNavigation(), co.click('#determination-form button[type=submit]')]);
  assert.match(co.url(), /done=determination/);
  assert.equal(await co.inputValue('#what_we_are_doing'), 'We retrained the staff.\nWe changed the fax cover sheet.');

  // A note to mark a notice done, far too long: kept at its field.
  const done = co.locator('form[id^=done-]').first();
  const doneId = await done.getAttribute('id');
  await done.locator('input[name=note]').fill('Mailed first class. '.repeat(60));
  await refusedKeepsEverything(co, doneId, 'note-' + doneId.slice('done-'.length), 'incident-done-refused');

  // An attachment sent without a file (the browser's own check taken off): said at the file.
  await co.evaluate(() => document.getElementById('file').removeAttribute('required'));
  const [attached] = await Promise.all([co.waitForNavigation(), co.click('#attach-form button[type=submit]')]);
  assert.equal(attached.status(), 422);
  assert.equal(new URL(co.url()).hash, '#attach-form');
  assert.equal(await co.getAttribute('#file', 'aria-invalid'), 'true');
  assert.match(await co.textContent('#file-error'), /PDF, JPEG, PNG or WebP/);
  assert.deepEqual(await seriousViolations(co), []);
  await screenshot(co, 'incident-attach-refused', { fullPage: false });

  // A request for an amendment, accepted with the amended note named in words.
  await co.goto(server.url + '/requests');
  await co.fill('#patient-find', 'Marchetti');
  await co.locator('.pick-results button.pick', { hasText: 'Marchetti, Jonah' }).click();
  await co.selectOption('#kind', 'amendment');
  await co.fill('#details', 'My allergy is to latex,\nnot penicillin.');
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Log it")')]);
  const row = co.locator('tr[data-request]', { hasText: 'latex' });
  const request = await row.getAttribute('data-request');
  await row.locator('summary:has-text("Decide")').click();
  await row.locator('select[name=outcome]').selectOption('granted');
  await row.locator('textarea[name=amendment]').fill('Allergy: latex (hives).\nNot allergic to penicillin.');
  await row.locator('input[name=amendment_note]').fill('the May visit');
  await refusedKeepsEverything(co, `decide-${request}`, `note-${request}`, 'requests-decision-refused');
  assert.equal(await co.inputValue(`#amend-${request}`), 'Allergy: latex (hives).\nNot allergic to penicillin.');
  // The extension's reason, far too long: kept at its field.
  await co.locator(`#ext-${request}`).fill('The paper chart is in storage off site. '.repeat(60));
  await refusedKeepsEverything(co, `extend-${request}`, `ext-${request}`, 'requests-extension-refused');

  // Disclosures and authorizations of the same patient.
  await co.fill('#log-patient-find', 'Marchetti');
  await co.locator('#find-log .pick-results button.pick', { hasText: 'Marchetti, Jonah' }).click();
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Open their disclosures")')]);
  await co.fill('#disclosed_on', '2026-11-20');
  await co.fill('#recipient', 'Oak Street Cardiology');
  await co.fill('#recipient_address', '100 Oak Street, Springfield, IL 62704');
  await co.fill('#description', 'Echocardiogram report');
  await co.fill('#purpose', 'Second opinion');
  await co.selectOption('#basis', 'authorization');
  await refusedKeepsEverything(co, 'disclosure-form', 'authorization', 'disclosure-refused');

  await co.fill('#a-description', 'Lab results from 2026');
  await co.fill('#a-by', 'The clinic');
  await co.fill('#a-to', 'Dr. Patel, Oak Street Cardiology');
  await co.fill('#a-purpose', 'At the request of the patient');
  await co.fill('#a-signer', 'Jonah Marchetti');
  await co.fill('#a-signed', '2026-11-02');
  await refusedKeepsEverything(co, 'authorization-form', 'a-expires', 'authorization-refused');

  // A chart restricted with nobody allowed to open it: the tick stays, the message is at the
  // providers.
  await co.goto(server.url + '/patients/4');
  await co.click('summary:has-text("Restrict this chart")');
  await co.check('#restriction-form input[name=restricted]');
  const [restricted] = await Promise.all([co.waitForNavigation(), co.click('#restriction-form button[type=submit]')]);
  assert.equal(restricted.status(), 422);
  assert.equal(new URL(co.url()).hash, '#restriction-form');
  assert.ok(await co.isChecked('#restriction-form input[name=restricted]'), 'the tick is kept');
  assert.match(await co.textContent('#restrict-providers-error'), /at least one provider/);
  assert.deepEqual(await seriousViolations(co), []);
  await screenshot(co, 'chart-restriction-refused', { fullPage: false });
  await co.setViewportSize({ width: 390, height: 844 });
  await co.locator('#restriction-form').scrollIntoViewIfNeeded();
  await screenshot(co, 'chart-restriction-refused-phone', { fullPage: false });
  await co.context().close();
});

test('the front desk\'s refused contact and identity edits and the provider\'s refused upload keep what was typed', async () => {
  const desk = await signIn(browser, server, 'frontdesk');
  await desk.goto(server.url + '/patients/4');
  await desk.click('summary:has-text("Edit contact details")');
  await desk.fill('#phone', '555 201');
  await desk.fill('#email', 'jonah.m@example.com');
  await desk.fill('#address', '12 Elm Street\nApartment 4B\nSpringfield, IL 62704');
  await desk.fill('#emergency_contact', 'Ana Marchetti, sister, (555) 201-7789');
  await desk.selectOption('#preferred', 'mail');
  await refusedKeepsEverything(desk, 'contact-form', 'phone', 'chart-contact-refused');
  assert.equal(await desk.inputValue('#address'), '12 Elm Street\nApartment 4B\nSpringfield, IL 62704');

  await desk.click('summary:has-text("Correct name, date of birth or sex")');
  await desk.fill('#given_name', 'Jonah');
  await desk.fill('#family_name', 'Marchetti-Rossi');
  await desk.fill('#date_of_birth', '13/45/1980');
  await refusedKeepsEverything(desk, 'identity-form', 'date_of_birth', 'chart-identity-refused');
  await desk.fill('#date_of_birth', '04/23/1980');
  await Promise.all([desk.waitForNavigation(), desk.click('#identity-form button[type=submit]')]);
  assert.match(await desk.textContent('main'), /Marchetti-Rossi/);
  assert.match(await desk.textContent('main'), /04\/23\/1980/);
  // The notice's good-faith effort, too short to say anything.
  // (The browser's own check, minlength, is taken off: the server's check is the one tested.)
  await desk.click('summary:has-text("Could not get a signature")');
  await desk.fill('#npp-reason', 'no');
  await desk.evaluate(() => document.getElementById('npp-reason').removeAttribute('minlength'));
  await refusedKeepsEverything(desk, 'npp-form', 'npp-reason', 'chart-npp-refused');
  await desk.context().close();

  // Billing's payment with a mistyped amount: the amount and the method stay.
  const billing = await signIn(browser, server, 'billing');
  await billing.goto(server.url + '/patients/4');
  const pay = billing.locator('form[id^=pay-form-]').first();
  const payId = await pay.getAttribute('id');
  const invoice = payId.slice('pay-form-'.length);
  await pay.locator('input[name=amount]').fill('$12.3.4');
  await pay.locator('select[name=method]').selectOption('check');
  await refusedKeepsEverything(billing, payId, `pay-${invoice}`, 'chart-payment-refused');
  await billing.context().close();

  // An upload that is not a photo: the caption, the pair and its label stay; the file is asked
  // for again at its field (a browser cannot put a chosen file back).
  const doc = await signIn(browser, server, 'provider');
  await doc.goto(server.url + '/patients/4');
  // An invoice line's diagnosis codes with one mistyped: kept at that line.
  const coding = doc.locator('form[id^=code-form-]').first();
  const codingId = await coding.getAttribute('id');
  await coding.locator('xpath=..').locator('summary').click();
  await coding.locator('input[name=procedure_code]').first().fill('99213');
  await coding.locator('input[name=diagnosis_codes]').first().fill('E86.0, dehydrated');
  await refusedKeepsEverything(doc, codingId, `dc-${codingId.slice('code-form-'.length)}-1`, 'chart-coding-refused');

  await doc.click('summary:has-text("Upload a photo or document")');
  await doc.fill('#caption', 'Left forearm, 2 cm lesion');
  await doc.selectOption('#pair', 'before');
  await doc.fill('#pair_label', 'forearm');
  await doc.setInputFiles('#file', { name: 'lesion.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
  const [res] = await Promise.all([doc.waitForNavigation(), doc.click('#upload-form button[type=submit]')]);
  assert.equal(res.status(), 422);
  assert.equal(new URL(doc.url()).hash, '#upload-form');
  assert.equal(await doc.inputValue('#caption'), 'Left forearm, 2 cm lesion');
  assert.equal(await doc.inputValue('#pair'), 'before');
  assert.equal(await doc.inputValue('#pair_label'), 'forearm');
  assert.equal(await doc.getAttribute('#file', 'aria-invalid'), 'true');
  assert.match(await doc.textContent('#file-error'), /JPEG, PNG or WebP/);
  assert.match(await doc.textContent('#upload-form'), /choose it again/);
  assert.deepEqual(await seriousViolations(doc), []);
  await screenshot(doc, 'chart-upload-refused', { fullPage: false });
  await doc.setViewportSize({ width: 390, height: 844 });
  await doc.locator('#upload-form').scrollIntoViewIfNeeded();
  await screenshot(doc, 'chart-upload-refused-phone', { fullPage: false });
  await doc.context().close();
});

test('a wrong code at two-step set-up keeps the same key and says so at the code', async () => {
  // The owner resets Bella's two-step verification (a lost phone); she sets it up again.
  const owner = await signIn(browser, server, 'owner');
  await owner.goto(server.url + '/admin/users');
  await Promise.all([owner.waitForNavigation(), owner.click('main a:has-text("Bella Billing")')]);
  await Promise.all([owner.waitForNavigation(), owner.click('main button:has-text("Reset two-step verification")')]);
  await owner.context().close();

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  const c = server.creds.find((x) => x.username === 'billing');
  await page.goto(server.url + '/');
  await page.fill('#username', c.username);
  await page.fill('#password', c.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(page.url(), /\/mfa\/setup/);
  const key = await page.textContent('code.secret');
  const right = totp(key);
  const wrong = right === '123456' ? '654321' : '123456';
  await page.fill('#code', wrong);
  await refusedKeepsEverything(page, 'enroll-form', 'code', 'mfa-setup-refused');
  assert.equal(await page.textContent('code.secret'), key, 'the same key: the account added in the app still works');
  assert.match(await page.textContent('#code-same-key'), /same as before/);
  await page.fill('#code', totp(key));
  await Promise.all([page.waitForNavigation(), page.click('#enroll-form button[type=submit]')]);
  assert.match(await page.textContent('main'), /recovery code/i);
  await context.close();
});
