// A personal representative at the portal (issue 27, 27d), at 390x844: the front desk adds a
// mother as her child's representative with her mobile number, a clinician marks one visit as
// the minor's own care, and the mother signs in with her number and the child's birth date:
// she sees the other visit, not that one, and the page says so in words. Screenshots at 390
// and 1280 px, axe on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, seriousViolations, screenshot } from '../lib.mjs';
import { portalClinic, checkPage } from '../portal_kit.mjs';

const TOKEN = 'portal-rep-e2e-gateway-token-0123456789';
let server, browser, gateway, api, apiLogin, texts, codeFor, child, own;

before(async () => {
  const clinic = await portalClinic(TOKEN);
  ({ server, gateway, api, apiLogin, texts, codeFor } = clinic);
  const owner = clinic.owner;
  browser = await launch();
  const users = await api('GET', '/api/v1/users', owner);
  const provider = users.find((u) => u.username === 'provider').id;
  const desk = await apiLogin('frontdesk');
  child = await api('POST', '/api/v1/patients', desk, {
    given_name: 'Mia', family_name: 'Lindqvist', date_of_birth: '2015-06-01', sex: 'female',
    contact: { phone: '(555) 456-7890', email: '', address: '1 Main St', preferred: 'text' },
  });
  const at = (days, h) => { const d = new Date(Date.now() + days * 86400000); d.setUTCHours(h, 0, 0, 0); return d.toISOString().replace('.000Z', 'Z'); };
  await api('POST', `/api/v1/patients/${child.id}/appointments`, desk, { provider_id: provider, service: 'Well-child visit', start: at(8, 15), minutes: 20 });
  own = await api('POST', `/api/v1/patients/${child.id}/appointments`, desk, { provider_id: provider, service: 'Private consult', start: at(9, 16), minutes: 20 });
});

after(async () => { await browser?.close(); await server?.stop(); gateway?.kill('SIGTERM'); });

test('a parent signs in for their child on a phone and does not see the child\'s own care', async () => {
  // The front desk adds the mother as the child's representative, with her mobile number.
  const staff = await signIn(browser, server, 'frontdesk');
  await staff.goto(server.url + `/patients/${child.id}`);
  await staff.locator('#people summary', { hasText: 'Add a personal representative' }).click();
  await staff.fill('#rep-name', 'Paula Lindqvist');
  await staff.fill('#rep-relationship', 'mother');
  await staff.fill('#rep-phone', '(555) 222-3333');
  await staff.selectOption('#rep-basis', 'parent_of_minor');
  await staff.fill('#rep-starts', '06/01/2015');
  await staff.setInputFiles('#rep-file', { name: 'birth.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n') });
  await Promise.all([staff.waitForNavigation(), staff.click('#rep-form button[type=submit]')]);
  assert.match(await staff.textContent('main'), /Personal representative added/);
  await staff.context().close();
  // The provider marks the private consult as the minor's own.
  const doc = await signIn(browser, server, 'provider');
  await doc.goto(server.url + `/patients/${child.id}`);
  await doc.selectOption('#own-item', `appointment-${own.id}`);
  await Promise.all([doc.waitForNavigation(), doc.click('#own-form button[type=submit]')]);
  await doc.context().close();

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(server.url + '/portal/sign-in');
  assert.match(await page.textContent('#representative-hint'), /your own mobile number/);
  await page.fill('#contact', '(555) 222-3333');
  await page.fill('#date_of_birth', '06/01/2015');
  await checkPage(page, 'portal-representative-sign-in-phone');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  const code = await codeFor('+15552223333', 1);
  assert.equal((await texts()).filter((r) => r.to === '+15554567890').length, 0, 'nothing to the child\'s phone');
  await page.fill('#code', code);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.textContent('h1'), /Mia's appointments/);
  const main = await page.textContent('main');
  assert.match(main, /Well-child visit/);
  assert.doesNotMatch(main, /Private consult/);
  assert.match(await page.textContent('#own-care'), /not shown to a parent or guardian/);
  await checkPage(page, 'portal-representative-home-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(server.url + '/portal');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'portal-representative-home');
  await context.close();
});
