// Words for people, in the clinic's formats: every page of the demo clinic that a role reaches
// (its navigation, then one of each detail page linked from there) is read as staff see it
// (the visible text, so inputs' values, links and hidden fields do not count) and must show no
// ISO date (2026-12-06), no internal code (compliance_officer, public_health, phi.read) and no
// British spelling. Text inside a closed "why" disclosure is not visible and is left to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const ISO_DATE = /\b\d{4}-\d{2}-\d{2}\b/g;
const CODES = /\b(compliance_officer|front_desk|public_health|health_oversight|law_enforcement|invoice_status|administer_users|manage_program|read_audit_log|handle_incidents|phi\.[a-z_.]+|setting\.changed|[a-z]+_[a-z_]+\.csv)\b/g;
const BRITISH = /\b(authoris\w*|unauthoris\w*|organis\w*|finalis\w*|recognis\w*|licence|behaviour|colour\w*|centre|honour\w*|catalogue|judgement|enrolment|acknowledgement\w*|analyse|programme|cheque)\b/gi;

/** Same-site page links in the main content and navigation, without downloads or actions. */
async function links(page) {
  return page.evaluate(() => [...document.querySelectorAll('nav a[href], main a[href]')]
    .map((a) => a.getAttribute('href'))
    .filter((h) => h.startsWith('/') && !/\.(csv|pdf|zip|json)|\/pdf|\/csv|\/download|\/export|\/binder|\/certificate|\/attachments\/|logout/.test(h))
    .map((h) => h.split('#')[0]));
}

/** What the page shows that it should not, as `label: hits`. */
async function problems(page) {
  const text = await page.evaluate(() => document.body.innerText);
  const out = [];
  for (const [label, re] of [['ISO date', ISO_DATE], ['code', CODES], ['British spelling', BRITISH]]) {
    const hits = [...new Set(text.match(re) || [])];
    if (hits.length) out.push(`${label}: ${hits.join(', ')}`);
  }
  return out;
}

for (const role of ['owner', 'compliance', 'provider', 'frontdesk', 'billing', 'nurse']) {
  test(`${role}: every page reached shows words and US dates`, async (t) => {
    const page = await signIn(browser, server, role);
    const seen = new Set();
    const queue = ['/', ...(await links(page))];
    const found = [];
    // The navigation, then one page of each kind linked from it (a chart, an incident, a
    // vendor, an assessment, a person): pages whose path differs only by a number count once.
    const kinds = new Set();
    while (queue.length && seen.size < 60) {
      const href = queue.shift();
      const kind = href.replace(/\d+/g, 'N').split('?')[0];
      if (seen.has(href) || kinds.has(kind)) continue;
      seen.add(href);
      kinds.add(kind);
      const res = await page.goto(server.url + href);
      if (!res || res.status() !== 200 || !(res.headers()['content-type'] || '').includes('text/html')) continue;
      for (const p of await problems(page)) found.push(`${href}: ${p}`);
      if (seen.size < 60) for (const l of await links(page)) if (!seen.has(l)) queue.push(l);
    }
    t.diagnostic(`${role} read ${seen.size} pages: ${[...seen].join(' ')}`);
    assert.ok(seen.size > 5, `${role} reached ${seen.size} pages`);
    assert.deepEqual(found, [], `${role}: ${[...seen].join(' ')}`);
  });
}
