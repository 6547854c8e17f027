// Encryption at rest, shown the hard way (164.312(a)(2)(iv)): 1,000 patients with names of
// their own are registered, the browser works with them (search, registration pages, charts,
// a signed note that names the patient, the audit log), an online backup is taken, the server
// stops; then no name appears, in any letter case, in any file of the data folder (database,
// WAL, attachments, the backup), nor in anything the server printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launch, signIn, totp, binary } from '../lib.mjs';

const PATIENTS = 1000;
let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

/** Three letters from i: 1,000 distinct names that appear nowhere else. */
const tag = (i) => [Math.floor(i / 676), Math.floor(i / 26), i].map((n) => String.fromCharCode(97 + (n % 26))).join('');
const given = (i) => `Quel${tag(i)}ina`;
const family = (i) => `Dravon${tag(i)}ski`;

async function apiToken(username) {
  const c = server.creds.find((x) => x.username === username);
  for (const step of [0, 1, 2]) {
    const res = await fetch(server.url + '/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: c.password, totp: totp(c.totp_secret, step) }),
    });
    if (res.ok) return (await res.json()).token;
  }
  throw new Error(`cannot sign ${username} in`);
}

/** Every file under dir, recursively. */
function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The names (lower case) found in bytes. Every name starts "quel" or "dravon". */
function namesIn(bytes, names) {
  const hay = bytes.toString('latin1').toLowerCase();
  const hits = new Set();
  const lengths = new Set([...names].map((n) => n.length));
  for (const prefix of ['quel', 'dravon']) {
    for (let at = hay.indexOf(prefix); at !== -1; at = hay.indexOf(prefix, at + 1)) {
      for (const len of lengths) {
        const word = hay.slice(at, at + len);
        if (names.has(word)) hits.add(word);
      }
    }
  }
  return [...hits];
}

test('no patient name in the database, WAL, attachments, backup or logs', { timeout: 600000 }, async () => {
  // The browser signs in first: a TOTP code is accepted once, and the API login below then
  // takes the next one if this one is spent.
  const front = await signIn(browser, server, 'frontdesk');
  const desk = await apiToken('frontdesk');
  const ids = [];
  for (let start = 0; start < PATIENTS; start += 8) {
    const batch = [];
    for (let i = start; i < Math.min(start + 8, PATIENTS); i++) {
      batch.push(fetch(server.url + '/api/v1/patients', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${desk}` },
        body: JSON.stringify({
          given_name: given(i), family_name: family(i), date_of_birth: '1980-02-03', sex: 'female',
          contact: { phone: '5550001234', email: `${given(i).toLowerCase()}@example.com` },
        }),
      }).then(async (res) => { assert.equal(res.status, 201); return (await res.json()).id; }));
    }
    ids.push(...await Promise.all(batch));
  }
  assert.equal(ids.length, PATIENTS);

  // The browser suite's paths, over these patients.
  for (const i of [0, 137, 512, 999]) {
    await front.goto(server.url + '/patients');
    await front.fill('#patient-search', family(i).slice(0, 9));
    await front.waitForSelector(`#search-results >> text=${family(i)}`);
    await Promise.all([front.waitForNavigation(), front.click(`#search-results >> text=${family(i)}`)]);
    assert.match(await front.textContent('main'), new RegExp(given(i)));
  }
  const provider = await signIn(browser, server, 'provider');
  for (const i of [3, 640]) {
    await provider.goto(`${server.url}/patients/${ids[i]}`);
    await provider.fill('#subjective', `${given(i)} ${family(i)} reports occasional headaches.`);
    await provider.fill('#assessment', 'Tension-type headache');
    await provider.fill('#plan', `Follow up with ${given(i)} in 3 months.`);
    await Promise.all([provider.waitForNavigation(), provider.click('#new-note button:has-text("Save and sign")')]);
    assert.match(await provider.textContent('main'), /Note signed/);
  }
  const officer = await signIn(browser, server, 'compliance');
  await officer.goto(`${server.url}/audit?patient=${ids[3]}`);
  assert.match(await officer.textContent('main'), /Viewed patient information|Added patient information/);

  // An online backup while the server runs, kept in the data folder.
  const key = join(server.data, 'backup.key');
  mkdirSync(join(server.data, 'backups'), { recursive: true });
  execFileSync(binary, ['backup', 'key', '--out', key]);
  execFileSync(binary, ['--data', server.data, 'backup', '--out', join(server.data, 'backups', 'clinic.ckb'), '--key', key]);

  const names = new Set(Array.from({ length: PATIENTS }, (_, i) => [given(i), family(i)]).flat().map((n) => n.toLowerCase()));
  const scan = () => {
    const scanned = files(server.data);
    const found = [];
    for (const f of scanned) {
      for (const n of namesIn(readFileSync(f), names)) found.push(`${f}: ${n}`);
    }
    for (const n of namesIn(Buffer.from(server.log()), names)) found.push(`server output: ${n}`);
    return { scanned, found };
  };
  // While it runs (the WAL holds the latest pages), then after it stops.
  const running = scan();
  assert.ok(running.scanned.some((f) => f.endsWith('carekeep.db-wal')), 'the WAL was scanned');
  assert.deepEqual(running.found, []);
  await server.stop();
  const stopped = scan();
  assert.ok(stopped.scanned.some((f) => f.endsWith('carekeep.db')), 'the database was scanned');
  assert.ok(stopped.scanned.some((f) => f.endsWith('clinic.ckb')), 'the backup was scanned');
  assert.deepEqual(stopped.found, []);
  // The scan can fail: a name written in the clear is found.
  const canary = join(server.data, 'canary.txt');
  writeFileSync(canary, `note about ${family(42).toUpperCase()}`);
  assert.deepEqual(namesIn(readFileSync(canary), names), [family(42).toLowerCase()]);
});
