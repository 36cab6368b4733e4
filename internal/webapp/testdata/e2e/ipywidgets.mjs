// Renders the widgets a kernel made with ipywidgets 8's own JavaScript
// (@jupyter-widgets/html-manager, the controls JupyterLab 4 and Notebook 7
// use) in Debian's chromium: PAGE is an HTML file holding the widgets'
// state and views as Jupyter embeds them. Run by widgets_e2e_test.go;
// prints "ok <check>" lines and ends with "PASS".
import { chromium } from 'playwright-core';

function check(name, cond, detail = '') {
  if (!cond) throw new Error(`FAIL ${name}: ${detail}`);
  console.log(`ok ${name}`);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox', '--allow-file-access-from-files'] });
const errors = [];
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto('file://' + process.env.PAGE);
  await page.waitForSelector('.widget-slider', { timeout: 30000 });
  const sliders = await page.$$eval('.widget-slider', (els) => els.map((e) => e.textContent.trim()));
  check('ipywidgets renders the IntSlider with its label and value', sliders.some((t) => t.includes('segments') && t.includes('3')), JSON.stringify(sliders));
  const dropdown = await page.$$eval('.widget-dropdown select', (els) => els.map((e) => [...e.options].map((o) => o.textContent).join(',') + '=' + e.value));
  check('the Dropdown with its options', dropdown.length === 1 && dropdown[0].startsWith('apples,pears'), JSON.stringify(dropdown));
  check('the Checkbox', (await page.$$('.widget-checkbox input[type=checkbox]')).length === 1);
  check('the Text box', (await page.$$eval('.widget-text input', (els) => els.map((e) => e.value))).includes('hello'));
  check('the Button', (await page.$$eval('button.widget-button', (els) => els.map((e) => e.textContent.trim()))).includes('Refit'));
  const out = await page.textContent('.widget-output');
  check("Interact's output widget shows the function's output", out.includes('fit with 3 segments'), out);
  check('a FloatSlider', (await page.$$('.widget-hslider, .widget-slider')).length >= 2);
  check('no errors from the widget manager', errors.length === 0, errors.join('\n'));
  console.log('PASS');
} catch (e) {
  console.log(e.stack || String(e));
  process.exitCode = 1;
} finally {
  await browser.close();
}
