// The portal certificate's standing on the owner's dashboard (issue 27): a portal whose ACME
// authority cannot be reached has no certificate, and the dashboard says so as a problem, in
// words, with what to do. axe at 1280 and 390 px, screenshots of both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';
import { freePort } from '../portal_kit.mjs';

let server, browser;
before(async () => {
  const [port, plain, dead] = [await freePort(), await freePort(), await freePort()];
  server = await startServer({
    CAREKEEP_PORTAL_LISTEN: `127.0.0.1:${port}`,
    CAREKEEP_PORTAL_HOST: 'portal.clinic.test',
    CAREKEEP_PORTAL_HTTP_LISTEN: `127.0.0.1:${plain}`,
    CAREKEEP_PORTAL_ACME_DIRECTORY: `https://127.0.0.1:${dead}/dir`,
    CAREKEEP_PORTAL_ACME_EMAIL: 'it@clinic.test',
  });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); });

test('the owner sees that the patient portal has no certificate, in words', async () => {
  const page = await signIn(browser, server, 'owner');
  let row = '';
  for (let i = 0; i < 40 && !row.includes('patient portal'); i++) {
    await page.goto(server.url + '/program');
    row = (await page.textContent('main')) || '';
    if (!row.includes('Patient portal reachable over HTTPS')) await new Promise((r) => setTimeout(r, 250));
  }
  const main = await page.textContent('main');
  assert.match(main, /Patient portal reachable over HTTPS/);
  assert.match(main, /The patient portal (is waiting for its first certificate|has no certificate yet)/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'dashboard-portal-certificate');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  assert.deepEqual(await seriousViolations(page), []);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll on a phone (${wide}px)`);
  await screenshot(page, 'dashboard-portal-certificate-phone');
  await page.context().close();
});
