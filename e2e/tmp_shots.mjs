import { launch, signIn, startServer } from './lib.mjs';
const server = await startServer();
const browser = await launch();
try {
  // The portal's sign-in with no text or mail service: the clinic-wide message.
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p = await ctx.newPage();
  await p.goto(server.url + '/portal/sign-in');
  await p.screenshot({ path: '/tmp/shots/portal-signin-390.png', fullPage: true });
  // The front desk's forms page; the owner's list with the demo's forms.
  const desk = await signIn(browser, server, 'frontdesk');
  await desk.goto(server.url + '/forms');
  await desk.screenshot({ path: '/tmp/shots/forms-desk-1280.png', fullPage: true });
  // A visit booked today: its page offers Check in.
  await desk.goto(server.url + '/calendar/setup');
  await desk.screenshot({ path: '/tmp/shots/setup-1280.png', fullPage: false });
  await desk.goto(server.url + '/patients');
  const first = await desk.locator('main a[href^="/patients/"]').first().getAttribute('href');
  await desk.goto(server.url + first);
  await desk.screenshot({ path: '/tmp/shots/chart-1280.png', fullPage: false });
  console.log('chart', first);
} finally {
  await browser.close(); await server.stop();
}
