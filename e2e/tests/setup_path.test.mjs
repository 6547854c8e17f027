// The whole set-up path (issue 25, item 8): a FRESH clinic (`carekeep init` + `carekeep serve`,
// not the demo) with six staff, invited by email through the relay set up on the path, walked in Chromium with no terminal command and no file edited,
// counting every form submission by the owner and by each staff member, until the set-up path
// says done and every row of the compliance dashboard is green. The counts are printed; the
// owner's must be at most 40. A row that cannot go green from the browser fails the test by
// name. The final dashboard is photographed at 1280x800 and 390x844.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary, launch, totp, seriousViolations, screenshot, smtpSink } from '../lib.mjs';

const PASSWORD = 'correct horse battery staple';
const OWNER = { username: 'owner', name: 'Olivia Ortega' };
// Five invited people, one per role a small clinic has.
const STAFF = [
  { username: 'pnguyen', name: 'Priya Nguyen', role: 'provider', title: 'Nurse practitioner' },
  { username: 'rdelgado', name: 'Rosa Delgado', role: 'nurse', title: 'Registered nurse' },
  { username: 'sokafor', name: 'Sam Okafor', role: 'front_desk', title: 'Front desk' },
  { username: 'bmartin', name: 'Ben Martin', role: 'billing', title: 'Billing specialist' },
  { username: 'cwu', name: 'Chloe Wu', role: 'compliance_officer', title: 'Office manager' },
];
// The course's right answers, in order (carekeep-domain/src/program/course.rs).
const COURSE_ANSWERS = [0, 2, 1, 1, 0, 1, 1, 1];

let server, browser, data, usb, sink;

/** `carekeep init` then `carekeep serve` on a free loopback port: the two commands the issue
 * allows; everything after is in the browser. */
