// Issue 30: the technology inventory with its gaps, a mistake that keeps every typed value, a
// disposal, the security evidence, the readiness profile for the proposed rule (PROPOSED,
// NOT LAW on every screen) with its network map, and the new incident kinds; each page at
// 1280x800 and 390x844, checked with axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const us = (d) => `${String(d.getMonth() + 1).padStart(2, '0')}/${String(d.getDate()).padStart(2, '0')}/${d.getFullYear()}`;

test('the inventory, a disposal, the evidence and the readiness profile', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/program/sra');
  const start = page.locator('main button:has-text("Start")').first();
  if (await start.count()) await Promise.all([page.waitForNavigation(), start.click()]);
  else await page.click('main a[href^="/program/sra/"]');
  const sra = page.url().split('#')[0];

  // A mistake on purpose: the wrong date format. Everything typed stays.
  await page.fill('#asset_name', 'Front desk PC');
  await page.selectOption('#asset_kind', 'workstation');
  await page.fill('#asset_owner', 'Maria Lopez');
  await page.fill('#asset_location', 'Front office');
  await page.fill('#asset_os', 'Windows 10 22H2');
  await page.fill('#asset_patched_on', '09/31/2026');
  await page.fill('#asset_support', '10/14/2025');
  await page.fill('#asset_notes', 'Shared by the desk');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Add asset")')]);
  assert.match(await page.textContent('#assets'), /the last patched date must look like 04\/23\/2026/);
  assert.equal(await page.inputValue('#asset_os'), 'Windows 10 22H2');
  assert.equal(await page.inputValue('#asset_notes'), 'Shared by the desk');
  assert.equal(await page.inputValue('#asset_kind'), 'workstation');
  await screenshot(page, 'inventory-refused', { fullPage: false });
  const old = new Date(Date.now() - 45 * 86400000);
  await page.fill('#asset_patched_on', us(old));
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Add asset")')]);
  assert.match(await page.textContent('#assets'), /Gaps: operating system no longer supported; not patched in the last 30 days; no disk encryption/);
  assert.match(await page.textContent('#risks'), /Patch Front desk PC/);
  await page.fill('#asset_name', 'Exam room laptop');
  await page.selectOption('#asset_kind', 'laptop');
  await page.fill('#asset_owner', 'Dr. Rivera');
  await page.fill('#asset_location', 'Exam room 2');
  await page.fill('#asset_os', 'macOS 14.6');
  await page.fill('#asset_patched_on', us(new Date(Date.now() - 86400000)));
  await page.check('input[name=encrypted]');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Add asset")')]);

  // Security evidence with a mistake, then saved.
  await page.fill('#last_scan_on', '2026-13-01');
  await page.fill('#alerts_recipient', 'Maria Lopez');
  await page.fill('#alerts_sources', 'CISA alerts, the EHR vendor, our IT provider');
  await page.fill('#alerts_checked_on', us(new Date(Date.now() - 86400000)));
  await page.fill('#latest_release', '9.9.9');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Save the security evidence")')]);
  assert.match(await page.textContent('#security'), /the vulnerability scan date must look like/);
  assert.equal(await page.inputValue('#alerts_sources'), 'CISA alerts, the EHR vendor, our IT provider');
  await page.fill('#last_scan_on', us(new Date(Date.now() - 20 * 86400000)));
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Save the security evidence")')]);
  assert.match(await page.textContent('#security'), /A newer release, 9\.9\.9, is known/);

  await page.locator('summary:has-text("Record the disposal or re-use of Front desk PC")').click();
  const form = page.locator('form[id^="dispose-"]').first();
  await form.locator('input[name=disposed_on]').fill(us(new Date(Date.now() - 86400000)));
  await form.locator('select[name=action]').selectOption('destroyed');
  await form.locator('input[name=method]').fill('Drive shredded on site');
  await form.locator('input[name=done_by]').fill('Shred Co');
  await form.locator('input[name=certificate]').fill('Certificate SC-1234');
  await Promise.all([page.waitForNavigation(), form.locator('button').click()]);
  assert.match(await page.textContent('#disposals'), /Certificate SC-1234/);
  assert.match(await page.textContent('#assets'), /disposed of/);
  await page.goto(sra + '#assets');
  await screenshot(page, 'inventory');
  assert.deepEqual(await seriousViolations(page), []);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(sra + '#assets');
  await screenshot(page, 'inventory-phone', { fullPage: false });
  await page.goto(sra + '#security');
  await screenshot(page, 'security-evidence-phone', { fullPage: false });
  await page.setViewportSize({ width: 1280, height: 800 });

  // The readiness profile.
  await page.goto(server.url + '/program');
  await Promise.all([page.waitForNavigation(), page.click('text=Proposed rule readiness')]);
  assert.match(await page.title(), /^PROPOSED, NOT LAW/);
  assert.match(await page.textContent('#proposed-banner'), /PROPOSED, NOT LAW/);
  assert.match(await page.textContent('main'), /Exam room laptop/);
  assert.equal(await page.locator('svg.network-map title').count(), 1);
  await screenshot(page, 'readiness');
  assert.deepEqual(await seriousViolations(page), []);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await screenshot(page, 'readiness-phone', { fullPage: false });
  await screenshot(page, 'readiness-phone-full');
  await page.emulateMedia({ media: 'print' });
  await screenshot(page, 'readiness-print');
});

