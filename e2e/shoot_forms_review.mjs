// The review pages in Chromium, driven by the Rust test
// `forms_review::the_review_pages_in_chromium_at_1280_and_390` (it makes the clinic, the signed
// form and the sign-in code, then runs this): the forms card on the chart, the queue and the
// review at 1280x800 and 390x844, axe's serious findings, a refused review keeping the choices
// made, and a filing. Screenshots go to target/e2e-screenshots/forms-review-*.png.
import assert from 'node:assert/strict';
import { launch, seriousViolations, screenshot } from './lib.mjs';

const { URL: base, USERNAME, PASSWORD, CODE, PATIENT, RESPONSE } = process.env;
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(base + '/login');
  await page.fill('#username', USERNAME);
  await page.fill('#password', PASSWORD);
  await page.fill('#code', CODE);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.equal(await page.locator('#code').count(), 0, 'signed in');

  const pages = [
    ['chart', `/patients/${PATIENT}#signed-forms`],
    ['queue', '/forms/review'],
    ['review', `/forms/responses/${RESPONSE}`],
  ];
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width, height });
    for (const [name, path] of pages) {
      await page.goto(base + path);
      assert.deepEqual(await seriousViolations(page), [], `${name} at ${width}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${name} at ${width} scrolls sideways by ${overflow}px`);
      if (name === 'chart') {
        await page.locator('#signed-forms').scrollIntoViewIfNeeded();
        await screenshot(page, `forms-review-chart-card-${width}`, { fullPage: false });
      } else {
        await screenshot(page, `forms-review-${name}-${width}`);
      }
    }
  }
  // At 390 px: one item decided, the form sent: refused, the choice kept, the rest named.
  await page.goto(base + `/forms/responses/${RESPONSE}`);
  await page.check('input[name="item:medications.0"][value="accepted"]');
  await Promise.all([page.waitForNavigation(), page.click('form[action*="/forms/responses/"] button[type=submit]')]);
  assert.ok(await page.isChecked('input[name="item:medications.0"][value="accepted"]'), 'the choice is kept');
  assert.ok((await page.locator('.field-error').count()) >= 1, 'the undecided items are named');
  assert.match(await page.locator('[role=alert]').innerText(), /accept or reject each item/i);
  assert.deepEqual(await seriousViolations(page), [], 'refused review');
  await screenshot(page, 'forms-review-refused-390');
  for (const name of ['item:medications.1', 'item:allergies.0']) {
    await page.check(`input[name="${name}"][value="rejected"]`);
  }
  await Promise.all([page.waitForNavigation(), page.click('form[action*="/forms/responses/"] button[type=submit]')]);
  assert.match(page.url(), /\/forms\/review\?done=filed/);
  await screenshot(page, 'forms-review-filed-390');
  await page.goto(base + `/patients/${PATIENT}#signed-forms`);
  await page.locator('#signed-forms').scrollIntoViewIfNeeded();
  assert.match(await page.locator('#signed-forms').innerText(), /1 item filed into the chart/);
  await screenshot(page, 'forms-review-chart-card-reviewed-390', { fullPage: false });
} finally {
  await browser.close();
}
