// Policies in one review (issue 25, item 5): the owner adopts the templates together with one
// submission after a mistake on purpose (a blank typed back into one text); the front desk
// acknowledges every pending policy with one submission. Screenshots at 1280x800 and 390x844;
// axe clean; no sideways scroll on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

async function phone(page, name) {
  await page.setViewportSize({ width: 390, height: 844 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `${name} scrolls sideways by ${wide}px`);
  await screenshot(page, name + '-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the owner adopts the policies together and the front desk acknowledges them at once', async () => {
  const owner = await signIn(browser, server, 'owner');
  await owner.goto(server.url + '/program/policies/review');
  const boxes = await owner.locator('input[name=adopt]').count();
  assert.ok(boxes >= 1, 'templates to adopt');
  assert.deepEqual(await seriousViolations(owner), []);
  // A mistake on purpose: a blank typed into the sanctions policy.
  const sanctions = owner.locator('#body-sanctions');
  const typed = (await sanctions.inputValue()) + '\r\nCall [[the owner\'s cell phone]] after hours.';
  await sanctions.fill(typed);
  await Promise.all([owner.waitForNavigation(), owner.click('#review button[type=submit]')]);
  assert.match(await owner.textContent('main'), /still has a blank to fill: “the owner's cell phone”/);
  assert.match(await owner.locator('#body-sanctions').inputValue(), /Call \[\[the owner's cell phone\]\] after hours\./);
  assert.deepEqual(await seriousViolations(owner), []);
  await screenshot(owner, 'policy-review-refused', { fullPage: false });
  await phone(owner, 'policy-review-refused');
  await owner.locator('#body-sanctions').fill(typed.replace("[[the owner's cell phone]]", '(512) 555-0199'));
  await Promise.all([owner.waitForNavigation(), owner.click('#review button[type=submit]')]);
  assert.match(await owner.textContent('main'), new RegExp(`Adopted ${boxes} policies`));
  await screenshot(owner, 'policies-adopted', { fullPage: false });

  const desk = await signIn(browser, server, 'frontdesk');
  await desk.goto(server.url + '/policies');
  assert.deepEqual(await seriousViolations(desk), []);
  await screenshot(desk, 'policies-to-acknowledge', { fullPage: false });
  await phone(desk, 'policies-to-acknowledge');
  await Promise.all([desk.waitForNavigation(), desk.click('#acknowledge button[type=submit]')]);
  assert.match(await desk.textContent('main'), /You have acknowledged every current policy/);
});
