// Shared by the portal's browser tests: the demo clinic with the stand-in SMS gateway
// (.ci/sms-gateway.py) under a BAA, the staff API for setting the scene, and the one-time
// codes read from what the gateway received.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startServer, seriousViolations, screenshot, totp, root } from './lib.mjs';

/** A free port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** axe, no sideways scroll at the phone's width, and a screenshot named `name`. */
export async function checkPage(page, name) {
  assert.deepEqual(await seriousViolations(page), [], name);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scroll on a phone (${name}: ${wide}px)`);
  await screenshot(page, name);
}

/** Starts the gateway and the demo clinic texting through it; the gateway's vendor is added
 * with a signed BAA. Returns the server, the gateway and helpers bound to them. */
export async function portalClinic(token) {
  const port = await freePort();
  const gateway = spawn('python3', [join(root, '.ci', 'sms-gateway.py'), String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const gatewayUrl = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('gateway did not start')), 10000);
    gateway.stdout.on('data', (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:\d+/); if (m) { clearTimeout(timer); resolve(m[0]); } });
  });
  const server = await startServer({
    CAREKEEP_SMS_BASE_URL: gatewayUrl,
    CAREKEEP_SMS_TOKEN: token,
    CAREKEEP_SMS_FROM: '+15550100000',
    CAREKEEP_SMS_VENDOR: 'Textwell Inc',
  });

  async function api(method, path, bearer, body) {
    const res = await fetch(server.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: 'Bearer ' + bearer } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async function apiLogin(username) {
    const c = server.creds.find((x) => x.username === username);
    for (let step = 0; step < 2; step++) {
      const res = await fetch(server.url + '/api/v1/auth/login', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: c.username, password: c.password, totp: totp(c.totp_secret, step) }),
      });
      if (res.ok) return (await res.json()).token;
    }
    throw new Error('api login ' + username);
  }

  async function texts() {
    const res = await fetch(gatewayUrl + '/requests');
    return res.json();
  }

  /** The six-digit code of the `count`-th text to `to`, once it has arrived. */
  async function codeFor(to, count) {
    for (let i = 0; i < 200; i++) {
      const got = (await texts()).filter((r) => r.to === to);
      if (got.length >= count) return got[count - 1].body.match(/ is (\d{6})\./)[1];
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no code texted to ' + to);
  }

  const owner = await apiLogin('owner');
  await api('POST', '/api/v1/vendors', owner, {
    name: 'Textwell Inc', service: 'SMS gateway', transmits_phi: true,
    baa_status: 'signed', baa_signed_on: '2026-01-05', baa_renewal_on: '2099-01-05',
  });
  return { server, gateway, gatewayUrl, api, apiLogin, texts, codeFor, owner };
}
