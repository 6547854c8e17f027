// Issue 24 item 5: the billing work list (dates, totals, status and date filters, worded
// badges that are not one red), the invoice page with its ledger, refunds and adjustments as
// new entries (a refused one keeps what was typed), and the receipt and statement PDFs.
// At 1280x800 and 390x844 with axe, no sideways scroll on a phone, screenshots saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot, refusedKeepsEverything, pdfLines } from '../lib.mjs';

let server, browser, page;
before(async () => { server = await startServer(); browser = await launch(); page = await signIn(browser, server, 'billing'); });
after(async () => { await browser?.close(); server?.stop(); });

async function atBothSizes(name) {
  for (const [w, h] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width: w, height: h });
    assert.deepEqual(await seriousViolations(page), [], `${name} at ${w}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= w, `${name} runs past ${w} px (${wide} px)`);
    await screenshot(page, `${name}-${w}`);
    await screenshot(page, `${name}-${w}-top`, { fullPage: false });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

const us = (d) => `${String(d.getMonth() + 1).padStart(2, '0')}/${String(d.getDate()).padStart(2, '0')}/${d.getFullYear()}`;
let invoiceUrl, number;

test('the work list: dates, totals, filters and worded statuses', async () => {
  await page.goto(server.url + '/billing');
  const rows = page.locator('table.billing-list tbody tr');
  assert.ok(await rows.count() >= 50, 'the seeded week\'s invoices');
  assert.match(await page.textContent('#billing-totals'), /invoices · total \$[\d,.]+ · paid \$[\d,.]+ · balance due \$[\d,.]+/);
  assert.match(await rows.first().locator('td[data-label="Date"]').textContent(), /^\d\d\/\d\d\/\d{4}$/);
  // Make one invoice partly paid: open an unpaid one and pay part of it.
  await page.selectOption('#status', 'unpaid');
  await Promise.all([page.waitForNavigation(), page.click('#billing-filter button')]);
  const unpaid = page.locator('table.billing-list tbody tr').first();
  assert.equal(await unpaid.locator('.status').textContent(), 'Unpaid');
  number = (await unpaid.locator('td[data-label="Invoice"]').textContent()).trim();
  await Promise.all([page.waitForNavigation(), unpaid.locator('td[data-label="Invoice"] a').click()]);
  invoiceUrl = page.url();
  await page.fill('#amount-payment', '20');
  await Promise.all([page.waitForNavigation(), page.click('#payment-form button')]);
  assert.match(await page.textContent('h1'), /Partly paid/);

  // Filters by status and by dates typed the US way.
  const week = new Date(Date.now() - 8 * 86400000);
  await page.goto(server.url + '/billing');
  await page.selectOption('#status', 'partly_paid');
  await page.fill('#from', us(week));
  await page.fill('#to', us(new Date()));
  await Promise.all([page.waitForNavigation(), page.click('#billing-filter button')]);
  const listed = await page.locator('table.billing-list tbody td[data-label="Invoice"]').allTextContents();
  assert.deepEqual(listed.map((s) => s.trim()), [number]);
  assert.equal(await page.inputValue('#from'), us(week), 'the dates typed stay in the form');
  // Partly paid is not unpaid's red, and each says it in words (not color alone).
  await page.goto(server.url + '/billing');
  const color = (sel) => page.locator(sel).first().evaluate((e) => getComputedStyle(e).color + ' ' + getComputedStyle(e).backgroundColor);
  assert.notEqual(await color('.status-partly_paid'), await color('.status-unpaid'));
  assert.equal((await page.locator('.status-partly_paid').first().textContent()).trim(), 'Partly paid');
  await atBothSizes('billing-list');

  // A date it cannot read: a message at the field, what was typed kept.
  await page.fill('#from', '13/45/2026');
  const [res] = await Promise.all([page.waitForNavigation(), page.click('#billing-filter button')]);
  assert.equal(res.status(), 422);
  assert.equal(await page.inputValue('#from'), '13/45/2026');
  assert.match(await page.textContent('#from-error'), /must look like 12\/06\/2026/);
  await screenshot(page, 'billing-list-bad-date', { fullPage: false });
});

test('the invoice page: a refund and an adjustment are new entries; a mistake keeps the typing', async () => {
  await page.goto(invoiceUrl);
  await page.fill('#amount-refund', '5,00');
  await page.selectOption('#method-refund', 'check');
  await page.fill('#reason-refund', 'Charged twice for the visit,\r\nrefund the difference by check');
  await refusedKeepsEverything(page, 'refund-form', 'amount-refund', 'invoice-refused');
  await page.fill('#amount-refund', '5.00');
  await Promise.all([page.waitForNavigation(), page.click('#refund-form button')]);
  assert.match(await page.textContent('[role=status]'), /refund is recorded as a new entry/);
  await page.check('input[name=direction][value=lower]');
  await page.fill('#amount-adjustment', '10');
  await page.fill('#reason-adjustment', 'Prompt-pay discount');
  await Promise.all([page.waitForNavigation(), page.click('#adjustment-form button')]);
  const ledger = await page.textContent('#ledger');
  assert.match(ledger, /Payment of \$20\.00/);
  assert.match(ledger, /Refund of \$5\.00/);
  assert.match(ledger, /Adjustment of \$10\.00/);
  assert.match(ledger, /Charged twice for the visit/);
  assert.match(ledger, /\d\d\/\d\d\/\d{4} \d{1,2}:\d\d [AP]M/);
  await atBothSizes('invoice');
});

test('the receipt and the statement are US Letter PDFs with the account', async () => {
  for (const [doc, words] of [['receipt', /Receipt for invoice/], ['statement', /Statement for invoice/]]) {
    const res = await page.request.get(invoiceUrl + `/${doc}.pdf`);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    const body = await res.body();
    assert.match(body.toString("latin1"), /MediaBox\s*\[\s*0 0 612(\.\d+)? 792(\.\d+)?\s*\]/, "US Letter");
    const lines = pdfLines(body).join('\n');
    assert.match(lines, words);
    assert.match(lines, /Balance due: \$[\d,.]+ \(Partly paid\)/);
    assert.match(lines, /\d\d\/\d\d\/\d{4}/);
    assert.doesNotMatch(lines, /\d{4}-\d\d-\d\d/);
  }
});
