// Inviting staff (issue 25, item 3): the owner adds a person with no first password and gets
// a one-time set-up link; the person opens it, mistypes, then chooses a password; the link
// then says it was used. axe at 1280 and 390 px, no sideways scroll on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

async function phone(page, name) {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll on a phone (${wide}px)`);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, name + '-390');
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the owner invites a person, who chooses a password through the link once', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/admin/users/new');
  await phone(page, 'invite-new');
  await page.fill('#display_name', 'Rosa Delgado');
  await page.fill('#username', 'rdelgado');
  await page.locator('input[name=role][value=nurse]').check();
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'invite-new');
  await Promise.all([page.waitForNavigation(), page.click('#new-user button[type=submit]')]);
  assert.match(await page.textContent('h1'), /Invitation made/);
  const link = await page.inputValue('#link');
  assert.match(link, /\/invite\/[A-Za-z0-9_-]{20,}$/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'invite-made');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize({ width: 390, height: 844 });
  const narrow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(narrow <= 390, `no sideways scroll on a phone (${narrow}px, ${wide}px wide)`);
  await screenshot(page, 'invite-made-390');

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const person = await context.newPage();
  await person.goto(link);
  assert.match(await person.textContent('main'), /Rosa Delgado/);
  await person.fill('#password', 'correct horse battery staple');
  await person.fill('#again', 'correct horse battery stapel');
  await Promise.all([person.waitForNavigation(), person.click('form[action^="/invite/"] button')]);
  assert.match(await person.textContent('#invite-error'), /two passwords differ/);
  assert.deepEqual(await seriousViolations(person), []);
  await screenshot(person, 'invite-refused');
  await person.setViewportSize({ width: 390, height: 844 });
  assert.ok(await person.evaluate(() => document.documentElement.scrollWidth) <= 390, 'no sideways scroll');
  assert.deepEqual(await seriousViolations(person), []);
  await screenshot(person, 'invite-refused-390');
  await person.setViewportSize({ width: 1280, height: 800 });
  await person.fill('#password', 'correct horse battery staple');
  await person.fill('#again', 'correct horse battery staple');
  await Promise.all([person.waitForNavigation(), person.click('form[action^="/invite/"] button')]);
  assert.match(await person.textContent('main'), /Your password is saved/);
  await person.goto(link);
  assert.match(await person.textContent('main'), /already been used/);
  assert.equal(await person.locator('#again').count(), 0);
  assert.deepEqual(await seriousViolations(person), []);
  await screenshot(person, 'invite-used');
  await phone(person, 'invite-used');
});
