// The risk assessment as a wizard (issue 25, item 7): section by section with progress; a
// mistake keeps the section as typed; "we don't know yet" makes a task. axe at 1280 and 390
// px, no sideways scroll on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

async function narrow(page, name) {
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, `no sideways scroll (${name})`);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, name + '-390');
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the owner answers the technical section in one submission', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/program/sra');
  const links = page.locator('main a[href^="/program/sra/"]');
  if ((await links.count()) > 0) await page.goto(server.url + await links.first().getAttribute('href'));
  if ((await page.locator('a[href$="/wizard/1"]').count()) === 0) {
    await page.goto(server.url + '/program/sra');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/program/sra"] button')]);
  }
  const wizard = await page.locator('a[href$="/wizard/1"]').first().getAttribute('href');
  await page.goto(server.url + wizard.replace(/1$/, '3'));
  assert.match(await page.textContent('h1'), /section 3 of 5/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'sra-wizard');
  await narrow(page, 'sra-wizard');
  await page.check('input[name=TEC-02_answer][value=not_applicable]');
  await page.check('input[name=TEC-03_answer][value=unknown]');
  await page.click('#TEC-02 summary');
  await page.fill('#TEC-02_reason', 'No emergency: every record is on paper too');
  await page.fill('#task_owner', '');
  await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);
  assert.match(await page.textContent('#task-error'), /owner/);
  assert.ok(await page.locator('input[name=TEC-03_answer][value=unknown]').isChecked());
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'sra-wizard-refused');
  await narrow(page, 'sra-wizard-refused');
  assert.equal(await page.inputValue('#TEC-02_reason'), 'No emergency: every record is on paper too');
  await page.fill('#task_owner', 'Oscar Owner');
  await Promise.all([page.waitForNavigation(), page.click('button[value=next]')]);
  assert.match(await page.textContent('h1'), /section 4 of 5/);
});
