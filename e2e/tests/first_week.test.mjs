// Issue 33, the small things a new clinic notices in its first week, each on its page in a
// real browser: training due from the program's start, the quiz's wrong answers explained,
// no preselected sex, search in US dates with arrow keys, sessions in words, a home page
// about today, the SRA's finalising rule at the risk, and the dashboard at a glance. Every
// changed page is checked with axe and photographed at 1280x800 and at 390x844.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn as signInOnce, seriousViolations, screenshot, totp } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

/** Signs in even when this person signed in moments ago: a code is refused once used
 * (replay), so a later sign-in waits for the authenticator's next code. */
async function signIn(browser, server, username) {
  const page = await signInOnce(browser, server, username);
  if (!new URL(page.url()).pathname.startsWith('/login')) { return page; }
  await new Promise((r) => setTimeout(r, 30500 - (Date.now() % 30000)));
  const c = server.creds.find((x) => x.username === username);
  await page.fill('#username', c.username);
  await page.fill('#password', c.password);
  await page.fill('#code', totp(c.totp_secret));
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.doesNotMatch(new URL(page.url()).pathname, /^\/login/, `${username} signed in`);
  return page;
}

/** Both sizes of the page as it is now, then back to the desktop size. */
async function bothSizes(page, name) {
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-390`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  return wide;
}

test('item 1: staff hired years ago are due from the program start, not overdue since their hire', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/program/workforce');
  await page.fill('#name', 'Vera Veteran');
  await page.fill('#hired_on', '2019-03-04');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Add")')]);
  await page.goto(server.url + '/program/workforce');
  const row = await page.textContent('tr:has-text("Vera Veteran")');
  assert.match(row, /Due soon/);
  assert.doesNotMatch(row, /Overdue|2019-04-03/);
  await bothSizes(page, 'first-week-workforce');
});

test('item 2: a failed quiz shows each wrong answer, the right one and why, and keeps the choices', async () => {
  const page = await signIn(browser, server, 'nurse');
  await page.goto(server.url + '/training');
  const questions = await page.$$('fieldset');
  for (let i = 0; i < questions.length; i++) {
    // The first choice everywhere: right for questions 1 and 5 only.
    await page.check(`input[name=q${i}][value="0"]`);
  }
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Submit answers")')]);
  const main = await page.textContent('main');
  assert.match(main, /Not a pass yet/);
  assert.match(main, /answers to look at again/);
  assert.match(main, /Right answer: No, my job does not need it/);
  assert.match(main, /Why: Minimum necessary/);
  assert.equal(await page.isChecked('input[name=q1][value="0"]'), true, 'the choice made is kept');
  assert.deepEqual(await seriousViolations(page), []);
  await page.evaluate(() => window.scrollTo(0, 0));
  assert.ok(await bothSizes(page, 'first-week-quiz') <= 390, 'no sideways scrolling on a phone');
});

test('item 3: registration asks for sex; nothing chosen is refused at the field with the typing kept', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.goto(server.url + '/patients/new');
  assert.equal(await page.$eval('#sex', (s) => s.value), '', 'no value chosen for the person');
  const options = await page.$$eval('#sex option', (os) => os.map((o) => o.textContent));
  assert.deepEqual(options, ['Choose...', 'Female', 'Male', 'Other', 'Unknown']);
  await page.fill('#given_name', 'Wilhelmina');
  await page.fill('#family_name', 'Quenby');
  await page.fill('#date_of_birth', '04/23/1980');
  await page.fill('#address', '12 Elm Street\r\nSpringfield, IL');
  // The browser would stop an empty required choice; a stale page or a script might not.
  await page.$eval('#sex', (s) => s.removeAttribute('required'));
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Register")')]);
  assert.match(await page.textContent('main'), /choose the patient's sex/);
  assert.equal(await page.getAttribute('#sex', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#given_name'), 'Wilhelmina');
  assert.equal(await page.inputValue('#date_of_birth'), '04/23/1980');
  assert.equal(await page.inputValue('#address'), '12 Elm Street\nSpringfield, IL');
  assert.deepEqual(await seriousViolations(page), []);
  await bothSizes(page, 'first-week-register');
});

test('item 4: search replaces the pager, shows US dates, and the arrow keys move into the results', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.goto(server.url + '/patients');
  assert.equal(await page.isVisible('#patient-pager'), true, 'the demo list has pages');
  await page.focus('#patient-search');
  await page.keyboard.type('am');
  await page.waitForFunction(() => document.getElementById('patient-pager').hidden);
  const dobs = await page.$$eval('#search-results tbody td:nth-child(2)', (tds) => tds.map((t) => t.textContent.trim()));
  assert.ok(dobs.length > 0, 'something found');
  for (const d of dobs) { assert.match(d, /^\d{2}\/\d{2}\/\d{4}$/, d); }
  await page.keyboard.press('ArrowDown');
  const first = await page.evaluate(() => document.activeElement.className);
  assert.equal(first, 'result', 'down arrow: into the results');
  await page.keyboard.press('ArrowDown');
  const second = await page.evaluate(() => document.activeElement.textContent);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'patient-search', 'up from the first: back to the box');
  assert.ok(second.length > 0);
  assert.deepEqual(await seriousViolations(page), []);
  await bothSizes(page, 'first-week-search');
  await page.fill('#patient-search', '');
  await page.dispatchEvent('#patient-search', 'input');
  assert.equal(await page.isVisible('#patient-pager'), true, 'emptied: the list and its pager are back');
});

test('item 5: your account lists sessions in words with this device marked', async () => {
  const other = await signIn(browser, server, 'billing');
  const page = await signIn(browser, server, 'billing');
  await page.goto(server.url + '/account');
  const table = await page.textContent('table.sessions');
  assert.match(table, /Chrome \(headless\) on Linux/);
  assert.match(table, /This device/);
  assert.match(table, /\d{2}\/\d{2}\/\d{4} \d{1,2}:\d{2} (AM|PM)/);
  assert.doesNotMatch(table, /Mozilla\/5\.0/);
  assert.equal((await page.$$('table.sessions tbody tr')).length >= 2, true);
  assert.deepEqual(await seriousViolations(page), []);
  await bothSizes(page, 'first-week-account');
  await other.close();
});

test('item 6: the home page says what today holds for each person', async () => {
  for (const [who, heading] of [['frontdesk', /Today's appointments/], ['provider', /Notes to sign/],
    ['compliance', /Falls due this week/], ['owner', /Setting up the program: \d+ of \d+ done/]]) {
    const page = await signIn(browser, server, who);
    const main = await page.textContent('main');
    assert.match(main, heading, who);
    assert.equal(await page.$('ul.tiles'), null, 'no tiles repeating the navigation');
    if (who === 'frontdesk') { assert.match(main, /\d+ of \d+ arrived/); }
    if (who === 'provider') { assert.match(main, /next patients|No more patients booked today/); }
    assert.deepEqual(await seriousViolations(page), [], who);
    await bothSizes(page, `first-week-home-${who}`);
    await page.close();
  }
});

test('item 7: a high risk to mitigate without a task is refused at the risk', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/program/sra');
  // The demo clinic has no assessment yet: this is its first.
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Start the first assessment")')]);
  await page.selectOption('#threat', 'lost_device');
  await page.selectOption('#likelihood', 'high');
  await page.selectOption('#impact', 'high');
  await page.selectOption('#treatment', 'mitigate');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Add risk")')]);
  const risk = page.locator('#risks .risk').last();
  assert.match(await risk.textContent(), /high/);
  assert.match(await risk.textContent(), /has no remediation task/, 'said at the risk before any attempt');
  await page.goto(page.url().split('?')[0]);
  const review = page.locator('#status button:has-text("review")');
  await Promise.all([page.waitForNavigation(), review.first().click()]);
  await page.fill('#signed_name', 'Olivia Owner');
  await Promise.all([page.waitForNavigation(), page.click('#status button:has-text("Finalize")')]);
  assert.match(await page.textContent('main .error'), /without a remediation task/);
  await page.click('main .error a:has-text("Go to the risk")');
  assert.match(page.url(), /#risk-\d+$/);
  assert.deepEqual(await seriousViolations(page), []);
  await bothSizes(page, 'first-week-sra');
});

test('item 8: the dashboard reads at a glance, with its picture and history', async () => {
  const page = await signIn(browser, server, 'owner');
  await page.goto(server.url + '/program');
  const headline = await page.textContent('.at-a-glance .headline');
  assert.match(headline, /^\d+ of \d+ done$/);
  assert.equal(await page.$eval('svg.progress-picture title', (t, h) => t.textContent.startsWith(h), headline), true);
  assert.ok(await page.$('svg.history-picture title'));
  await page.click('summary:has-text("The weeks in numbers")');
  assert.match(await page.textContent('.at-a-glance table'), /Week of/);
  assert.deepEqual(await seriousViolations(page), []);
  assert.ok(await bothSizes(page, 'first-week-dashboard') <= 390, 'no sideways scrolling on a phone');
});
