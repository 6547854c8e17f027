// Issue 24 item 4: the access-monitoring page on the demo's seeded week shows the planted
// findings only, grouped by person and day, each as a sentence with links to the charts and
// the audit events; a review without a note is refused at its field keeping what was typed.
// At 1280x800 and 390x844 with axe, no sideways scroll on a phone, screenshots saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot, refusedKeepsEverything } from '../lib.mjs';

let server, browser, page;
before(async () => { server = await startServer(); browser = await launch(); page = await signIn(browser, server, 'compliance'); });
after(async () => { await browser?.close(); server?.stop(); });

test('monitoring on the seeded week: the planted findings, told in words, grouped by person and day', async () => {
  await page.goto(server.url + '/monitoring');
  const groups = page.locator('.person-day');
  assert.equal(await groups.count(), 3, 'the nurse at night, the nurse in the afternoon, the provider');
  assert.equal(await page.locator('.finding').count(), 5, 'five planted findings, nothing else');
  const text = await page.textContent('main');
  assert.match(text, /Nora Nurse opened the records of 35 different patients between 11:05 PM and 11:39 PM on \w+day, \d\d\/\d\d\/\d{4}/);
  assert.match(text, /Nora Nurse opened the record of Edith Nurse, who has the same surname/);
  assert.match(text, /Dr\. Priya Provider used emergency access \(break glass\)/);
  assert.doesNotMatch(text, /UTC|phi\.read|T\d\d:\d\d/);
  // The chart and event links lead somewhere real.
  const chart = page.locator('.finding a[href^="/patients/"]').first();
  assert.ok(await chart.count());
  const event = page.locator('.finding a[href^="/audit/patients/"]').first();
  const href = await event.getAttribute('href');
  await Promise.all([page.waitForNavigation(), event.click()]);
  assert.equal(await page.locator(new URL(server.url + href).hash).count(), 1, 'the event row is on the timeline');
  await page.goto(server.url + '/monitoring');

  for (const [w, h] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width: w, height: h });
    assert.deepEqual(await seriousViolations(page), [], `monitoring at ${w}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= w, `monitoring runs past ${w} px (${wide} px)`);
    await screenshot(page, `monitoring-${w}`);
    await screenshot(page, `monitoring-${w}-top`, { fullPage: false });
    await page.locator('.finding').nth(2).scrollIntoViewIfNeeded();
    await screenshot(page, `monitoring-${w}-finding`, { fullPage: false });
    await page.evaluate(() => window.scrollTo(0, 0));
  }
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('a review needs a note: refused at the field, typing kept; then reviewed with who and when', async () => {
  await page.goto(server.url + '/monitoring');
  const form = page.locator('.finding form').first();
  const id = await form.getAttribute('id');
  const note = form.locator('textarea');
  await note.fill('   ');
  await refusedKeepsEverything(page, id, `note-${id.replace('review-', '')}`, 'monitoring-refused');
  await page.locator(`#${id} textarea`).fill('Asked Nora: month-end chart check\r\nfor the quality report, approved by Dr. Owner.');
  await Promise.all([page.waitForNavigation(), page.locator(`#${id} button[type=submit]`).click()]);
  assert.match(await page.textContent('main'), /marked reviewed with your note/);
  assert.equal(await page.locator('.finding').count(), 4);
  await page.goto(server.url + '/monitoring?all=1');
  const text = await page.textContent('main');
  assert.match(text, /Reviewed by Cora Compliance on \d\d\/\d\d\/\d{4} \d{1,2}:\d\d [AP]M/);
  assert.match(text, /month-end chart check/);
  await screenshot(page, 'monitoring-reviewed-1280');
});
