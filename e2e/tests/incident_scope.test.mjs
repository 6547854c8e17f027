// The scope of a breach in the browser: a patient named with the picker gives one letter,
// addressed and saying what was involved in words; an audit search is previewed, then adopted,
// and the number affected follows. Its own server: each person signs in once (a code is used
// once).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot, pdfLines } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

// A misdirected fax naming one patient: she is found by name with the picker and gives one
// letter, addressed, saying what was involved in words. An audit search is previewed, then
// adopted, and the number affected follows the scope.
test('one misdirected fax gives one letter; an audit search is previewed and adopted', async () => {
  // A small clinic's office manager handles incidents and holds contact details too.
  const owner = await signIn(browser, server, 'drowner');
  await owner.goto(server.url + '/admin/users');
  await Promise.all([owner.waitForNavigation(), owner.click('text=Cora Compliance')]);
  await owner.check('input[name=role][value=front_desk]');
  await Promise.all([owner.waitForNavigation(), owner.click('main button:has-text("Save roles")')]);
  await owner.context().close();
  // The nurse opens Jonah Marchetti's chart (the audit search finds it later).
  const nurse = await signIn(browser, server, 'nurse');
  await nurse.goto(server.url + '/patients/4');
  await nurse.context().close();

  const co = await signIn(browser, server, 'compliance');
  await co.goto(server.url + '/incidents/new');
  await co.fill('#title', 'Visit notes faxed to the wrong number');
  await co.fill('#what_happened', 'The fax went to a bakery, which called us.');
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Report it")')]);
  await co.goto(server.url + '/incidents');
  await Promise.all([co.waitForNavigation(), co.click('main a:has-text("Visit notes faxed")')]);
  const incident = co.url().split('?')[0].split('#')[0];
  await co.check('input[name=phi_involved]');
  await co.fill('#affected', '1');
  await co.fill('#steps_for_individuals', 'watch your mail for anything unexpected');
  await co.fill('#what_we_are_doing', 'the bakery destroyed the fax and we checked the number twice since');
  await co.fill('#contact_for_questions', 'Call 1-800-555-0100 (toll free)');
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Save the assessment")')]);
  assert.match(await co.textContent('#scope'), /No patients in the scope yet/);

  // Refused without saying what was involved: the patient chosen stays.
  await co.fill('#patient-find', 'Marchetti');
  await co.locator('.pick-results button.pick', { hasText: 'Marchetti, Jonah' }).click();
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Add to the scope")')]);
  assert.match(await co.textContent('#name-classes-error'), /tick what was involved/);
  assert.match(await co.inputValue('#patient-find'), /^Marchetti, Jonah/);
  assert.match(await co.textContent('#name-patient-problem'), /Everything you typed is still here/);
  await screenshot(co, 'incident-scope-refused', { fullPage: false });
  await co.check('#name-patient input[name=class][value=identity]');
  await co.check('#name-patient input[name=class][value=clinical]');
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Add to the scope")')]);
  assert.match(await co.textContent('#scope'), /1 patient in the scope\..*name and date of birth \(1\), medical record \(1\)/s);
  assert.equal(await co.inputValue('#affected'), '1');
  assert.deepEqual(await seriousViolations(co), []);
  await co.locator('#scope').scrollIntoViewIfNeeded();
  await screenshot(co, 'incident-scope', { fullPage: false });

  const pdf = await co.request.get(incident + '/letters.pdf');
  assert.equal(pdf.status(), 200);
  const lines = pdfLines(await pdf.body());
  const text = lines.join(' ').replace(/\s+/g, ' ');
  assert.equal(lines.filter((l) => l.startsWith('Dear ')).length, 1, text);
  assert.ok(lines.includes('Dear Jonah Marchetti:'), text);
  assert.ok(lines.some((l) => / Street$/.test(l)) && lines.includes('Springfield'), text);
  assert.match(text, /The information involved was your name, date of birth and record number; and your medical record/);
  assert.match(text, /Watch your mail for anything unexpected\./);
  assert.match(text, /Call 1-800-555-0100 \(toll free\)\./);
  assert.match(text, /Sincerely,/);

  // The audit search: previewed (nothing changes), then adopted.
  const day = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);
  await co.fill('#username', 'nurse');
  await co.fill('#from', day(-1));
  await co.fill('#to', day(1));
  await co.selectOption('#action', 'phi.read');
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Preview who it finds")')]);
  const preview = co.locator('#preview');
  assert.match(await preview.textContent(), /Jonah Marchetti \(already in the scope\)/);
  assert.match(await co.textContent('#scope'), /1 patient in the scope/);
  assert.equal(await co.inputValue('#username'), 'nurse');
  assert.deepEqual(await seriousViolations(co), []);
  await preview.scrollIntoViewIfNeeded();
  await screenshot(co, 'incident-scope-preview', { fullPage: false });
  await co.setViewportSize({ width: 390, height: 844 });
  await preview.scrollIntoViewIfNeeded();
  await screenshot(co, 'incident-scope-preview-phone', { fullPage: false });
  await co.setViewportSize({ width: 1280, height: 800 });
  const found = await preview.locator('tbody tr').count();
  await Promise.all([co.waitForNavigation(), preview.locator('button:has-text("Adopt")').click()]);
  const inScope = Number((await co.textContent('#scope')).match(/(\d+) patients? in the scope/)[1]);
  assert.ok(inScope >= 1 && inScope <= found + 1, `${inScope} after adopting ${found}`);
  assert.equal(await co.inputValue('#affected'), String(inScope));
  await co.locator('#scope').scrollIntoViewIfNeeded();
  await screenshot(co, 'incident-scope-adopted', { fullPage: false });
  await co.setViewportSize({ width: 390, height: 844 });
  await co.locator('#scope').scrollIntoViewIfNeeded();
  await screenshot(co, 'incident-scope-adopted-phone', { fullPage: false });

  await co.setViewportSize({ width: 1280, height: 800 });

  // A patient's disclosures and authorizations are opened by name too; typed but not picked
  // is refused with the name kept, and the address carries the id only.
  await co.goto(server.url + '/requests');
  await co.fill('#log-patient-find', 'Marchetti');
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Open their disclosures")')]);
  assert.match(await co.textContent('#find-log'), /choose the patient/);
  assert.equal(await co.inputValue('#log-patient-find'), 'Marchetti');
  await co.locator('#find-log').scrollIntoViewIfNeeded();
  await screenshot(co, 'requests-open-log-refused', { fullPage: false });
  await co.fill('#log-patient-find', 'Marchett');
  await co.locator('#find-log .pick-results button.pick', { hasText: 'Marchetti, Jonah' }).click();
  await co.locator('#find-log').scrollIntoViewIfNeeded();
  await screenshot(co, 'requests-open-log', { fullPage: false });
  await co.setViewportSize({ width: 390, height: 844 });
  await co.locator('#find-log').scrollIntoViewIfNeeded();
  await screenshot(co, 'requests-open-log-phone', { fullPage: false });
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Open their disclosures")')]);
  assert.match(co.url(), /\/requests\/patients\/4(#[a-z-]*)?$/);
  assert.match(await co.textContent('h1'), /Jonah Marchetti/);
  assert.deepEqual(await seriousViolations(co), []);
  await screenshot(co, 'disclosures-by-name-phone', { fullPage: false });
  await co.setViewportSize({ width: 1280, height: 800 });
  await screenshot(co, 'disclosures-by-name');
});
