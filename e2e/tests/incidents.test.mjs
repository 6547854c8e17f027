// Incidents in the browser: anyone reports one from any page in two clicks; the compliance
// officer assesses it and sees the notices owed. Each page checked with axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('billing reports an incident in two clicks and the compliance officer assesses it', async () => {
  const staff = await signIn(browser, server, 'billing');
  await staff.goto(server.url + '/billing');
  await staff.click('nav >> text=Report an incident');
  await staff.fill('#title', 'Statement mailed to the wrong address');
  await screenshot(staff, 'incident-report');
  assert.deepEqual(await seriousViolations(staff), []);
  await Promise.all([staff.waitForNavigation(), staff.click('main button:has-text("Report it")')]);
  assert.match(await staff.textContent('main'), /is recorded and the compliance officer has been told/);

  const co = await signIn(browser, server, 'compliance');
  await co.click('nav >> text=Incidents');
  assert.match(await co.textContent('main'), /Statement mailed to the wrong address/);
  assert.deepEqual(await seriousViolations(co), []);
  await Promise.all([co.waitForNavigation(), co.click('main a:has-text("Statement mailed")')]);
  assert.match(await co.textContent('#obligations'), /164\.404\(b\)/);
  await co.fill('#affected', '1');
  await co.fill('#nature_and_extent', 'name, address and one invoice total; no clinical data');
  await co.fill('#unauthorized_person', 'a neighbour, who returned it unopened');
  await co.fill('#acquired_or_viewed', 'returned sealed the next day');
  await co.fill('#mitigation', 'address corrected; envelope shredded');
  await co.check('input[name=low_probability]');
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Save the assessment")')]);
  assert.match(await co.textContent('main'), /low_probability/);
  assert.match(await co.textContent('#obligations'), /None/);
  await screenshot(co, 'incident');
  assert.deepEqual(await seriousViolations(co), []);
});

