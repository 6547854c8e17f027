// A clinic's day in the browser: the front desk registers, books and checks in a patient and
// cannot reach clinical content; the provider writes and signs a note with vitals; billing sees
// invoices with their diagnosis codes and no note. Screenshots and axe on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, seriousViolations, screenshot } from '../lib.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

// The clinic's today: the demo clinic is in New York (clinic_time_zone).
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date());

test('front desk registers, books and checks in a patient, and never sees the chart', async () => {
  const page = await signIn(browser, server, 'frontdesk');
  await page.click('nav >> text=Patients');
  assert.deepEqual(await seriousViolations(page), []);
  // Search answers as one types.
  await page.fill('#patient-search', 'Wh');
  await page.waitForSelector('#search-results >> text=Whitfield');
  await screenshot(page, 'patients-search');

  await page.click('text=Register a new patient');
  await page.fill('#given_name', 'Juniper');
  await page.fill('#family_name', 'Ashcombe');
  await page.fill('#date_of_birth', '07/14/1986');
  await page.selectOption('#sex', 'female');
  await page.fill('#phone', '(555) 610-7788');
  await page.fill('#email', 'juniper@example.com');
  assert.deepEqual(await seriousViolations(page), []);
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Register")')]);
  assert.match(await page.textContent('main'), /Patient registered/);
  const chart = new URL(page.url()).pathname;

  await page.click('summary:has-text("Book an appointment")');
  await page.fill('#service', 'New patient visit');
  await page.fill('#date', today());
  await page.fill('#time', '23:30');
  await page.fill('#minutes', '20');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Book")')]);
  assert.match(await page.textContent('main'), /Appointment booked/);
  await screenshot(page, 'chart-front-desk');
  assert.deepEqual(await seriousViolations(page), []);
  assert.equal(await page.locator('[data-section=clinical]').count(), 0, 'no clinical section');
  assert.equal(await page.locator('a[href*="/attachments/"]').count(), 0, 'no link to a clinical file');

  await page.click('nav >> text=Schedule');
  const row = page.locator('tr', { hasText: 'Ashcombe' });
  await Promise.all([page.waitForNavigation(), row.locator('button:has-text("Check in")').click()]);
  assert.match(await page.locator('tr', { hasText: 'Ashcombe' }).textContent(), /Checked in/);
  await screenshot(page, 'schedule');
  assert.deepEqual(await seriousViolations(page), []);

  // Clinical content is out of reach by URL too: a demo patient's photo, an API chart read.
  const photo = await page.goto(server.url + '/patients/4/attachments/1');
  assert.equal(photo.status(), 403);
  const other = await page.goto(server.url + '/patients/4');
  assert.equal(other.status(), 200);
  assert.equal(await page.locator('img').count(), 0);
  assert.doesNotMatch(await page.textContent('main'), /Subjective|Assessment|BP \d/);
  server.chart = chart;
});

test('the provider writes and signs a note with vitals', async () => {
  const page = await signIn(browser, server, 'provider');
  await page.goto(server.url + '/patients');
  await page.fill('#patient-search', 'ashcombe');
  await Promise.all([page.waitForNavigation(), page.click('form[role=search] button[type=submit]')]);
  assert.ok(!page.url().includes('ashcombe'), 'the search term stays out of the address');
  await Promise.all([page.waitForNavigation(), page.click('text=Ashcombe, Juniper')]);
  await page.click('summary:has-text("Record vitals")');
  await page.fill('#systolic', '124');
  await page.fill('#diastolic', '82');
  await page.fill('#pulse', '68');
  await page.fill('#temperature', '98.2');
  await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Record vitals")')]);
  assert.match(await page.textContent('main'), /Added to the chart/);
  await page.fill('#subjective', 'New patient; occasional headaches.');
  await page.fill('#assessment', 'Tension-type headache');
  await page.fill('#plan', 'Hydration, sleep hygiene; return if worse.');
  await Promise.all([page.waitForNavigation(), page.click('#new-note button:has-text("Save and sign")')]);
  const main = await page.textContent('main');
  assert.match(main, /Note signed/);
  assert.match(main, /BP 124\/82 mmHg/);
  assert.match(main, /Tension-type headache/);
  await screenshot(page, 'chart-provider');
  assert.deepEqual(await seriousViolations(page), []);
  // A demo patient's before/after photos show in the chart.
  await page.goto(server.url + '/patients/4');
  assert.ok(await page.locator('ul.photos img').count() >= 2);
  await screenshot(page, 'chart-photos');
});

test('billing sees invoices with diagnosis codes and no note', async () => {
  const page = await signIn(browser, server, 'billing');
  await page.click('nav >> text=Billing');
  const body = await page.textContent('main');
  assert.match(body, /INV-\d{6}/);
  assert.match(body, /99213 \([A-Z]\d/);
  await screenshot(page, 'billing');
  assert.deepEqual(await seriousViolations(page), []);
  // The work list links each invoice to its page and each patient to the chart.
  await Promise.all([page.waitForNavigation(), page.locator('tbody td[data-label="Patient"] a').first().click()]);
  const chart = await page.textContent('main');
  assert.match(chart, /Codes on invoices/);
  assert.match(chart, /Record payment/);
  assert.doesNotMatch(chart, /Subjective|Treatment history|Vitals/);
  assert.equal(await page.locator('[data-section=clinical]').count(), 0);
  await screenshot(page, 'chart-billing');
  assert.deepEqual(await seriousViolations(page), []);
});
