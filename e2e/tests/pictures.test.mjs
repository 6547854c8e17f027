// Issue 24 item 6: the SRA's risk heat map and training completion, drawn on the server as
// SVG with a title and a text equivalent, at 1280x800 and 390x844 with axe; screenshots saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, signIn, seriousViolations, screenshot, shots } from '../lib.mjs';

// One sign-in for both tests: a second within the same 30 s would replay its code.
let server, browser, page;
before(async () => { server = await startServer(); browser = await launch(); page = await signIn(browser, server, 'owner'); });
after(async () => { await browser?.close(); server?.stop(); });

async function atBothSizes(page, name, part = null) {
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(await seriousViolations(page), [], `${name} at 1280`);
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  assert.deepEqual(await seriousViolations(page), [], `${name} at 390`);
  // The picture fits the phone (the SRA page's own answer table is not part of this issue).
  const wide = part
    ? await page.locator(part).evaluate((e) => Math.ceil(e.getBoundingClientRect().right))
    : await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `${name} runs past 390 px (${wide} px)`);
  await screenshot(page, `${name}-390`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the risk heat map counts the risks per cell and each cell leads to its risks', async () => {
  await page.goto(server.url + '/program/sra');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Start the first assessment")')]);
  for (const [threat, likelihood, impact] of [['ransomware', 'high', 'high'], ['ransomware', 'low', 'moderate']]) {
    await page.selectOption('#threat', threat);
    await page.selectOption('#likelihood', likelihood);
    await page.selectOption('#impact', impact);
    await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Add risk")')]);
  }
  const map = page.locator('#risks svg');
  assert.equal(await map.locator('title#risk-heat-map-title').textContent(), 'Risk heat map');
  assert.match(await map.locator('desc').textContent(), /^2 risks on a 3 by 3 matrix/);
  assert.equal(await map.locator('a').count(), 9);
  assert.match(await page.textContent('#cell-high-high'), /Likelihood high, impact high \(level high\): Ransomware/);
  await map.locator('a[href="#cell-high-high"]').click();
  assert.match(page.url(), /#cell-high-high$/);
  await page.click('#cell-high-high a');
  assert.match(page.url(), /#risk-\d+$/);
  await atBothSizes(page, 'sra-heat-map', '.heat');
  await page.locator('.heat').screenshot({ path: join(shots, 'sra-heat-map-part.png') });
});

test('training completion: current, due soon and overdue in one picture', async () => {
  await page.goto(server.url + '/program/workforce');
  // Someone hired long ago with no training recorded: on a clinic's first day, due within
  // the hire window from the program's start (issue 33), so due soon rather than overdue.
  await page.fill('#name', 'Morgan Lee');
  await page.fill('#job_title', 'Medical assistant');
  await page.fill('#hired_on', '2025-01-06');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Add")')]);
  await page.goto(server.url + '/program/workforce');
  const bar = page.locator('svg');
  assert.equal(await bar.locator('title#training-completion-title').textContent(), 'Training completion');
  assert.match(await bar.locator('desc').textContent(), /^Training: \d+ current, [1-9]\d* due soon, \d+ overdue\./);
  await atBothSizes(page, 'workforce-training', 'figure.picture-figure');
  await page.locator('figure.picture-figure').screenshot({ path: join(shots, 'workforce-training-part.png') });
});
