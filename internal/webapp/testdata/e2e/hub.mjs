// Drives the notebook app behind a real JupyterHub in Debian's chromium:
// alice logs in at the hub, which starts her server (kernel serve --hub)
// and sends her to it; the app logs her in through the hub's OAuth, opens
// under /user/alice/, runs grocery.ipynb and shows its plot. Run by
// app_e2e_test.go with HUB_URL (the hub's public address) and CHROMIUM;
// prints "ok <check>" lines and ends with "PASS". SCREENSHOTS=dir saves
// hub.png.
import { chromium } from 'playwright-core';

const hub = process.env.HUB_URL;
const shots = process.env.SCREENSHOTS || '';

function check(name, cond, detail = '') {
  if (!cond) throw new Error(`FAIL ${name}: ${detail}`);
  console.log(`ok ${name}`);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox'] });
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60000);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && /Refused to (load|apply|execute|connect|create)/i.test(m.text())) errors.push(m.text()); });
  page.on('dialog', (d) => d.accept());

  // Log in at the hub: it starts alice's server and sends her there.
  await page.goto(`${hub}/hub/login`);
  await page.fill('#username_input', 'alice');
  await page.fill('#password_input', 'any');
  await page.click('#login_submit');
  await page.waitForSelector('a.file-link[data-path="grocery.ipynb"]');
  const at = new URL(page.url()).pathname;
  check('logging in at the hub opens the app under /user/alice/', at.startsWith('/user/alice/'), page.url());
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
  check('every link of the file browser is under /user/alice/', hrefs.every((h) => h.startsWith('/user/alice/')), hrefs.join(' '));

  // Open grocery.ipynb and run it all.
  await page.click('a.file-link[data-path="grocery.ipynb"]');
  await page.waitForURL(/\/user\/alice\/notebooks\/grocery\.ipynb$/);
  await page.waitForSelector('.kernel-status[data-state=idle]');
  check('the kernel starts and connects through the hub\'s proxy', true);
  await page.click('button[data-action="clear-all-outputs"]');
  await page.click('button[data-action="restart-the-kernel-and-run-all-cells"]');
  await page.click('.dialog button.primary');
  await page.waitForFunction(() => {
    const nb = window.nmfkernel;
    return nb.cells.filter((c) => c.type === 'code').every((c) => c.model.execution_count) && nb.kernel.state === 'idle';
  }, null, { timeout: 120000 });
  const segImg = await page.evaluate(() => {
    const cell = window.nmfkernel.cells.find((c) => c.model.source === 'viz.SegmentWeights(model)');
    const img = cell && cell.outputsEl.querySelector('img');
    return img ? img.naturalWidth : 0;
  });
  check('a cell runs and shows its plot', segImg > 100, `width ${segImg}`);
  if (shots) {
    const cell = await page.$('.cell:has(.output img)');
    await cell.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/hub.png` });
  }
  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => !window.nmfkernel.dirty && !window.nmfkernel.saving);
  check('the notebook saves through the hub', true);

  // Log out: to the hub's logout, and the app no longer opens.
  await page.click('a.home');
  await page.waitForSelector('a.logout');
  await page.click('a.logout');
  await page.waitForURL(/\/hub\/(login|logout)/);
  await page.goto(`${hub}/user/alice/tree/`);
  await page.waitForURL(/\/hub\/login/);
  check('after logging out, the app sends her to the hub\'s login', true);

  check('no page errors or blocked loads', errors.length === 0, errors.join('\n'));
  console.log('PASS');
} catch (e) {
  console.log(e.stack || String(e));
  process.exitCode = 1;
} finally {
  await browser.close();
}
