// Issue 23, typed values kept on the program and admin forms: a mistake typed on purpose into
// each form (text on several lines, as browsers send CRLF), refused at its field, every value
// still there, the answer opening at the form; axe clean; screenshots at 1280 and 390.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, refusedKeepsEverything } from '../lib.mjs';

let server, browser, page;
before(async () => {
  server = await startServer();
  browser = await launch();
  page = await signIn(browser, server, 'owner');
});
after(async () => { await browser?.close(); server?.stop(); });

test('a policy revision with a blank left keeps its title, text and date', async () => {
  await page.goto(server.url + '/program/policies/breach_response');
  await page.fill('#title', 'Breach response at our clinic');
  await page.fill('#body', 'We look into every incident.\n\nCall [[clinic phone]] at once.');
  await page.fill('#effective_on', '2027-01-04');
  await refusedKeepsEverything(page, 'policy-form', 'body', 'policy-refused');
  assert.equal(await page.inputValue('#body'), 'We look into every incident.\n\nCall [[clinic phone]] at once.');
  assert.match(await page.textContent('#body-error'), /blank/i);
});

test('the notice of privacy practices missing its required parts keeps the text typed', async () => {
  await page.goto(server.url + '/program/npp');
  await page.fill('#body', 'Our notice, short.\nA second line.');
  await refusedKeepsEverything(page, 'npp-form', 'body', 'npp-refused');
  assert.equal(await page.inputValue('#body'), 'Our notice, short.\nA second line.');
});

test('a role named like a default one keeps its words, access and capabilities', async () => {
  await page.goto(server.url + '/admin/roles');
  await page.fill('#name', 'nurse');
  await page.fill('#description', 'Night shift: charts & appointments');
  await page.selectOption('#g-clinical', 'rw');
  await page.selectOption('#g-scheduling', 'r');
  await page.check('input[name=capability][value=manage_calendar]');
  await refusedKeepsEverything(page, 'define-role', 'name', 'role-refused');
  assert.equal(await page.inputValue('#g-clinical'), 'rw');
  assert.ok(await page.isChecked('input[name=capability][value=manage_calendar]'));
});

test('a new account with a too-short username keeps the name and the roles ticked', async () => {
  await page.goto(server.url + '/admin/users/new');
  await page.fill('#display_name', "Dana O'Night");
  await page.fill('#username', 'd');
  await page.check('input[name=role][value=nurse]');
  await refusedKeepsEverything(page, 'new-user', 'username', 'new-user-refused');
  assert.equal(await page.inputValue('#display_name'), "Dana O'Night");
  assert.ok(await page.isChecked('input[name=role][value=nurse]'));
});

test('outside training dated in the future keeps its name and date', async () => {
  await page.goto(server.url + '/program/workforce');
  await page.fill('#add-person [name=name]', 'Nora Nightingale');
  await page.fill('#add-person [name=hired_on]', '2025-01-06');
  await Promise.all([page.waitForNavigation(), page.click('#add-person button[type=submit]')]);
  assert.match(new URL(page.url()).pathname, /^\/program\/workforce\/\d+$/);
  await page.fill('#training-form #title', 'CPR & privacy refresher');
  await page.fill('#training-form #completed_on', '2099-12-31');
  await refusedKeepsEverything(page, 'training-form', 'completed_on', 'training-refused');
  assert.equal(await page.inputValue('#training-form #title'), 'CPR & privacy refresher');
});

test('a time zone the server refuses is shown again in the list, with the message at the field', async () => {
  await page.goto(server.url + '/admin/settings');
  // A stale page or a zone dropped from the database sends a name Carekeep does not know.
  await page.evaluate(() => {
    const s = document.getElementById('time_zone');
    const o = new Option('Mars/Olympus_Mons', 'Mars/Olympus_Mons', true, true);
    s.add(o, 0);
  });
  await refusedKeepsEverything(page, 'time-zone', 'time_zone', 'time-zone-refused');
  assert.equal(await page.inputValue('#time_zone'), 'Mars/Olympus_Mons');
  assert.match(await page.textContent('#time_zone option:checked'), /not a time zone Carekeep knows/);
});

test("a person's details with a leave date before the hire date keep every value", async () => {
  await page.goto(server.url + '/program/workforce');
  await page.fill('#add-person [name=name]', 'Nora Nightingale');
  await page.fill('#add-person [name=hired_on]', '2025-01-06');
  await Promise.all([page.waitForNavigation(), page.click('#add-person button[type=submit]')]);
  await page.fill('#person-form #name', 'Nora Nightingale-Smith');
  await page.fill('#person-form #job_title', 'Charge nurse');
  await page.fill('#person-form #hired_on', '2025-01-06');
  await page.fill('#person-form #left_on', '2024-12-31');
  await refusedKeepsEverything(page, 'person-form', 'left_on', 'person-refused');
  assert.equal(await page.inputValue('#person-form #job_title'), 'Charge nurse');
});

test("a vendor's agreement sent without a file is refused at the file field", async () => {
  await page.goto(server.url + '/program/vendors');
  await page.fill('#vendor-form #name', 'Acme Transcription');
  await page.fill('#vendor-form #service', 'Dictation typed up');
  await Promise.all([page.waitForNavigation(), page.click('#vendor-form button[type=submit]')]);
  assert.match(new URL(page.url()).pathname, /^\/program\/vendors\/\d+$/);
  // The browser asks for a file first; a script-less or old browser sends none.
  await page.evaluate(() => document.getElementById('file').removeAttribute('required'));
  await refusedKeepsEverything(page, 'document-form', 'file', 'vendor-document-refused');
});
