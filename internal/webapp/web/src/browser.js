// The file browser: a folder of the server's root, with new notebook, new
// folder, upload, rename, delete, and the notebooks whose kernels run.
import { appURL } from './base.js';
import { contents, sessions, encodePath } from './api.js';
import { h, toast, confirmDialog, promptDialog } from './ui.js';

const badges = { directory: 'DIR', notebook: 'NB', csv: 'CSV', image: 'IMG', file: 'FILE' };

function kind(m) {
  if (m.type !== 'file') return m.type;
  if (/\.(csv|tsv)$/i.test(m.name)) return 'csv';
  if (/\.(png|jpe?g|gif|svg|webp)$/i.test(m.name)) return 'image';
  return 'file';
}

function size(n) {
  if (n == null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1 << 20)).toFixed(1)} MB`;
}

function ago(stamp) {
  const s = (Date.now() - new Date(stamp).getTime()) / 1000;
  if (s < 60) return 'seconds ago';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(stamp).toLocaleDateString();
}

export class Browser {
  constructor(root, dir) {
    this.root = root;
    this.dir = dir;
  }

  async open() {
    const up = h('input', { type: 'file', multiple: true, hidden: true });
    up.addEventListener('change', () => this.upload(up.files).then(() => { up.value = ''; }));
    const btn = (label, title, fn) => {
      const b = h('button', { class: 'tb', title, 'data-action': title.toLowerCase().replace(/[^a-z]+/g, '-') }, label);
      b.addEventListener('click', fn);
      return b;
    };
    this.crumbs = h('nav', { class: 'crumbs' });
    this.list = h('table', { class: 'files' });
    this.root.replaceChildren(
      h('div', { class: 'top' }, h('header', { class: 'nb-header' }, h('a', { class: 'home', href: appURL('tree/') }, 'nmfkernel'), h('span', { class: 'spacer' }), h('a', { href: appURL('logout'), class: 'logout' }, 'Log out')),
      h('div', { class: 'toolbar' },
        btn('New notebook', 'New notebook', () => this.create('notebook')),
        btn('New folder', 'New folder', () => this.create('directory')),
        btn('Upload', 'Upload files', () => up.click()),
        btn('↻', 'Refresh', () => this.refresh()),
        up)),
      h('main', { class: 'browser' }, this.crumbs, this.list));
    this.root.addEventListener('dragover', (e) => e.preventDefault());
    this.root.addEventListener('drop', (e) => { e.preventDefault(); this.upload(e.dataTransfer.files); });
    await this.refresh();
  }

  async refresh() {
    let model, running;
    try {
      [model, running] = await Promise.all([contents.get(this.dir, { type: 'directory' }), sessions.list()]);
    } catch (e) {
      this.list.replaceChildren(h('tr', {}, h('td', { class: 'load-error' }, `Cannot list ${this.dir || 'the root'}: ${e.message}`)));
      return;
    }
    const runningBy = new Map(running.map((s) => [s.path, s]));
    const parts = this.dir ? this.dir.split('/') : [];
    this.crumbs.replaceChildren(h('a', { href: appURL('tree/') }, 'Home'), ...parts.flatMap((p, i) => ['/', h('a', { href: appURL('tree/' + encodePath(parts.slice(0, i + 1).join('/'))) }, p)]));
    const items = model.content.slice().sort((a, b) => (a.type === 'directory') - (b.type === 'directory') ? (b.type === 'directory') - (a.type === 'directory') : a.name.localeCompare(b.name));
    const rows = [h('tr', {}, h('th', {}, 'Name'), h('th', {}, ''), h('th', {}, 'Modified'), h('th', {}, 'Size'), h('th', {}, ''))];
    if (this.dir) rows.push(h('tr', {}, h('td', {}, h('a', { href: appURL('tree/' + encodePath(parts.slice(0, -1).join('/'))) }, '..'))));
    for (const m of items) {
      const k = kind(m);
      const href = appURL(m.type === 'directory' ? 'tree/' + encodePath(m.path) : m.type === 'notebook' ? 'notebooks/' + encodePath(m.path) : 'files/' + encodePath(m.path));
      const link = h('a', { href, class: 'file-link', 'data-path': m.path }, h('span', { class: `badge badge-${k}` }, badges[k]), m.name);
      if (m.type === 'file') link.target = '_blank';
      const session = runningBy.get(m.path);
      const actions = h('td', { class: 'actions' });
      const act = (label, title, fn) => { const b = h('button', { class: 'small', title }, label); b.onclick = fn; actions.append(b); };
      if (session) act('Shut down', 'Shut the kernel of this notebook down', () => sessions.remove(session.id).then(() => this.refresh(), (e) => toast(e.message, 'error')));
      act('Rename', `Rename ${m.name}`, () => this.rename(m));
      if (m.type !== 'directory') act('⤓', `Download ${m.name}`, () => { location.href = appURL('files/' + encodePath(m.path)) + '?download=1'; });
      act('Delete', `Delete ${m.name}`, () => this.remove(m));
      rows.push(h('tr', { 'data-path': m.path },
        h('td', {}, link), h('td', { class: 'running' }, session ? 'Running' : ''), h('td', { title: m.last_modified }, ago(m.last_modified)), h('td', { class: 'size' }, size(m.size)), actions));
    }
    if (!items.length) rows.push(h('tr', {}, h('td', { class: 'empty' }, 'This folder is empty: create a notebook or upload files.')));
    this.list.replaceChildren(...rows);
  }

  async create(type) {
    try {
      const m = await contents.newUntitled(this.dir, type);
      if (type === 'notebook') location.href = appURL('notebooks/' + encodePath(m.path));
      else await this.refresh();
    } catch (e) { toast(`Cannot create: ${e.message}`, 'error'); }
  }

  async rename(m) {
    const name = await promptDialog(`Rename ${m.name}`, m.name);
    if (!name || name === m.name) return;
    try {
      await contents.rename(m.path, (this.dir ? this.dir + '/' : '') + name);
      await this.refresh();
    } catch (e) { toast(`Rename failed: ${e.message}`, 'error'); }
  }

  async remove(m) {
    if (!(await confirmDialog(`Delete ${m.name}? This cannot be undone.`, 'Delete'))) return;
    try {
      await contents.remove(m.path);
      await this.refresh();
    } catch (e) { toast(`Delete failed: ${e.message}`, 'error'); }
  }

  async upload(files) {
    for (const f of files) {
      const path = (this.dir ? this.dir + '/' : '') + f.name;
      try {
        const exists = await contents.get(path, { content: false }).then(() => true, () => false);
        if (exists && !(await confirmDialog(`${f.name} exists. Replace it?`, 'Replace'))) continue;
        let model;
        if (f.name.endsWith('.ipynb')) {
          model = { type: 'notebook', format: 'json', content: JSON.parse(await f.text()) };
        } else {
          const buf = new Uint8Array(await f.arrayBuffer());
          let bin = '';
          for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
          model = { type: 'file', format: 'base64', content: btoa(bin) };
        }
        await contents.save(path, model);
        toast(`Uploaded ${f.name}`);
      } catch (e) { toast(`Upload of ${f.name} failed: ${e.message}`, 'error'); }
    }
    await this.refresh();
  }
}
