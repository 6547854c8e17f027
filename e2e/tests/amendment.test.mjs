// An amendment the patient asked for: the compliance officer accepts it on the Requests page,
// and it waits on the chart until a provider, whom the chart's policy lets write it, files it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('an accepted amendment waits on the chart until a provider files it', async () => {
  const co = await signIn(browser, server, 'compliance');
  await co.goto(server.url + '/requests');
  // The patient is chosen by name (the demo's patient 4).
  await co.fill('#patient-find', 'Marchetti');
  await co.locator('.pick-results button.pick', { hasText: 'Marchetti, Jonah' }).click();
  await co.selectOption('#kind', 'amendment');
  await co.fill('#details', 'My allergy is to latex, not penicillin');
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Log it")')]);
  const row = co.locator('tr[data-request]', { hasText: 'latex, not penicillin' });
  await row.locator('summary:has-text("Decide")').click();
  await row.locator('select[name=outcome]').selectOption('granted');
  await row.locator('textarea[name=amendment]').fill('Allergy: latex (hives). Not allergic to penicillin.');
  await Promise.all([co.waitForNavigation(), row.locator('button:has-text("Decide")').click()]);
  const decided = co.locator('tr[data-request]', { hasText: 'latex, not penicillin' });
  assert.match(await decided.textContent(), /waiting for a clinician to file it/);
  await decided.scrollIntoViewIfNeeded();
  await screenshot(co, 'requests-amendment-waiting', { fullPage: false });
  await co.context().close();

  const doc = await signIn(browser, server, 'provider');
  await doc.goto(server.url + '/patients/4');
  const waiting = doc.locator('[id^=amendment-]');
  assert.match(await waiting.textContent(), /Not allergic to penicillin/);
  assert.deepEqual(await seriousViolations(doc), []);
  await waiting.scrollIntoViewIfNeeded();
  await screenshot(doc, 'chart-amendment-to-file');
  await doc.setViewportSize({ width: 390, height: 844 });
  await waiting.scrollIntoViewIfNeeded();
  await screenshot(doc, 'chart-amendment-to-file-phone', { fullPage: false });
  await doc.setViewportSize({ width: 1280, height: 800 });
  await Promise.all([doc.waitForNavigation(), waiting.locator('button:has-text("File it")').click()]);
  assert.match(await doc.textContent('main'), /accepted amendment is filed/);
  assert.equal(await doc.locator('[id^=amendment-]').count(), 0, 'nothing left to file');
  assert.match(await doc.locator('#notes').textContent(), /Amendment accepted at the patient's request/);
  await doc.context().close();
});
