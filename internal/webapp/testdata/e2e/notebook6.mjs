// Drives classic Jupyter Notebook 6.4 (Debian's jupyter-notebook), used as
// a gateway client of kernel serve, in chromium: grocery.ipynb's Restart &
// Run All finds its data (the kernel runs in the notebook's folder) and
// ends with the coffee targets, and a failing cell stops Run All every
// time. Run by TestNotebook6Gateway with NOTEBOOK_URL and CHROMIUM.
import { chromium } from 'playwright-core';

const base = process.env.NOTEBOOK_URL; // http://127.0.0.1:PORT, token "nbtok"
const tries = Number(process.env.TRIES || 10);

function check(name, cond, detail = '') {
  if (!cond) throw new Error(`FAIL ${name}: ${detail}`);
  console.log(`ok ${name}`);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(60000);
  const open = async (name) => {
    await page.goto(`${base}/notebooks/${name}?token=nbtok`);
    await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected());
  };
  const done = () => page.waitForFunction(() => Jupyter.notebook.get_cells().every((c) => c.cell_type !== 'code' || c.input_prompt_number !== '*') &&
    document.querySelector('#kernel_indicator_icon.kernel_idle_icon'));

  await open('grocery.ipynb');
  await page.evaluate(() => Jupyter.notebook.clear_all_output());
  await page.evaluate(() => Jupyter.notebook.restart_run_all({ confirm: false }));
  await page.waitForFunction(() => Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code').every((c) => typeof c.input_prompt_number === 'number'));
  await done();
  const outs = await page.evaluate(() => Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code').map((c) => c.output_area.outputs));
  check('grocery.ipynb: Restart & Run All through the gateway runs clean', outs.every((o) => o.every((x) => x.output_type !== 'error')), JSON.stringify(outs.flat().filter((x) => x.output_type === 'error')));
  const coffee = JSON.stringify(outs.find((o) => o.some((x) => x.data && /Peter/.test(x.data['text/plain'] || ''))) || '');
  check('the coffee targets', ['Peter', 'Jennifer', 'Alice', 'Greg'].every((n) => coffee.includes(n)), coffee.slice(0, 200));

  await open('failing.ipynb');
  let ran = 0;
  for (let i = 0; i < tries; i++) {
    await page.evaluate(() => Jupyter.notebook.restart_run_all({ confirm: false }));
    await page.waitForFunction(() => Jupyter.notebook.get_cell(1).output_area.outputs.length > 0);
    await page.waitForTimeout(1500);
    const after = await page.evaluate(() => Jupyter.notebook.get_cells().slice(2).filter((c) => c.output_area.outputs.length > 0).length);
    if (after) ran++;
  }
  check(`Run All stops at the failing cell (${tries - ran} of ${tries} tries)`, ran === 0, `cells after the failure ran in ${ran} tries`);
  console.log('PASS');
} catch (e) {
  console.log(e.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