test('an incident of a new kind', async () => {
  const page = await signIn(browser, server, 'nurse');
  await page.goto(server.url + '/incidents/new');
  await page.selectOption('#kind', 'email_misdirected');
  await page.fill('#what_happened', 'Sent the lab results\nto my own Gmail');
  // The title was left empty on purpose (the browser's `required` stops it, so send it without).
  await page.evaluate(() => document.querySelector('#title').removeAttribute('required'));
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Report it")')]);
  assert.equal(await page.inputValue('#what_happened'), 'Sent the lab results\nto my own Gmail');
  assert.equal(await page.inputValue('#kind'), 'email_misdirected');
  await screenshot(page, 'incident-kind-refused', { fullPage: false });
  await page.fill('#title', 'Lab results emailed to a personal account');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Report it")')]);
  assert.match(await page.textContent('main'), /is recorded/);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'incident-kind-phone', { fullPage: false });
  assert.deepEqual(await seriousViolations(page), []);
});

test('a vendor security review: a mistake keeps the typing, the rating is in words, phones fit', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/program/vendors');
  await page.fill('#name', 'CloudVault Backup');
  await page.fill('#service', 'Cloud backup');
  await page.check('input[name=maintains_phi]');
  await Promise.all([page.waitForNavigation(), page.click('#vendor-form button[type=submit]')]);
  assert.match(await page.textContent('#security'), /Never reviewed/);

  // A report chosen without its date: refused at the field, the CRLF text kept as typed.
  await page.selectOption('#report', 'soc2');
  await page.fill('#breach_history', 'Ransomware at the vendor, 2025\r\nNotified us late');
  await Promise.all([page.waitForNavigation(), page.click('#security-form button[type=submit]')]);
  assert.match(await page.textContent('#security'), /give the security report's date/);
  assert.equal(await page.inputValue('#report'), 'soc2');
  assert.equal(await page.inputValue('#breach_history'), 'Ransomware at the vendor, 2025\nNotified us late');
  await screenshot(page, 'vendor-security-refused', { fullPage: false });

  await page.selectOption('#report', 'none');
  await Promise.all([page.waitForNavigation(), page.click('#security-form button[type=submit]')]);
  assert.match(await page.textContent('#security'), /High risk/);
  for (const [w, h] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width: w, height: h });
    assert.deepEqual(await seriousViolations(page), [], `vendor page at ${w}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `no sideways scroll at ${w}`);
    await screenshot(page, `vendor-security-${w}`);
  }
});
