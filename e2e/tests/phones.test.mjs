// Issue 24 item 7: the front desk's pages, the chart header and the incident report work on a
// phone (390x844) without sideways scrolling, the menu folded; nothing overlaps at 1280x800
// (the incident and disclosure forms' dropdowns included). axe on each, screenshots saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** Form controls and labels in main whose boxes cross one another (neither inside the other). */
async function overlaps(page) {
  return page.evaluate(() => {
    const els = [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea, main button, main label')]
      .filter((e) => e.offsetParent !== null && !e.closest('details:not([open]) > :not(summary)'));
    const out = [];
    for (let i = 0; i < els.length; i++) {
      for (let j = i + 1; j < els.length; j++) {
        const [a, b] = [els[i], els[j]];
        if (a.contains(b) || b.contains(a)) continue;
        const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
        const x = Math.min(r.right, s.right) - Math.max(r.left, s.left);
        const y = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
        if (x > 2 && y > 2) out.push(`${a.outerHTML.slice(0, 60)} x ${b.outerHTML.slice(0, 60)}`);
      }
    }
    return out;
  });
}

async function check(page, name) {
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(await seriousViolations(page), [], `${name} at 1280`);
  assert.deepEqual(await overlaps(page), [], `${name}: nothing overlaps at 1280`);
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  assert.deepEqual(await seriousViolations(page), [], `${name} at 390`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `${name} scrolls sideways at 390 px (${wide} px wide)`);
  assert.deepEqual(await overlaps(page), [], `${name}: nothing overlaps at 390`);
  // The menu is folded on the phone, one tap away.
  assert.equal(await page.locator('details.nav-menu').getAttribute('open'), null, `${name}: menu folded`);
  await screenshot(page, `${name}-390`);
  await screenshot(page, `${name}-390-top`, { fullPage: false });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the front desk on a phone: search, registration, schedule, check-in, the chart header', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.goto(server.url + '/patients');
  await page.fill('#patient-search', 'Wh');
  await page.waitForSelector('#search-results >> text=Whitfield');
  await check(page, 'phone-search');
  await page.goto(server.url + '/patients/new');
  await check(page, 'phone-register');
  await page.goto(server.url + '/schedule');
  await check(page, 'phone-schedule');
  await page.goto(server.url + '/patients/4');
  await check(page, 'phone-chart-front-desk');
  // The menu opens with a tap and leads on.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.click('details.nav-menu > summary');
  await Promise.all([page.waitForNavigation(), page.click('nav >> text=Schedule')]);
  assert.match(page.url(), /\/schedule/);
});

test('the incident report and the disclosure form on a phone and a wide screen', async () => {
  const page = await signIn(browser, server, 'compliance');
  await page.goto(server.url + '/incidents/new');
  await check(page, 'phone-incident-new');
  await page.goto(server.url + '/requests');
  await check(page, 'phone-requests');
  await page.goto(server.url + '/requests/patients/4');
  await check(page, 'phone-disclosures');
});

test('the billing work list: dates, worded statuses distinct from one another, stacked on a phone', async () => {
  const page = await signIn(browser, server, 'billing');
  await page.goto(server.url + '/billing');
  const kinds = await page.locator('td .status').evaluateAll((els) => [...new Set(els.map((e) => e.className))]);
  assert.ok(kinds.length >= 1);
  // Each status its own colour: "Partly paid" is not Unpaid's red.
  const colours = await page.evaluate(() => {
    const out = {};
    for (const cls of ['status-paid', 'status-partly_paid', 'status-unpaid']) {
      const e = document.createElement('span');
      e.className = 'status ' + cls;
      document.body.append(e);
      out[cls] = getComputedStyle(e).color;
      e.remove();
    }
    return out;
  });
  assert.equal(new Set(Object.values(colours)).size, 3, JSON.stringify(colours));
  assert.match(await page.textContent('tbody tr td[data-label=Date]'), /^\d{2}\/\d{2}\/\d{4}$/);
  await check(page, 'phone-billing');
});
