// Issue 24: the chart opens on its header (allergies, problems, medications, alerts, the next
// visit), vitals have a trend picture; the audit trail names people and patients, and each
// patient has an access timeline. Each page at 1280x800 and 390x844, with axe and a check that
// nothing scrolls sideways on a phone. Screenshots under target/e2e-screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, signIn, seriousViolations, screenshot, shots } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** Checks a page at both sizes: axe clean, no sideways scroll on the phone, screenshots. */
async function atBothSizes(page, name) {
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(await seriousViolations(page), [], `${name} at 1280`);
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  assert.deepEqual(await seriousViolations(page), [], `${name} at 390`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `${name} scrolls sideways at 390 px (${wide} px wide)`);
  await screenshot(page, `${name}-390`);
  await screenshot(page, `${name}-390-top`, { fullPage: false });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the chart opens on its header; vitals typed with a mistake are kept, then drawn', async () => {
  const page = await signIn(browser, server, 'provider');
  await page.goto(server.url + '/patients/4');
  const head = page.locator('header.chart-head');
  await head.waitFor();
  assert.match(await head.textContent(), /Allergies/);
  assert.match(await head.textContent(), /Active problems/);
  assert.match(await head.textContent(), /Next appointment/);
  assert.match(await head.textContent(), /Notice of Privacy Practices/);
  // The header comes before every section.
  const order = await page.evaluate(() => {
    const h = document.querySelector('header.chart-head');
    const n = document.querySelector('#notes');
    return h.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING;
  });
  assert.ok(order, 'the header is above the notes');

  // A second set of vitals, with a mistake first: the typing comes back, the message at its field.
  await page.click('summary:has-text("Record vitals")');
  await page.fill('#systolic', '14O');
  await page.fill('#diastolic', '91');
  await page.fill('#pulse', '77');
  await Promise.all([page.waitForNavigation(), page.click('#vitals-form button[type=submit]')]);
  assert.equal(await page.inputValue('#systolic'), '14O');
  assert.equal(await page.inputValue('#diastolic'), '91');
  assert.equal(await page.getAttribute('#systolic', 'aria-invalid'), 'true');
  await page.fill('#systolic', '142');
  await Promise.all([page.waitForNavigation(), page.click('#vitals-form button[type=submit]')]);
  const trend = page.locator('#vitals svg');
  await trend.waitFor();
  assert.equal(await page.textContent('#vitals svg title#vitals-trend-title'), 'Vitals over time');
  assert.match(await page.textContent('#vitals svg desc'), /Systolic .* to 142 mmHg/);
  await page.goto(server.url + '/patients/4');
  await atBothSizes(page, 'chart-header');
  await page.locator('#vitals').screenshot({ path: join(shots, 'chart-vitals-trend.png') });

  // Photos: the demo's before and after of one area, side by side, each opening full size.
  const compare = page.locator('#photos .compare');
  assert.equal(await compare.locator('img').count(), 2);
  assert.match(await compare.textContent(), /Before.*After/s);
  await page.locator('#photos').screenshot({ path: join(shots, 'chart-photos-1280.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('#photos').screenshot({ path: join(shots, 'chart-photos-390.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  const [full] = await Promise.all([page.waitForNavigation(), compare.locator('a').first().click()]);
  assert.equal(full.status(), 200);
  assert.match(full.headers()['content-type'], /^image\//);
});

test('the audit log names people and patients; a patient has an access timeline', async () => {
  const page = await signIn(browser, server, 'compliance');
  await page.goto(server.url + '/audit?patient=4');
  assert.match(await page.textContent('main'), /Access timeline of/);
  assert.doesNotMatch(await page.textContent('main table'), /\bphi\.read\b/);
  await atBothSizes(page, 'audit-log');
  await Promise.all([page.waitForNavigation(), page.click('text=Access timeline of')]);
  assert.match(await page.textContent('h1'), /^Who opened .+'s record$/);
  const marks = await page.locator('svg a').count();
  const rows = await page.locator('tbody tr').count();
  assert.ok(rows > 0);
  assert.equal(marks, rows, 'one mark per row');
  assert.ok(await page.locator('svg title#access-timeline-title').count());
  await atBothSizes(page, 'access-timeline');
});
