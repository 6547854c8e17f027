// An XSS corpus through every kind of free-text field the clinic types (patient identity and
// contact, appointment service, SOAP note, diagnosis, medication, allergy, invoice line,
// incident, vendor, patient request, disclosure), then every page that shows them, rendered in
// Chromium: no payload may run. Payloads set window.__xss or open a dialog if they execute.
// (API logins use the previous TOTP step, so the browser's sign-in with the current one is
// not a replay.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, totp } from '../lib.mjs';

const PAYLOADS = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=1">',
  '"><svg onload=window.__xss=1>',
  "'><iframe srcdoc=\"<script>parent.__xss=1</script>\">",
  '</textarea><script>window.__xss=1</script>',
  '<a href="javascript:window.__xss=1">x</a>',
  '{{7*7}}<details open ontoggle=window.__xss=1>',
];

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

async function token(username) {
  const c = server.creds.find((x) => x.username === username);
  const res = await fetch(server.url + '/api/v1/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: c.password, totp: totp(c.totp_secret, -1) }),
  });
  assert.equal(res.status, 200, `login ${username}`);
  return (await res.json()).token;
}

async function call(tok, method, path, body) {
  const res = await fetch(server.url + path, {
    method, headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

test('no payload typed into any text field runs on any page', { timeout: 180000 }, async () => {
  const [desk, doc, billing, co, owner] = await Promise.all(
    ['frontdesk', 'provider', 'billing', 'compliance', 'owner'].map(token));
  const users = await call(owner, 'GET', '/api/v1/users');
  const providerId = users.find((u) => u.username === 'provider').id;
  const patients = [];
  for (const [i, p] of PAYLOADS.entries()) {
    const patient = await call(desk, 'POST', '/api/v1/patients', {
      given_name: `X${i}${p}`, family_name: `Xss${i}${p}`, date_of_birth: '1980-01-01', sex: 'female',
      contact: { phone: '555-010-0000', email: 'x@example.com', address: p, emergency_contact: p },
    });
    const id = patient.id;
    patients.push(id);
    // One after another: the calendar refuses a provider in two appointments at once.
    const start = new Date(Date.UTC(2027, 2, 1, 15, 0) + i * 15 * 60000).toISOString().replace('.000Z', 'Z');
    await call(desk, 'POST', `/api/v1/patients/${id}/appointments`,
      { provider_id: providerId, service: p.slice(0, 120), start, minutes: 15 });
    await call(doc, 'POST', `/api/v1/patients/${id}/notes`, { subjective: p, objective: p, assessment: p, plan: p });
    await call(doc, 'POST', `/api/v1/patients/${id}/entries`, { kind: 'diagnosis', code: 'R51.9', description: p.slice(0, 190) });
    await call(doc, 'POST', `/api/v1/patients/${id}/entries`, { kind: 'medication', name: p.slice(0, 190), dose: p.slice(0, 190) });
    await call(doc, 'POST', `/api/v1/patients/${id}/entries`, { kind: 'allergy', substance: p.slice(0, 190), reaction: p.slice(0, 190) });
    await call(billing, 'POST', `/api/v1/patients/${id}/invoices`, { lines: [{ description: p.slice(0, 190), amount_cents: 1000 }] });
    await call(co, 'POST', `/api/v1/patients/${id}/requests`, { kind: 'access', details: p });
    await call(co, 'POST', `/api/v1/patients/${id}/disclosures`,
      { recipient: p.slice(0, 190), recipient_address: p, description: p, purpose: p, basis: 'public_health' });
  }
  const incident = await call(co, 'POST', '/api/v1/incidents', { title: PAYLOADS[1], what_happened: PAYLOADS.join(' ') });
  await call(co, 'POST', '/api/v1/vendors', { name: PAYLOADS[2].slice(0, 100), service: PAYLOADS[0], contact: PAYLOADS[3], baa_status: 'none' });

  const visit = async (username, paths) => {
    const page = await signIn(browser, server, username);
    let dialogs = 0;
    page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });
    for (const path of paths) {
      const res = await page.goto(server.url + path);
      assert.ok(res.status() < 400, `${username} ${path}: ${res.status()}`);
      // Open every <details> so handlers bound to toggling would fire.
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      await page.waitForTimeout(50);
      assert.equal(await page.evaluate(() => window.__xss), undefined, `a payload ran on ${path} for ${username}`);
      assert.equal(dialogs, 0, `a dialog opened on ${path}`);
      // The payload is shown as the text it is.
      const i = patients.findIndex((id) => path === `/patients/${id}`);
      if (i >= 0) {
        assert.ok((await page.textContent('main')).includes(`Xss${i}${PAYLOADS[i]}`), `${path} shows the name as typed`);
      }
    }
  };
  const charts = patients.map((id) => `/patients/${id}`);
  await visit('frontdesk', ['/', '/patients', '/schedule?day=2027-03-01', '/calendar?day=2027-03-01', '/calendar?day=2027-03-01&view=week', ...charts]);
  await visit('provider', ['/', ...charts]);
  await visit('billing', ['/', '/billing', ...charts]);
  await visit('compliance', ['/', '/requests', ...patients.map((id) => `/requests/patients/${id}`),
    '/incidents', `/incidents/${incident.id}`, '/program', '/program/vendors']);
});
