// The compliance program's pages: the owner's dashboard, vendors, workforce, policies, the
// notice, and the course and policies every person reads; each checked with axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('the owner keeps the program and every page is accessible', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.click('nav >> text=Compliance');
  assert.match(await page.textContent('main'), /Two-step verification on every account/);
  await screenshot(page, 'program-dashboard');
  assert.deepEqual(await seriousViolations(page), []);

  await page.click('text=Vendors and BAAs');
  await page.fill('#name', 'Lockbox Cloud');
  await page.fill('#service', 'Off-site backup');
  await page.check('input[name=maintains_phi]');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Save vendor")')]);
  assert.match(await page.textContent('main'), /it has none in force today/);
  assert.deepEqual(await seriousViolations(page), []);

  // The risk assessment: start it, add a risk, see the rows with the system's evidence.
  await page.goto(server.url + '/program/sra');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Start the first assessment")')]);
  assert.match(await page.textContent('main'), /TEC-07 Person or entity authentication/);
  assert.match(await page.textContent('main'), /filled in by Carekeep/);
  await page.selectOption('#threat', 'ransomware');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Add risk")')]);
  assert.match(await page.textContent('#risks'), /Ransomware/);
  await screenshot(page, 'risk-assessment');
  assert.deepEqual(await seriousViolations(page), []);

  for (const [path, shot] of [['/program/sra', 'risk-assessments'], ['/program/workforce', 'workforce'], ['/program/policies', 'policies'],
    ['/program/policies/breach_response', 'policy'], ['/program/npp', 'npp'], ['/training', 'course'], ['/policies', 'policies-read']]) {
    const res = await page.goto(server.url + path);
    assert.equal(res.status(), 200, path);
    await screenshot(page, shot);
    assert.deepEqual(await seriousViolations(page), [], path);
  }
});
