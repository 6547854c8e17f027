// Shared helpers for the browser tests: start the real `carekeep demo` on a free loopback port
// with a fresh data folder, compute TOTP codes, sign in, run axe, save screenshots.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..');
export const binary = process.env.CAREKEEP_BIN || join(root, 'target', 'debug', 'carekeep');
export const shots = join(root, 'target', 'e2e-screenshots');
mkdirSync(shots, { recursive: true });

/** Starts a demo clinic; resolves with { url, creds, data, log(), stop() }: the data folder,
 * everything the server printed so far, and a stop that resolves once it has exited. */
export async function startServer(env = {}) {
  const data = mkdtempSync(join(tmpdir(), 'carekeep-e2e-'));
  const child = spawn(binary, ['demo', '--data', data, '--listen', '127.0.0.1:0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 60000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/open (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  const creds = JSON.parse(readFileSync(join(data, 'demo-credentials.json'), 'utf8'));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    url, creds, data,
    log: () => out + err,
    stop: () => { child.kill('SIGTERM'); return exited; },
  };
}

function base32(s) {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '')) bits += a.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 secret, `step` steps from now. */
export function totp(secret, step = 0) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + step));
  const h = createHmac('sha1', base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A fresh 1280x800 page signed in as `username` through the login form. */
export async function signIn(browser, server, username) {
  // bypassCSP lets the test inject axe; the app's own pages never need it.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  const c = server.creds.find((x) => x.username === username);
  await page.goto(server.url + '/');
  for (let attempt = 0; attempt < 2; attempt++) {
    await page.fill('#username', c.username);
    await page.fill('#password', c.password);
    await page.fill('#code', totp(c.totp_secret));
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    if ((await page.locator('#code').count()) === 0) return page;
    // A second sign-in by the same person within one 30-second step is refused as a replayed
    // code (RFC 6238 section 5.2): wait for the next step's code, as a person would.
    await page.waitForTimeout(30000 - (Date.now() % 30000) + 500);
  }
  return page;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the current page. */
export async function seriousViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

/** Saves a screenshot: the whole page, or with `{ fullPage: false }` what the viewport shows. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  await page.screenshot({ path: join(shots, name + '.png'), fullPage });
}

/** The lines of text a PDF draws, in order: each content stream (inflated with node's zlib when
 * compressed) and its `<hex> Tj` or `(...) Tj` strings read, one line per string. Enough for the plain PDFs Carekeep
 * writes with the standard fonts; no PDF library to install. */
export function pdfLines(bytes) {
  const { inflateSync } = createRequire(import.meta.url)('node:zlib');
  const buf = Buffer.from(bytes);
  const lines = [];
  let at = 0;
  for (;;) {
    const start = buf.indexOf('stream', at, 'latin1');
    if (start < 0) break;
    let body = start + 6;
    if (buf[body] === 0x0d) body++;
    if (buf[body] === 0x0a) body++;
    const end = buf.indexOf('endstream', body, 'latin1');
    if (end < 0) break;
    const raw = buf.subarray(body, end);
    let text;
    try { text = inflateSync(raw).toString('latin1'); } catch { text = raw.toString('latin1'); }
    for (const m of text.matchAll(/(?:<([0-9A-Fa-f]*)>|\(((?:\\.|[^\\)])*)\))\s*Tj/g)) {
      lines.push(m[1] !== undefined
        ? Buffer.from(m[1], 'hex').toString('latin1')
        : m[2].replace(/\\([()\\])/g, '$1').replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))));
    }
    at = end + 9;
  }
  return lines;
}

/** Every named field of the form `#id`, as the browser would send it. */
export async function typed(page, id) {
  return page.evaluate((id) => {
    const out = {};
    for (const el of document.getElementById(id).elements) {
      if (!el.name || el.name === 'csrf' || el.type === 'submit') continue;
      if (el.type === 'checkbox') { if (el.checked) out[el.name] = el.value; continue; }
      out[el.name] = el.value;
    }
    return out;
  }, id);
}

/** Submits the form `#id`, expects it refused, and checks every value survived and the
 * message sits at `field` (or, for a message about the whole form, `field` is the form's id),
 * linked from the summary, with the form in view. */
export async function refusedKeepsEverything(page, id, field, shot) {
  const before = await typed(page, id);
  const [res] = await Promise.all([page.waitForNavigation(), page.locator(`#${id} button[type=submit]`).last().click()]);
  assert.equal(res.status(), 422, `${id} is refused`);
  assert.equal(new URL(page.url()).hash, `#${id}`, 'the answer opens at the form');
  assert.deepEqual(await typed(page, id), before, `${id}: every typed value is still there`);
  const summary = page.locator(`#${id} .error-summary`);
  assert.equal(await summary.count(), 1, 'a summary at the top of the form');
  assert.equal(await summary.locator('a').getAttribute('href'), `#${field}`);
  // A message about the whole form (field = the form's id) links to the form itself.
  if (field !== id) assert.equal(await page.locator(`#${field}`).getAttribute('aria-invalid'), 'true');
  const box = await page.locator(`#${id}`).boundingBox();
  const viewport = page.viewportSize();
  assert.ok(box.y < viewport.height && box.y + box.height > 0, `${id} is on screen, not scrolled away`);
  assert.deepEqual(await seriousViolations(page), [], id);
  await screenshot(page, shot, { fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator(`#${id}`).scrollIntoViewIfNeeded();
  await screenshot(page, shot + '-phone', { fullPage: false });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** A mail relay on 127.0.0.1 that takes every message and keeps it, so a test reads what
 * Carekeep sent (as `carekeep_testkit::SmtpSink` does for the Rust tests): just enough SMTP for
 * a client that does not sign in. `messages` holds `{ to: [...], data }`. */
export async function smtpSink() {
  const { createServer } = await import('node:net');
  const messages = [];
  const server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    let to = [];
    let data = [];
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            messages.push({ to, data: data.join('\n') });
            inData = false; to = []; data = [];
            socket.write('250 kept\r\n');
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 sink\r\n');
        else if (verb === 'RCPT') { to.push(line.replace(/^RCPT TO:\s*<?([^>]*)>?.*$/i, '$1')); socket.write('250 ok\r\n'); }
        else if (verb === 'DATA') { inData = true; socket.write('354 go on\r\n'); }
        else if (verb === 'QUIT') { socket.end('221 bye\r\n'); }
        else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, messages, close: () => new Promise((r) => server.close(r)) };
}

// Adopts the built-in forms titled so on /forms, as the owner; the demo clinic already has some
// (demo::seed_forms), which are left as they are.
export async function adoptForms(page, server, titles) {
  await page.goto(server.url + '/forms');
  for (const title of titles) {
    const button = page.locator(`button:has-text("Adopt ${title}")`);
    if (await button.count() === 0) continue;
    await Promise.all([page.waitForNavigation(), button.click()]);
    if (!/Adopted/.test(await page.textContent('main'))) throw new Error(`adopting ${title} said no "Adopted"`);
  }
}
