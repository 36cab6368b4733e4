// The nmfkernel notebook app: /tree/PATH shows a folder, /notebooks/PATH
// a notebook.
import { appPath } from './base.js';
import { Browser } from './browser.js';
import { Notebook } from './notebook.js';

const decode = (p) => p.split('/').filter(Boolean).map(decodeURIComponent).join('/');

function start() {
  const root = document.createElement('div');
  root.id = 'app';
  document.body.append(root);
  const path = appPath();
  if (path.startsWith('/notebooks/')) {
    const nb = new Notebook(root, decode(path.slice('/notebooks/'.length)));
    window.nmfkernel = nb; // for the end-to-end tests and the console
    nb.open();
  } else {
    const dir = path.startsWith('/tree/') ? decode(path.slice('/tree/'.length)) : '';
    new Browser(root, dir).open();
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
