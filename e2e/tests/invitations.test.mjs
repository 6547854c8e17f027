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
  // No email relay in the demo: it says so, and a printed code is the first choice.
  assert.match(await page.textContent('main'), /No email relay is set up/);
  assert.ok(await page.locator('input[name=how][value=code]').isChecked());
  await page.locator('input[name=how][value=link]').check();
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

test('a printed set-up code: the sheet, then the person types it with mistakes, once', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/admin/users/new');
  await page.fill('#display_name', 'Sam Okafor');
  await page.fill('#username', 'sokafor');
  await page.fill('#job_title', 'Medical assistant');
  await page.fill('#email', 'sam@clinic.example');
  await page.locator('input[name=role][value=frontdesk], input[name=role][value=front_desk]').first().check();
  // A mistake on purpose: a hire date that is not a date. Everything typed stays.
  await page.fill('#hired_on', '02/30/2026');
  await Promise.all([page.waitForNavigation(), page.click('#new-user button[type=submit]')]);
  assert.match(await page.textContent('#hired_on-error'), /hire date/);
  assert.equal(await page.inputValue('#display_name'), 'Sam Okafor');
  assert.equal(await page.inputValue('#job_title'), 'Medical assistant');
  assert.equal(await page.inputValue('#email'), 'sam@clinic.example');
  assert.equal(await page.inputValue('#hired_on'), '02/30/2026');
  assert.ok(await page.locator('input[name=how][value=code]').isChecked());
  await screenshot(page, 'staff-add-refused');
  await page.fill('#hired_on', '02/16/2026');
  await Promise.all([page.waitForNavigation(), page.click('#new-user button[type=submit]')]);
  assert.match(await page.textContent('h1'), /Set-up code for Sam Okafor/);
  const code = (await page.textContent('.key-lines code')).trim();
  assert.match(code, /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'staff-code-sheet');
  await page.emulateMedia({ media: 'print' });
  await screenshot(page, 'staff-code-sheet-print');
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'no sideways scroll');
  await screenshot(page, 'staff-code-sheet-390');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The staff list: one line each, Sam invited.
  await page.goto(server.url + '/admin/users');
  const row = page.locator('tr', { hasText: 'Sam Okafor' });
  assert.match(await row.textContent(), /Invited/);
  assert.match(await row.textContent(), /02\/16\/2026/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'staff-list');
  await phone(page, 'staff-list');
  await row.locator('a').click();
  await page.waitForLoadState();
  assert.match(await page.textContent('main'), /Send a new invitation/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'staff-person-invited');
  await phone(page, 'staff-person-invited');
  await page.goto(server.url + '/program/workforce');
  assert.match(await page.locator('tr', { hasText: 'Sam Okafor' }).textContent(), /Invited/);
  await screenshot(page, 'staff-workforce');
  await phone(page, 'staff-workforce');

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const person = await context.newPage();
  await person.goto(server.url + '/invite');
  assert.deepEqual(await seriousViolations(person), []);
  await screenshot(person, 'staff-code-form');
  await person.fill('#code', code.slice(0, 10));
  await person.fill('#password', 'correct horse battery staple');
  await person.fill('#again', 'correct horse battery staple');
  await Promise.all([person.waitForNavigation(), person.click('form[action="/invite"] button')]);
  assert.match(await person.textContent('#code-error'), /set-up code is not right/);
  assert.equal(await person.inputValue('#code'), code.slice(0, 10));
  assert.deepEqual(await seriousViolations(person), []);
  await screenshot(person, 'staff-code-refused');
  await person.setViewportSize({ width: 390, height: 844 });
  assert.ok(await person.evaluate(() => document.documentElement.scrollWidth) <= 390, 'no sideways scroll');
  assert.deepEqual(await seriousViolations(person), []);
  await screenshot(person, 'staff-code-refused-390');
  await person.setViewportSize({ width: 1280, height: 800 });
  await person.fill('#code', code.toLowerCase().replaceAll('-', ' '));
  await person.fill('#password', 'correct horse battery staple');
  await person.fill('#again', 'correct horse battery staple');
  await Promise.all([person.waitForNavigation(), person.click('form[action="/invite"] button')]);
  assert.match(await person.textContent('main'), /Your password is saved/);
  await screenshot(person, 'staff-code-saved');
  await person.goto(server.url + '/invite');
  await person.fill('#code', code);
  await person.fill('#password', 'another long passphrase');
  await person.fill('#again', 'another long passphrase');
  await Promise.all([person.waitForNavigation(), person.click('form[action="/invite"] button')]);
  assert.match(await person.textContent('main'), /already been used/);
});
