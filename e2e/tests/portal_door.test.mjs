// The patients' door (issue 27, item 1): the portal's own listener serves the confirm link a
// reminder carries, with its own strict CSP; staff pages are not found there; a mistyped link
// is the plain not-found page; too many requests from one address get a page that says to
// wait. axe at 1280 and 390 px (patients use phones), no sideways scroll.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';
import { freePort } from '../portal_kit.mjs';

let server, browser, portal;

function nextMonday() {
  const d = new Date();
  d.setDate(d.getDate() + ((8 - d.getDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
}

before(async () => {
  const port = await freePort();
  portal = `http://127.0.0.1:${port}`;
  server = await startServer({
    CAREKEEP_PORTAL_LISTEN: `127.0.0.1:${port}`,
    CAREKEEP_PATIENT_URL: portal,
    CAREKEEP_PORTAL_RATE_LIMIT_PER_MINUTE: '25',
  });
  for (let i = 0; i < 100 && !server.log().includes(`The patient portal is served at ${portal}`); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(server.log(), new RegExp(`The patient portal is served at ${portal}`));
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); });

async function noSidewaysScroll(page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll on a phone (${wide}px)`);
}

async function both(page, name) {
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, name + '-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('a patient answers a reminder link on the portal; staff pages are not there', async () => {
  const desk = await signIn(browser, server, 'frontdesk');
  // An appointment still to come: a service, then a booking next Monday at 9:00 AM.
  await desk.goto(server.url + '/calendar/setup');
  await desk.fill('#room_name', 'Portal room');
  await Promise.all([desk.waitForNavigation(), desk.click('#room-form button')]);
  await desk.fill('#name', 'Portal visit');
  await desk.fill('#minutes', '30');
  await desk.selectOption('#room_id', { label: 'Portal room' });
  await Promise.all([desk.waitForNavigation(), desk.click('#service-form button')]);
  const day = nextMonday();
  await desk.goto(server.url + '/calendar?day=' + day);
  await Promise.all([desk.waitForNavigation(), desk.locator('a.cal-free[href*="T09:00"]').first().click()]);
  await desk.fill('#patient_find', 'Marchetti');
  await desk.locator('.pick-results button.pick', { hasText: 'Marchetti, Jonah' }).click();
  await desk.selectOption('#service', { label: 'Portal visit (30 min)' });
  await Promise.all([desk.waitForNavigation(), desk.click('#book-form button[type=submit]')]);
  await Promise.all([desk.waitForNavigation(), desk.click('#book-form button[type=submit]')]);
  await desk.goto(server.url + '/calendar?day=' + day);
  await Promise.all([desk.waitForNavigation(), desk.locator('a.cal-card', { hasText: 'Marchetti' }).first().click()]);
  await Promise.all([desk.waitForNavigation(), desk.click('text=Make a confirm-or-cancel link')]);
  const link = (await desk.textContent('#confirm-link code')).trim();
  assert.ok(link.startsWith(portal + '/c/'), `the link goes to the portal: ${link}`);

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const patient = await context.newPage();
  const res = await patient.goto(link);
  assert.equal(res.status(), 200);
  const csp = res.headers()['content-security-policy'];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /connect-src 'none'/);
  assert.doesNotMatch(csp, /data:/);
  assert.match(await patient.textContent('main'), /Demo Family Clinic/);
  await both(patient, 'portal-link');
  await Promise.all([patient.waitForNavigation(), patient.click('button[value=confirm]')]);
  assert.match(await patient.textContent('main'), /your appointment is confirmed/);

  // A link typed wrong: the plain not-found page, nothing more.
  const wrong = await patient.goto(portal + '/c/not-the-link');
  assert.equal(wrong.status(), 404);
  await both(patient, 'portal-not-found');

  // Staff pages and the API do not exist on the portal, even for a signed-in staff browser.
  for (const path of ['/patients', '/login', '/admin/users', '/api/v1/openapi.json', '/calendar']) {
    const r = await desk.goto(portal + path);
    assert.equal(r.status(), 404, path);
    assert.doesNotMatch(await desk.textContent('body'), /Sign out|Patients/, path);
  }
  await context.close();
});

test('too many requests from one address: a page that says to wait', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await context.newPage();
  let last;
  for (let i = 0; i < 40; i++) {
    // Not confirm links (their own per-link limit answers first): pages that are not there.
    last = await page.goto(portal + '/guess-' + i);
    if (last.status() === 429) break;
  }
  assert.equal(last.status(), 429);
  assert.ok(Number(last.headers()['retry-after']) >= 1);
  assert.match(await page.textContent('body'), /Too many requests from this address\. Please wait \d+ seconds/);
  await noSidewaysScroll(page);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'portal-too-many-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, 'portal-too-many');
  // The staff side is not limited by the portal's counter.
  const desk = await signIn(browser, server, 'nurse');
  assert.match(await desk.textContent('body'), /Sign out/);
  await context.close();
});
