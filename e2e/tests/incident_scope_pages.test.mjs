// A scope preview that finds more patients than one page names them 25 at a time, counts
// them all, moves between its pages with what was searched kept, and adopts them all. Its own
// server: each person signs in once (a code is used once).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('a scope preview of many patients is read a page at a time and adopted whole', async () => {
  // The front desk looks through the patient list: each page names its patients (a read each).
  const desk = await signIn(browser, server, 'frontdesk');
  await desk.goto(server.url + '/patients');
  let pages = 1;
  while ((await desk.locator('main a:has-text("Older")').count()) > 0) {
    await Promise.all([desk.waitForNavigation(), desk.click('main a:has-text("Older")')]);
    pages++;
  }
  await desk.context().close();
  assert.ok(pages >= 2, `the demo's list has ${pages} page(s)`);

  const co = await signIn(browser, server, 'compliance');
  await co.goto(server.url + '/incidents/new');
  await co.fill('#title', "The front desk's login was shared");
  await co.fill('#what_happened', 'Found on a sticky note at the desk.');
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Report it")')]);
  await co.goto(server.url + '/incidents');
  await Promise.all([co.waitForNavigation(), co.click('main a:has-text("login was shared")')]);
  const day = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);
  await co.fill('#username', 'frontdesk');
  await co.fill('#from', day(-1));
  await co.fill('#to', day(1));
  await co.selectOption('#action', 'phi.read');
  await Promise.all([co.waitForNavigation(), co.click('main button:has-text("Preview who it finds")')]);
  const preview = co.locator('#preview');
  const total = Number((await preview.locator('h3').textContent()).match(/finds (\d+) patients/)[1]);
  assert.ok(total > 25, `${total} found`);
  assert.equal(await preview.locator('tbody tr').count(), 25);
  assert.match(await co.textContent('#preview-place'), new RegExp(`Patients 1 to 25 of ${total}, by record number`));
  assert.equal(await preview.locator('button:has-text("Previous patients")').count(), 0);
  assert.match(await preview.locator('button[type=submit]').last().textContent(), new RegExp(`Adopt: add all ${total} patients`));
  assert.deepEqual(await seriousViolations(co), []);
  const first = await preview.locator('tbody tr td').first().textContent();
  await preview.locator('button:has-text("Next patients")').scrollIntoViewIfNeeded();
  await screenshot(co, 'incident-scope-pages', { fullPage: false });

  await Promise.all([co.waitForNavigation(), preview.locator('button:has-text("Next patients")').click()]);
  assert.match(await co.textContent('#preview-place'), new RegExp(`Patients 26 to \\d+ of ${total}`));
  assert.notEqual(await preview.locator('tbody tr td').first().textContent(), first, 'another page');
  assert.equal(await co.inputValue('#username'), 'frontdesk', 'the search as typed is kept');
  assert.equal(await co.inputValue('#action'), 'phi.read');
  await co.setViewportSize({ width: 390, height: 844 });
  await co.locator('#preview-place').scrollIntoViewIfNeeded();
  await screenshot(co, 'incident-scope-pages-phone', { fullPage: false });
  const width = await co.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scroll at 390 px (${width})`);
  await co.setViewportSize({ width: 1280, height: 800 });
  await Promise.all([co.waitForNavigation(), preview.locator('button:has-text("Previous patients")').click()]);
  assert.match(await co.textContent('#preview-place'), /Patients 1 to 25/);

  await Promise.all([co.waitForNavigation(), co.locator('#preview button:has-text("Adopt")').click()]);
  assert.match(await co.textContent('#scope'), new RegExp(`${total} patients in the scope`));
  await co.context().close();
});
