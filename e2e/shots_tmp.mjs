import { startServer, launch, signIn, screenshot } from './lib.mjs';
const server = await startServer(); const browser = await launch();
try {
  const page = await signIn(browser, server, 'owner');
  const both = async (name) => {
    await page.setViewportSize({ width: 1280, height: 800 }); await screenshot(page, name, { fullPage: false });
    await page.setViewportSize({ width: 390, height: 844 }); await screenshot(page, name + '-phone', { fullPage: false });
    await page.setViewportSize({ width: 1280, height: 800 });
  };
  await page.goto(server.url + '/admin/settings?done=zone'); await both('p1-settings-notice');
  await page.goto(server.url + '/admin/roles?done=role'); await both('p1-roles-notice');
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const anon = await ctx.newPage();
  await anon.goto(server.url + '/login'); await anon.fill('#username', 'nurse'); await anon.fill('#password', 'wrong password here');
  await Promise.all([anon.waitForNavigation(), anon.click('button[type=submit]')]);
  await anon.screenshot({ path: '../target/e2e-screenshots/p1-login-error.png' });
  await anon.setViewportSize({ width: 390, height: 844 }); await anon.screenshot({ path: '../target/e2e-screenshots/p1-login-error-phone.png' });
} finally { await browser.close(); server.stop(); }
