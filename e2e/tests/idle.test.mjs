// Automatic logoff (45 CFR 164.312(a)(2)(iii)): the page warns a minute before, "stay" keeps
// the session, and without activity the session ends. The clinic's idle timeout is set to its
// minimum of 2 minutes so the test takes about that long.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, screenshot, seriousViolations } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer({ CAREKEEP_SESSION_IDLE_MINUTES: '2' }); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('the idle warning appears, stay keeps the session, and then it ends', { timeout: 300000 }, async () => {
  const page = await signIn(browser, server, 'nurse');
  await page.waitForSelector('#idle-warning:not([hidden])', { timeout: 75000 });
  await screenshot(page, 'idle-warning');
  assert.deepEqual(await seriousViolations(page), []);
  await page.click('#idle-stay');
  await page.waitForSelector('#idle-warning', { state: 'hidden', timeout: 5000 });
  await page.waitForURL(/\/login\?ended=1$/, { timeout: 150000 });
  assert.match(await page.textContent('main'), /You were signed out/);
  const res = await page.goto(server.url + '/');
  assert.equal(new URL(page.url()).pathname, '/login', 'the session is gone on the server too');
});
