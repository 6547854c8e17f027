// Backups from the browser (issue 25, item 6): the owner types a folder that is not a full
// path on purpose (refused at the field, typing kept), then a real one; the first backup and
// the restore drill run and the result shows; the recovery sheet prints the key as text and a
// QR code. Screenshots at 1280x800 and 390x844; axe clean; no sideways scroll on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launch, signIn, seriousViolations, screenshot, refusedKeepsEverything } from '../lib.mjs';

let server, browser, usb;
before(async () => {
  server = await startServer();
  browser = await launch();
  usb = mkdtempSync(join(tmpdir(), 'carekeep-usb-'));
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (usb) rmSync(usb, { recursive: true, force: true });
});

async function noSidewaysScroll(page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the page scrolls sideways by ${wide}px`);
}

async function bothSizes(page, shot) {
  assert.deepEqual(await seriousViolations(page), [], shot);
  await screenshot(page, shot);
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page);
  await screenshot(page, shot + '-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the owner sets up backups in the browser', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(server.url + '/setup/backups');
  await bothSizes(page, 'setup-backups-empty');

  await page.fill('#folder', 'E drive backups');
  await refusedKeepsEverything(page, 'backups', 'folder', 'setup-backups-refused');
  assert.match(await page.textContent('#folder-error'), /full path/);
  assert.equal(await page.inputValue('#folder'), 'E drive backups');

  await page.fill('#folder', usb);
  await Promise.all([page.waitForNavigation(), page.click('#backups button[type=submit]')]);
  assert.match(await page.textContent('main'), /the first backup is made and the restore drill passed/);
  assert.match(await page.textContent('#result'), /passed/);
  assert.match(await page.textContent('#result'), /Time to restore/);
  assert.equal(readdirSync(usb).filter((n) => n.endsWith('.ckb')).length, 1, 'the first backup is in the folder');
  await bothSizes(page, 'setup-backups-done');

  await page.goto(server.url + '/setup/backups/sheet');
  assert.match(await page.textContent('.key-lines'), /carekeep-backup-k/);
  assert.equal(await page.locator('svg[role=img] title').count() >= 1, true, 'the QR code has a title');
  await bothSizes(page, 'setup-backups-sheet');
  await page.emulateMedia({ media: 'print' });
  await screenshot(page, 'setup-backups-sheet-print');
  await page.emulateMedia({ media: 'screen' });
  const pdf = await page.pdf({ format: 'Letter' });
  assert.ok(pdf.length > 1000, 'the sheet prints');

  // The step on the path now leads here.
  await page.goto(server.url + '/setup');
  assert.equal(await page.locator('ol.steps a[href="/setup/backups"]').count(), 1);
});

test('staff who are not owners are not shown the key', async () => {
  const page = await signIn(browser, server, 'compliance');
  const res = await page.goto(server.url + '/setup/backups/sheet');
  assert.equal(res.status(), 403);
  assert.ok(!(await page.content()).includes('carekeep-backup-key-v1:'));
});
