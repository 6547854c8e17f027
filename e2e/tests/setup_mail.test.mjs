// The email relay on the set-up path (issue 25, item 3): the owner types the relay, names the
// company that runs it with its BAA, makes a mistake on purpose (told at the field, everything
// typed kept but the password), saves, sends a test message, and invites a person by email.
// axe at 1280 and 390 px, no sideways scroll on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot, smtpSink } from '../lib.mjs';

let server, browser, sink;
before(async () => { server = await startServer(); browser = await launch(); sink = await smtpSink(); });
after(async () => { await browser?.close(); server?.stop(); await sink?.close(); });

async function narrow(page, name) {
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, `no sideways scroll (${name})`);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, name + '-390');
  await page.setViewportSize({ width: 1280, height: 800 });
}

const submit = (page, button) => Promise.all([page.waitForNavigation(), page.click(button)]).then(([r]) => r);

test('the owner sets up the email relay in the browser and invites a person by email', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/setup');
  assert.match(await page.textContent('#mail'), /Not set up/);
  await page.click('#mail a[href="/setup/mail"]');
  await page.waitForURL(/\/setup\/mail$/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'setup-mail');
  await narrow(page, 'setup-mail');

  // A mistake on purpose: no encryption to a relay across the network.
  await page.fill('#host', 'smtp.lakeside-mail.test');
  await page.fill('#port', String(sink.port));
  await page.check('input[name=security][value=none]');
  await page.fill('#password', 'app-password-1234');
  await page.fill('#from', 'Lakeside Medspa <carekeep@lakeside-medspa.test>');
  await page.fill('#vendor', 'Lakeside Mail Services');
  await page.check('input[name=baa][value=signed]');
  await page.fill('#signed_on', '12/01/2026');
  const res = await submit(page, '#relay button[type=submit]');
  assert.equal(res.status(), 422);
  assert.equal(new URL(page.url()).hash, '#relay', 'the answer opens at the form');
  assert.match(await page.textContent('#security-error'), /only to a relay on this computer/);
  assert.equal(await page.locator('#relay .error-summary a').getAttribute('href'), '#security');
  assert.equal(await page.inputValue('#host'), 'smtp.lakeside-mail.test');
  assert.equal(await page.inputValue('#port'), String(sink.port));
  assert.equal(await page.inputValue('#from'), 'Lakeside Medspa <carekeep@lakeside-medspa.test>');
  assert.equal(await page.inputValue('#vendor'), 'Lakeside Mail Services');
  assert.equal(await page.inputValue('#signed_on'), '12/01/2026');
  assert.ok(await page.locator('input[name=security][value=none]').isChecked());
  assert.ok(await page.locator('input[name=baa][value=signed]').isChecked());
  assert.equal(await page.inputValue('#password'), '', 'the password is never sent back');
  assert.match(await page.textContent('#relay .error-summary'), /type the password again/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'setup-mail-refused', { fullPage: false });
  await narrow(page, 'setup-mail-refused');

  // Put right: the stand-in relay runs on this computer.
  await page.fill('#host', '127.0.0.1');
  await submit(page, '#relay button[type=submit]');
  assert.match(await page.textContent('.notice'), /The email relay is saved/);
  assert.match(await page.textContent('#now'), /ready/);
  await page.fill('#to', 'olivia@lakeside-medspa.test');
  await submit(page, '#test button[type=submit]');
  assert.match(await page.textContent('.notice'), /test message went/);
  assert.ok(sink.messages.some((m) => m.to.includes('olivia@lakeside-medspa.test')), 'the test message arrived');
  await screenshot(page, 'setup-mail-saved');
  await narrow(page, 'setup-mail-saved');

  // The vendor is on the list with its BAA; invitations go by email.
  await page.goto(server.url + '/program/vendors');
  assert.match(await page.textContent('main'), /Lakeside Mail Services/);
  await page.goto(server.url + '/admin/users/new');
  assert.ok(await page.locator('input[name=how][value=email]').isChecked());
  await page.fill('#display_name', 'Rosa Delgado');
  await page.fill('#username', 'rdelgado2');
  await page.fill('#email', 'rosa@lakeside-medspa.test');
  await page.locator('input[name=role][value=nurse]').check();
  await submit(page, '#new-user button[type=submit]');
  assert.match(await page.textContent('main'), /emailed to Rosa Delgado/);
  assert.ok(sink.messages.some((m) => m.to.includes('rosa@lakeside-medspa.test') && m.data.includes('/invite/')));
});