async function startFresh() {
  data = join(mkdtempSync(join(tmpdir(), 'carekeep-path-')), 'clinic');
  const init = spawnSync(binary, ['init', '--data', data, '--clinic-name', 'Lakeside Medspa',
    '--owner-username', OWNER.username, '--owner-name', OWNER.name, '--owner-password-stdin',
    '--time-zone', 'America/Chicago'], { input: PASSWORD + '\n', encoding: 'utf8' });
  assert.equal(init.status, 0, 'carekeep init: ' + init.stdout + init.stderr);
  const child = spawn(binary, ['serve', '--data', data, '--listen', '127.0.0.1:0'], {
    env: { ...process.env, CAREKEEP_NETWORK_ADDRESS: '127.0.0.1', CAREKEEP_HTTPS_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.on('data', (d) => { out += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 60000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving at (http:\/\/127\.0\.0\.1:\d+)\s/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { url, log: () => out, stop: () => { child.kill('SIGTERM'); return exited; } };
}

before(async () => {
  server = await startFresh();
  browser = await launch();
  sink = await smtpSink();
  usb = mkdtempSync(join(tmpdir(), 'carekeep-usb-'));
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.close();
  if (data) rmSync(join(data, '..'), { recursive: true, force: true });
  if (usb) rmSync(usb, { recursive: true, force: true });
});

const counts = {};

/** Submits a form the way a person does (a click on its button) and counts it for `who`. */
async function submit(page, who, button) {
  counts[who] = (counts[who] || 0) + 1;
  const [res] = await Promise.all([page.waitForNavigation(), page.locator(button).first().click()]);
  return res;
}

async function newPage() {
  // The clinic's own authority is not trusted by this test browser.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true, ignoreHTTPSErrors: true });
  return context.newPage();
}

/** First sign-in of someone with no authenticator yet: password, then the authenticator set-up
 * (the key read off the page, as an app would scan it), then past the recovery codes. */
async function firstSignIn(page, who, username, base) {
  await page.goto(base + '/login');
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await submit(page, who, 'form[action^="/login"] button[type=submit]');
  assert.equal(new URL(page.url()).pathname, '/mfa/setup', `${username} is asked for an authenticator`);
  const secret = (await page.textContent('code.secret')).trim().replace(/\s+/g, '');
  await page.fill('#code', totp(secret));
  await submit(page, who, 'form[action^="/mfa/setup"] button');
  assert.match(await page.textContent('main'), /recovery/i, `${username} sees recovery codes`);
  await Promise.all([page.waitForNavigation(), page.click('main a.button')]);
}

/** The course, passed, and every pending policy acknowledged on one screen. */
async function courseAndPolicies(page, who, base) {
  await page.goto(base + '/training');
  for (let i = 0; i < COURSE_ANSWERS.length; i++) await page.check(`input[name=q${i}][value="${COURSE_ANSWERS[i]}"]`);
  await page.check('#attest');
  await submit(page, who, 'main button:has-text("Submit answers")');
  assert.doesNotMatch(await page.textContent('main'), /Not a pass yet/, `${who} passed the course`);
  await page.goto(base + '/policies');
  await submit(page, who, '#acknowledge button[type=submit]');
  assert.match(await page.textContent('main'), /You have acknowledged every current policy/, `${who} acknowledged`);
}

/** The dashboard's checklist rows that are not green, by title. */
async function rowsNotGreen(page, base) {
  await page.goto(base + '/program');
  return page.$$eval('table.checklist tbody tr', (trs) => trs
    .filter((tr) => !tr.querySelector('td[data-label=Status] .ok'))
    .map((tr) => `${tr.querySelector('th').firstChild.textContent.trim()}: ${tr.querySelector('td[data-label=Status]').textContent.trim()}`));
}

test('a new clinic with six staff goes from init to an all-green dashboard in the browser', { timeout: 180000 }, async () => {
  let base = server.url;
  const owner = await newPage();

  // 1. First sign-in opens the set-up path at the clinic's details.
  await firstSignIn(owner, 'owner', OWNER.username, base);
  assert.equal(new URL(owner.url()).pathname, '/setup', 'the first sign-in opens the set-up path');
  await owner.fill('#legal_name', 'Lakeside Medspa LLC');
  await owner.fill('#address', '12 Shore Rd\r\nAustin, TX 78701');
  await owner.fill('#phone', '(512) 555-0100');
  await owner.fill('#website', 'lakesidemedspa.com');
  await owner.fill('#privacy_contact', 'Olivia Ortega, owner');
  await owner.selectOption('#time_zone', 'America/Chicago');
  await submit(owner, 'owner', '#details button[type=submit]');
  assert.match(await owner.textContent('main'), /Clinic details saved/);

  // 2. Network: the clinic's other computers reach Carekeep over HTTPS with the clinic's own
  // certificate authority, made and served without a restart; plain HTTP then goes to HTTPS.
  await owner.goto(base + '/setup/network');
  await owner.check('input[name=mode][value=local_authority]');
  await owner.fill('#names', 'carekeep.lakeside-medspa.test');
  await submit(owner, 'owner', '#network button[type=submit]');
  assert.equal(new URL(owner.url()).pathname, '/trust');
  await owner.goto(base + '/setup');
  assert.equal(new URL(owner.url()).protocol, 'https:', 'plain HTTP now goes to HTTPS');
  base = new URL(owner.url()).origin;

  // 3. Staff. First the clinic's email relay (here a stand-in on this machine), run by a
  // vendor whose BAA is signed, added to the vendors from the same form; then five people,
  // each invited by email at their work address.
  await owner.goto(base + '/setup/mail');
  await owner.fill('#host', '127.0.0.1');
  await owner.fill('#port', String(sink.port));
  await owner.check('input[name=security][value=none]');
  await owner.fill('#from', 'Lakeside Medspa <carekeep@lakeside-medspa.test>');
  await owner.fill('#vendor', 'Lakeside Mail Services');
  await owner.check('input[name=baa][value=signed]');
  await owner.fill('#signed_on', '12/01/2026');
  await submit(owner, 'owner', '#relay button[type=submit]');
  assert.match(await owner.textContent('main'), /The email relay is saved/);
  const links = [];
  for (const s of STAFF) {
    await owner.goto(base + '/admin/users/new');
    await owner.fill('#display_name', s.name);
    await owner.fill('#username', s.username);
    await owner.fill('#job_title', s.title);
    await owner.fill('#email', `${s.username}@lakeside-medspa.test`);
    await owner.locator(`input[name=role][value=${s.role}]`).check();
    assert.ok(await owner.locator('input[name=how][value=email]').isChecked(), 'email is offered first once the relay is set up');
    await submit(owner, 'owner', '#new-user button[type=submit]');
    assert.match(await owner.textContent('h1'), /Invitation made/, s.name);
    const mail = sink.messages.find((m) => m.to.includes(`${s.username}@lakeside-medspa.test`));
    assert.ok(mail, `the invitation was mailed to ${s.name}`);
    const text = mail.data.replace(/=\n/g, '').replace(/=3D/g, '=');
    const link = text.match(/https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+/)?.[0];
    assert.ok(link?.startsWith(base + '/invite/'), `the mailed link is the clinic's HTTPS address: ${(link || 'none').replace(/\/invite\/.*/, '/invite/...')}`);
    links.push(link);
  }

  // 4. Vendors: the usual ones ticked and answered in words, in one submission.
  await owner.goto(base + '/setup/vendors');
  await owner.check('input[name=card_use]');
  await owner.fill('#card_name', 'Square');
  await owner.check('input[name=card_answer][value=yes]');
  await owner.check('input[name=cloud_use]');
  await owner.fill('#cloud_name', 'Dropbox Business');
  await owner.check('input[name=cloud_answer][value=yes]');
  await owner.check('input[name=cloud_baa][value=signed]');
  await owner.fill('#cloud_signed_on', '12/01/2026');
  await submit(owner, 'owner', 'form[action="/setup/vendors"] button[type=submit]');
  assert.match(await owner.textContent('.notice'), /vendors added/);
  // The security report (a SOC 2) of each vendor that holds or carries PHI, recorded on its
  // page: the cloud storage and the email relay.
  for (const vendor of ['Dropbox Business', 'Lakeside Mail Services']) {
    await owner.goto(base + '/program/vendors');
    await Promise.all([owner.waitForNavigation(), owner.click(`main a:has-text("${vendor}")`)]);
    await owner.selectOption('#report', { label: 'SOC 2 report' });
    await owner.fill('#report_on', '09/30/2026');
    await submit(owner, 'owner', '#security-form button[type=submit]');
  }

  // 5. Policies: every template adopted in one review.
  await owner.goto(base + '/program/policies/review');
  await submit(owner, 'owner', '#review button[type=submit]');
  assert.match(await owner.textContent('main'), /Adopted \d+ policies/);

  // 6. Training and acknowledgements. `carekeep init` made the owner's login but not a line
  // on the roster: the owner adds it on the workforce page, with the login.
  await owner.goto(base + '/program/workforce');
  await owner.fill('#name', OWNER.name);
  await owner.fill('#job_title', 'Owner');
  await owner.fill('#username', OWNER.username);
  await owner.fill('#hired_on', '2024-03-01');
  await submit(owner, 'owner', '#add-person button[type=submit]');
  await courseAndPolicies(owner, 'owner', base);

  // Each invited person: the link (a password), the first sign-in (authenticator), the course,
  // one acknowledgement screen.
  for (const [i, s] of STAFF.entries()) {
    const page = await newPage();
    await page.goto(links[i]);
    await page.fill('#password', PASSWORD);
    await page.fill('#again', PASSWORD);
    await submit(page, s.username, 'form[action^="/invite/"] button');
    assert.match(await page.textContent('main'), /Your password is saved/);
    await firstSignIn(page, s.username, s.username, base);
    await courseAndPolicies(page, s.username, base);
    await page.context().close();
  }

  // 7. The notice: its clinic details are filled from step 1; published as it is.
  await owner.goto(base + '/program/npp');
  assert.ok(!(await owner.inputValue('#body')).includes('[['), 'no blank left in the notice');
  await submit(owner, 'owner', '#npp-form button[type=submit]');
  await owner.check('form[action="/program/npp/posting"] input[name=office]');
  await owner.check('form[action="/program/npp/posting"] input[name=website]');
  await submit(owner, 'owner', 'form[action="/program/npp/posting"] button[type=submit]');

  // 8. Backups: a folder; the key, the first backup and the restore drill at once.
  await owner.goto(base + '/setup/backups');
  await owner.fill('#folder', usb);
  await submit(owner, 'owner', '#backups button[type=submit]');
  assert.match(await owner.textContent('#result'), /passed/);

  // 9. The risk assessment, last: the wizard section by section, then finalized.
  await owner.goto(base + '/program/sra');
  if ((await owner.locator('form[action="/program/sra"] button').count()) > 0) {
    await submit(owner, 'owner', 'form[action="/program/sra"] button');
  }
  const wizard = await owner.locator('a[href$="/wizard/1"]').first().getAttribute('href');
  await owner.goto(base + wizard);
  for (let step = 1; step <= 5; step++) {
    assert.match(await owner.textContent('h1'), new RegExp(`section ${step} of 5`));
    // Every row not already answered (by the system, or before): in place.
    for (const name of await owner.$$eval('input[type=radio][value=implemented]', (rs) => rs.map((r) => r.name))) {
      if ((await owner.locator(`input[name="${name}"]:checked`).count()) === 0) await owner.check(`input[name="${name}"][value=implemented]`);
    }
    await submit(owner, 'owner', 'button[value=next]');
  }
  if ((await owner.locator('form[action$="/status"] input[name=to][value=review]').count()) > 0) {
    await submit(owner, 'owner', 'form:has(input[name=to][value=review]) button[type=submit]');
  }
  await owner.fill('#signed_name', OWNER.name);
  await submit(owner, 'owner', 'form:has(input[name=to][value=final]) button[type=submit]');

  // The path says done, and every row is green.
  await owner.goto(base + '/setup');
  const path = await owner.textContent('#path-h');
  const notGreen = await rowsNotGreen(owner, base);
  console.log('form submissions:', JSON.stringify(counts));
  console.log('owner:', counts.owner, 'staff:', STAFF.map((s) => `${s.username} ${counts[s.username]}`).join(', '));
  console.log('set-up path:', path.trim());
  assert.deepEqual(notGreen, [], 'rows not green without a terminal');
  assert.match(path, /9 of 9 steps done|done/i);
  assert.ok(counts.owner <= 40, `the owner submitted ${counts.owner} forms (at most 40)`);
  for (const s of STAFF) assert.ok(counts[s.username] <= 5, `${s.username}: ${counts[s.username]} forms`);

  assert.deepEqual(await seriousViolations(owner), []);
  await screenshot(owner, 'setup-path-done-dashboard');
  await owner.setViewportSize({ width: 390, height: 844 });
  const wide = await owner.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the dashboard scrolls sideways by ${wide}px`);
  await screenshot(owner, 'setup-path-done-dashboard-phone');
});
