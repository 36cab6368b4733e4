// The notebook editor: cells, their outputs, the kernel session, and
// Jupyter's commands and keyboard shortcuts (command mode and edit mode).
import { appURL } from './base.js';
import { contents, sessions, encodePath, APIError } from './api.js';
import { Kernel } from './kernel.js';
import { cellEditor } from './editor.js';
import { renderData, renderError, renderMarkdown, errorLine } from './render.js';
import { h, toast, confirmDialog, promptDialog } from './ui.js';
import { StreamView, fixCarriageReturns } from './stream.js';
import { WidgetManager, WIDGET_MIME } from './widgets.js';

const AUTOSAVE_MS = 120000;
const multiline = (v) => (Array.isArray(v) ? v.join('') : v ?? '');
function splitLines(s) {
  const out = s.match(/[^\n]*\n|[^\n]+$/g);
  return out || [];
}
function newID() {
  return Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, '0')).join('');
}

// Jupyter's carriage-return handling: a \r rewrites the line it is on.

async function sha256(text) {
  const buf = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}
const trustKey = (hash) => `nmfkernel-trusted:${hash}`;

// stable is JSON with sorted keys, so that a notebook's signature does not
// depend on the order the server or the browser keep keys in.
function stable(v) {
  if (typeof JSON.isRawJSON === 'function' && JSON.isRawJSON(v)) return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(stable).join(',') + ']';
  if (v && typeof v === 'object') return '{' + Object.keys(v).filter((k) => !k.startsWith('_')).sort().map((k) => JSON.stringify(k) + ':' + stable(v[k])).join(',') + '}';
  return JSON.stringify(v ?? null);
}

// canonical is an output with its multiline strings joined.
function canonical(o) {
  const x = { ...o };
  delete x._el;
  delete x._view;
  if (x.text !== undefined) x.text = multiline(x.text);
  if (x.data) x.data = Object.fromEntries(Object.entries(x.data).map(([k, v]) => [k, typeof v === 'string' || Array.isArray(v) ? multiline(v) : v]));
  return x;
}

// signature is the hash of a whole notebook (every cell's type, source,
// metadata, attachments and outputs, and the notebook's metadata), under
// which this browser remembers that it trusts it, as Jupyter signs the
// whole notebook: a trusted notebook edited anywhere is untrusted again.
const signature = (nb) => sha256(stable({
  metadata: nb.metadata || {},
  cells: (nb.cells || []).map((c) => {
    const x = { ...c };
    delete x._el;
    delete x.id; // the server gives cells ids when it saves (nbformat 4.5); nothing shows them
    x.source = multiline(c.source ?? '');
    if (c.cell_type !== 'code') { delete x.outputs; delete x.execution_count; } // never shown, nor saved
    else if (c.outputs) x.outputs = c.outputs.map(canonical);
    return x;
  }),
}));

// codeOutputs reports whether a notebook's code cells have outputs (the
// only outputs the app renders: those stored on Markdown and raw cells
// are never shown, nor saved).
const codeOutputs = (cells) => cells.some((c) => c.cell_type === 'code' && c.outputs && c.outputs.length);

class Cell {
  constructor(nb, model, trusted) {
    this.nb = nb;
    this.model = model;
    this.trusted = trusted;
    this.displayEls = [];
    this.el = h('div', { class: `cell ${model.cell_type}-cell`, 'data-cell-id': model.id });
    this.prompt = h('div', { class: 'prompt' });
    this.inputArea = h('div', { class: 'input-area' });
    this.rendered = h('div', { class: 'markdown-rendered' });
    this.outputsEl = h('div', { class: 'outputs' });
    this.el.append(h('div', { class: 'input' }, this.prompt, this.inputArea), this.rendered, this.outputsEl);
    this.editing = false;
    this.editor = cellEditor(this.inputArea, {
      text: multiline(model.source),
      type: () => this.model.cell_type,
      hooks: {
        kernel: () => nb.kernel,
        keys: nb.editKeys(this),
        onChange: (t) => { this.model.source = t; this.editor && this.editor.markErrorLine(0); nb.setDirty(); },
        onFocus: () => { nb.select(this, false); nb.setMode('edit'); },
      },
    });
    this.el.addEventListener('mousedown', (e) => {
      if (!this.inputArea.contains(e.target)) nb.select(this, false);
    });
    this.rendered.addEventListener('dblclick', () => this.edit());
    this.setPrompt();
    this.renderOutputs();
    if (model.cell_type === 'markdown') this.renderMarkdown();
  }

  get type() { return this.model.cell_type; }

  setPrompt(state) {
    if (this.type !== 'code') { this.prompt.textContent = ''; return; }
    const n = this.model.execution_count;
    this.prompt.textContent = state === 'queued' || state === 'running' ? '[*]:' : `[${n ?? ' '}]:`;
    this.el.classList.toggle('running', state === 'running' || state === 'queued');
  }

  renderMarkdown() {
    const src = multiline(this.model.source);
    renderMarkdown(this.rendered, src || '*Empty Markdown cell: double-click to edit*', this.nb.dir);
    this.el.classList.add('markdown-shown');
    this.editing = false;
  }

  edit() {
    if (this.type === 'markdown') this.el.classList.remove('markdown-shown');
    this.editing = true;
    this.nb.select(this, false);
    this.nb.setMode('edit');
    this.editor.focus();
  }

  setType(t) {
    if (t === this.type) return;
    this.model.cell_type = t;
    this.el.classList.remove('code-cell', 'markdown-cell', 'markdown-shown');
    this.el.classList.add(`${t}-cell`);
    if (t === 'code') { this.model.outputs = []; this.model.execution_count = null; } else {
      delete this.model.outputs; delete this.model.execution_count;
      this.outputsEl.replaceChildren();
    }
    this.editor.setLanguage(t);
    this.setPrompt();
    this.nb.setDirty();
  }

  clearOutputs() {
    if (this.type !== 'code') return;
    this.model.outputs = [];
    this.displayEls = [];
    this.outputsEl.replaceChildren();
    this.editor.markErrorLine(0);
  }

  renderOutputs() {
    this.outputsEl.replaceChildren();
    this.displayEls = [];
    if (this.type !== 'code') return; // outputs on other cells are not the kernel's: never shown
    for (const out of this.model.outputs || []) this.outputsEl.append(this.outputElement(out));
  }

  outputElement(out) {
    const el = h('div', { class: `output output-${out.output_type}` });
    switch (out.output_type) {
      case 'stream': {
        el.classList.add(`stream-${out.name}`);
        const view = new StreamView(multiline(out.text));
        // The view holds the text; the model reads it from there when saved.
        Object.defineProperty(out, 'text', { get: () => view.text(), set: (t) => view.reset(multiline(t)), enumerable: true, configurable: true });
        out._view = view;
        el.append(view.el);
        break;
      }
      case 'error':
        renderError(el, out);
        break;
      default:
        renderData(el, out.data || {}, this.trusted, this.nb.dir);
    }
    out._el = el;
    return el;
  }

  // iopub applies one iopub message of this cell's execution.
  iopub(msg) {
    const c = msg.content;
    const outs = this.model.outputs;
    if (this.clearPending && msg.header.msg_type !== 'clear_output' && msg.header.msg_type !== 'update_display_data' && msg.header.msg_type !== 'execute_input') {
      this.clearOutputs();
      this.clearPending = false;
    }
    switch (msg.header.msg_type) {
      case 'stream': {
        const last = outs[outs.length - 1];
        if (last && last.output_type === 'stream' && last.name === c.name) {
          last._view.append(c.text);
        } else {
          const out = { output_type: 'stream', name: c.name, text: fixCarriageReturns(c.text) };
          outs.push(out);
          this.outputsEl.append(this.outputElement(out));
        }
        break;
      }
      case 'display_data':
      case 'execute_result': {
        const out = { output_type: msg.header.msg_type, data: c.data, metadata: c.metadata || {} };
        if (msg.header.msg_type === 'execute_result') out.execution_count = c.execution_count;
        outs.push(out);
        this.outputsEl.append(this.outputElement(out));
        const id = c.transient && c.transient.display_id;
        if (id) this.nb.registerDisplay(id, this, out);
        break;
      }
      case 'update_display_data':
        this.nb.updateDisplay(c.transient && c.transient.display_id, c.data, c.metadata || {});
        break;
      case 'error': {
        const out = { output_type: 'error', ename: c.ename, evalue: c.evalue, traceback: c.traceback };
        outs.push(out);
        this.outputsEl.append(this.outputElement(out));
        const line = errorLine(out);
        if (line) this.editor.markErrorLine(line);
        break;
      }
      case 'clear_output':
        if (c.wait) this.clearPending = true; else this.clearOutputs();
        break;
      case 'execute_input':
        this.setPrompt('running');
        break;
    }
    this.nb.setDirty();
  }
}

export class Notebook {
  constructor(root, path) {
    this.root = root;
    this.path = path;
    this.dir = path.split('/').slice(0, -1).join('/');
    this.cells = [];
    this.selected = null;
    this.mode = 'command';
    this.dirty = false;
    this.kernel = null;
    this.displays = new Map();
    this.undoStack = []; // snapshots before destructive commands (see snapshot)
    this.lastKey = { key: '', at: 0 };
  }

  async open() {
    this.buildChrome();
    let model;
    try {
      model = await contents.get(this.path, { type: 'notebook' });
    } catch (e) {
      this.cellsEl.append(h('div', { class: 'load-error' }, `Cannot open ${this.path}: ${e.message}`));
      throw e;
    }
    this.lastModified = model.last_modified;
    this.nbMeta = model.content.metadata || {};
    this.nbformatMinor = model.content.nbformat_minor;
    const cells = model.content.cells;
    // The signature of the notebook as read: trusting it trusts this file
    // as it is on disk (what the app adds before a save, such as the
    // kernel's language_info, is signed too when it is saved).
    this.openedSignature = await signature(model.content);
    this.trusted = !codeOutputs(cells) || localStorage.getItem(trustKey(this.openedSignature)) !== null;
    const frag = document.createDocumentFragment();
    for (const c of cells) {
      const cell = new Cell(this, { ...c, source: multiline(c.source) }, this.trusted);
      this.cells.push(cell);
      frag.append(cell.el);
    }
    this.cellsEl.append(frag);
    if (!this.cells.length) this.insert(0, 'code');
    this.select(this.cells[0], false);
    this.updateTrust();
    this.setDirty(false);
    this.updateSaved();
    document.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('beforeunload', (e) => { if (this.dirty) { e.preventDefault(); e.returnValue = ''; } });
    setInterval(() => { if (this.dirty && !this.saving) this.save({ auto: true }); }, AUTOSAVE_MS);
    this.startSession();
  }

  // The page around the cells: header, toolbar, status.
  buildChrome() {
    const btn = (label, title, fn, cls = '') => {
      const b = h('button', { class: `tb ${cls}`, title, 'data-action': title.split(' (')[0].toLowerCase().replace(/[^a-z]+/g, '-') }, label);
      // A click leaves the focus where it was (a cell's editor stays in
      // edit mode), so letters typed next go there, not to commands.
      b.addEventListener('mousedown', (e) => e.preventDefault());
      b.addEventListener('click', (e) => { e.preventDefault(); fn(); });
      return b;
    };
    this.nameEl = h('span', { class: 'nb-name', title: 'Rename' }, this.path.split('/').pop().replace(/\.ipynb$/, ''));
    this.nameEl.addEventListener('click', () => this.rename());
    this.dirtyEl = h('span', { class: 'dirty', title: 'Unsaved changes' }, '•');
    this.savedEl = h('span', { class: 'saved' });
    this.statusEl = h('span', { class: 'kernel-status', 'data-state': 'connecting' }, h('span', { class: 'dot' }), h('span', { class: 'label' }, 'Connecting'));
    this.trustEl = h('button', { class: 'tb trust', title: 'Trust the outputs of this notebook (run their HTML and scripts)' }, 'Not trusted');
    this.trustEl.addEventListener('click', () => this.trust());
    this.typeSel = h('select', { class: 'cell-type', title: 'Cell type' }, h('option', { value: 'code' }, 'Code'), h('option', { value: 'markdown' }, 'Markdown'));
    this.typeSel.addEventListener('change', () => {
      if (this.selected && this.selected.type !== this.typeSel.value) { this.snapshot(); this.selected.setType(this.typeSel.value); }
      this.focusCommand();
    });
    const header = h('header', { class: 'nb-header' },
      h('a', { class: 'home', href: appURL('tree/' + encodePath(this.dir)), title: 'Files' }, 'nmfkernel'),
      h('span', { class: 'title' }, this.nameEl, this.dirtyEl), this.savedEl,
      h('span', { class: 'spacer' }), this.trustEl, this.statusEl);
    const toolbar = h('div', { class: 'toolbar', role: 'toolbar' },
      btn('Save', 'Save (Ctrl-S)', () => this.save()),
      btn('+', 'Insert cell below (B)', () => this.insertRelative(1)),
      btn('✂', 'Delete cell (D,D)', () => this.deleteSelected()),
      btn('↑', 'Move cell up', () => this.move(-1)),
      btn('↓', 'Move cell down', () => this.move(1)),
      btn('⎇', 'Split cell (Ctrl-Shift-Minus)', () => this.split()),
      h('span', { class: 'sep' }),
      btn('▶ Run', 'Run cell and select below (Shift-Enter)', () => this.runAndAdvance()),
      btn('Run all', 'Run all cells', () => this.runAll()),
      btn('Run above', 'Run all cells above', () => this.runAbove()),
      btn('■', 'Interrupt the kernel (I,I)', () => this.interrupt()),
      btn('↻', 'Restart the kernel (0,0)', () => this.restart()),
      btn('↻▶▶', 'Restart the kernel and run all cells', () => this.restartRunAll()),
      h('span', { class: 'sep' }),
      this.typeSel,
      btn('Clear', 'Clear all outputs', () => this.clearAll()),
      btn('⤓', 'Download as .ipynb', () => this.download()),
    );
    this.messageEl = h('div', { class: 'message', hidden: '' });
    this.cellsEl = h('main', { class: 'cells' });
    this.root.replaceChildren(h('div', { class: 'top' }, header, toolbar, this.messageEl), this.cellsEl);
  }

  showMessage(text) {
    this.messageEl.textContent = text;
    this.messageEl.hidden = !text;
  }

  // Kernel session ------------------------------------------------------

  async startSession() {
    try {
      const s = await sessions.create(this.path);
      this.sessionID = s.id;
      this.kernel = new Kernel(s.kernel.id, (st, detail) => this.setStatus(st, detail), () => this.kernelLost());
      this.newWidgets();
      this.kernel.connect();
    } catch (e) {
      this.setStatus('dead', e.message);
      toast(`Cannot start a kernel: ${e.message}`, 'error');
    }
  }

  // newWidgets starts the widget models afresh (a new or restarted
  // kernel has none).
  newWidgets() {
    const kernel = this.kernel;
    this.widgets = new WidgetManager(
      (id, data) => { try { kernel.send('shell', 'comm_msg', { comm_id: id, data }); } catch (e) { toast(`The widget's change was not sent: ${e.message}`, 'error'); } },
      (out) => {
        const el = h('div', { class: `output output-${out.output_type}` });
        if (out.output_type === 'stream') {
          el.classList.add(`stream-${out.name}`);
          el.append(new StreamView(multiline(out.text)).el);
        } else if (out.output_type === 'error') {
          renderError(el, out);
        } else {
          renderData(el, out.data || {}, true, this.dir);
        }
        return el;
      });
    kernel.onComm = (msg) => this.widgets.handle(msg);
    // A widget's callback updates the display of the cell that made it.
    kernel.onUpdateDisplay = (msg) => this.updateDisplay(msg.content.transient && msg.content.transient.display_id, msg.content.data, msg.content.metadata || {});
  }

  async kernelLost() {
    this.showMessage('The kernel was lost (the server restarted?). A new kernel is starting: run the cells again to recreate their state.');
    for (const c of this.cells) if (c.el.classList.contains('running')) c.setPrompt();
    await this.startSession();
  }

  setStatus(state, detail) {
    const labels = { connecting: 'Connecting', idle: 'Idle', busy: 'Busy', restarting: 'Restarting', reconnecting: 'Reconnecting…', disconnected: 'Disconnected', dead: 'No kernel' };
    this.statusEl.dataset.state = state;
    this.statusEl.lastChild.textContent = labels[state] || state;
    this.statusEl.title = detail || `Kernel ${labels[state] || state}`;
    if (state === 'idle' && this.messageEl.textContent.startsWith('The connection')) this.showMessage('');
    if (state === 'reconnecting') this.showMessage('The connection to the server was lost: reconnecting…');
    if (state === 'disconnected' && detail === 'log in again') this.showMessage('The server no longer knows this browser: open the URL kernel serve printed to log in again.');
  }

  // Cells ---------------------------------------------------------------

  index(cell) { return this.cells.indexOf(cell); }

  select(cell, scroll = true) {
    if (!cell) return;
    if (this.selected && this.selected !== cell) {
      this.selected.el.classList.remove('selected');
      if (this.selected.type === 'markdown' && this.selected.editing) this.selected.renderMarkdown();
    }
    this.selected = cell;
    cell.el.classList.add('selected');
    this.typeSel.value = cell.type;
    if (scroll) cell.el.scrollIntoView({ block: 'nearest' });
  }

  setMode(mode) {
    this.mode = mode;
    document.body.dataset.mode = mode;
  }

  focusCommand() {
    this.setMode('command');
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    this.cellsEl.focus({ preventScroll: true });
  }

  insert(at, type = 'code', source = '') {
    const model = { id: newID(), cell_type: type, metadata: {}, source };
    if (type === 'code') { model.outputs = []; model.execution_count = null; }
    const cell = new Cell(this, model, true);
    const before = this.cells[at];
    this.cells.splice(at, 0, cell);
    this.cellsEl.insertBefore(cell.el, before ? before.el : null);
    if (type === 'markdown' && !source) { cell.el.classList.remove('markdown-shown'); cell.editing = true; }
    this.setDirty();
    return cell;
  }

  insertRelative(offset) {
    const at = this.selected ? this.index(this.selected) + (offset > 0 ? 1 : 0) : this.cells.length;
    const cell = this.insert(at);
    this.select(cell);
    return cell;
  }

  // snapshot records the cells before a destructive command (delete,
  // cut, clear outputs, a change of type that drops outputs, split), so
  // that Z undoes it; the last 20 are kept.
  snapshot() {
    this.undoStack.push({
      cells: this.cells.map((c) => ({ model: deepClone(stripped(c.model)), trusted: c.trusted })),
      selected: this.selected ? this.index(this.selected) : 0,
    });
    if (this.undoStack.length > 20) this.undoStack.shift();
  }

  // undo restores the cells as they were before the last destructive
  // command.
  undo() {
    const snap = this.undoStack.pop();
    if (!snap) return;
    for (const c of this.cells) { c.el.remove(); c.editor.destroy(); }
    this.cells = snap.cells.map(({ model, trusted }) => new Cell(this, model, trusted));
    for (const c of this.cells) this.cellsEl.append(c.el);
    this.selected = null;
    this.select(this.cells[Math.min(snap.selected, this.cells.length - 1)]);
    this.setDirty();
  }

  deleteSelected() {
    const cell = this.selected;
    if (!cell) return;
    this.snapshot();
    const i = this.index(cell);
    this.cells.splice(i, 1);
    cell.el.remove();
    cell.editor.destroy();
    if (!this.cells.length) this.insert(0);
    this.selected = null;
    this.select(this.cells[Math.min(i, this.cells.length - 1)]);
    this.setDirty();
  }

  // undoDelete is the toolbar's and Z's undo (of any destructive command).
  undoDelete() { this.undo(); }

  move(delta) {
    const cell = this.selected;
    const i = this.index(cell);
    const j = i + delta;
    if (!cell || j < 0 || j >= this.cells.length) return;
    this.cells.splice(i, 1);
    this.cells.splice(j, 0, cell);
    const next = this.cells[j + 1];
    this.cellsEl.insertBefore(cell.el, next ? next.el : null);
    cell.el.scrollIntoView({ block: 'nearest' });
    this.setDirty();
  }

  split() {
    const cell = this.selected;
    if (!cell) return;
    this.snapshot();
    const text = cell.editor.text();
    const at = cell.editor.cursor();
    const head = text.slice(0, at).replace(/\n$/, '');
    const tail = text.slice(at).replace(/^\n/, '');
    cell.editor.setText(head);
    const next = this.insert(this.index(cell) + 1, cell.type, tail);
    this.select(next);
    next.edit();
    next.editor.focus('start');
  }

  // Running -------------------------------------------------------------

  // run sends one cell to the kernel (or renders a Markdown cell); the
  // returned promise settles when its reply has come.
  run(cell) {
    if (cell.type === 'markdown') { cell.renderMarkdown(); return Promise.resolve('ok'); }
    if (cell.type !== 'code') return Promise.resolve('ok');
    if (!this.kernel || this.kernel.state === 'dead') { toast('No kernel is connected', 'error'); return Promise.resolve('error'); }
    const code = cell.editor.text();
    cell.model.source = code;
    cell.clearOutputs();
    cell.trusted = true;
    if (!this.trusted && this.cells.every((c) => c.trusted || !(c.model.outputs && c.model.outputs.length))) {
      this.trusted = true;
      this.updateTrust();
    }
    cell.clearPending = false;
    cell.setPrompt('queued');
    cell.model.execution_count = null;
    const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true };
    // The reply settles after the kernel's idle status, when every output
    // of the cell is in.
    return this.kernel.request('shell', 'execute_request', content, { onIOPub: (m) => cell.iopub(m), waitIdle: true }).then((reply) => {
      const r = reply.content;
      cell.model.execution_count = r.status === 'aborted' ? null : r.execution_count;
      this.recordModules(reply.metadata);
      cell.setPrompt();
      this.setDirty();
      return r.status;
    }, (e) => {
      cell.setPrompt();
      return 'error: ' + e.message;
    });
  }

  // recordModules keeps in the notebook's metadata the Go modules the
  // kernel compiled in at its request (the execute_reply's metadata), as
  // kernel run does, so that the notebook re-runs with those versions.
  recordModules(meta) {
    const mods = meta && meta.nmfkernel && meta.nmfkernel.modules;
    if (!Array.isArray(mods) || !mods.length) return;
    const own = this.nbMeta.nmfkernel || {};
    if (JSON.stringify(own.modules) === JSON.stringify(mods)) return;
    this.nbMeta.nmfkernel = { ...own, modules: mods };
    this.setDirty();
  }

  runSelected() {
    const cell = this.selected;
    if (!cell) return;
    this.run(cell);
    this.focusCommand();
  }

  runAndAdvance() {
    const cell = this.selected;
    if (!cell) return;
    this.run(cell);
    let i = this.index(cell) + 1;
    if (i >= this.cells.length) this.insert(i);
    this.select(this.cells[i]);
    if (this.mode === 'edit' && this.cells[i].type === 'code') this.cells[i].edit(); else this.focusCommand();
  }

  runAndInsert() {
    const cell = this.selected;
    if (!cell) return;
    this.run(cell);
    const next = this.insert(this.index(cell) + 1);
    this.select(next);
    next.edit();
  }

  runRange(cells) {
    this.focusCommand();
    return Promise.all(cells.map((c) => this.run(c)));
  }

  runAll() { return this.runRange(this.cells.slice()); }
  runAbove() { return this.runRange(this.cells.slice(0, Math.max(0, this.index(this.selected)))); }

  async interrupt() {
    if (!this.kernel) return;
    try { await this.kernel.interrupt(); } catch (e) { toast(`Interrupt failed: ${e.message}`, 'error'); }
  }

  async restart(ask = true) {
    if (!this.kernel) return false;
    if (ask && !(await confirmDialog('Restart the kernel? Its variables will be lost.', 'Restart'))) return false;
    try {
      await this.kernel.restart();
    } catch (e) {
      toast(`Restart failed: ${e.message}`, 'error');
      return false;
    }
    this.newWidgets();
    for (const c of this.cells) if (c.el.classList.contains('running')) c.setPrompt();
    this.showMessage('');
    return true;
  }

  async restartRunAll() {
    if (!(await confirmDialog('Restart the kernel and run all cells?', 'Restart and run all'))) return;
    if (await this.restart(false)) await this.runAll();
  }

  clearAll() {
    this.snapshot();
    for (const c of this.cells) if (c.type === 'code') { c.clearOutputs(); c.model.execution_count = null; c.setPrompt(); }
    this.setDirty();
  }

  registerDisplay(id, cell, out) {
    if (!this.displays.has(id)) this.displays.set(id, []);
    this.displays.get(id).push({ cell, out });
  }

  updateDisplay(id, data, metadata) {
    for (const { cell, out } of this.displays.get(id) || []) {
      if (!cell.model.outputs.includes(out)) continue;
      const sameWidget = out.data && out.data[WIDGET_MIME] && data[WIDGET_MIME] && out.data[WIDGET_MIME].model_id === data[WIDGET_MIME].model_id;
      out.data = data;
      out.metadata = metadata;
      this.setDirty();
      // A widget's view stays (the user may be working it); only what the
      // notebook saves for it changes.
      if (sameWidget && this.widgets && this.widgets.has(data[WIDGET_MIME].model_id)) continue;
      const el = cell.outputElement(out);
      const old = cell.outputsEl.querySelector(':scope > .output:nth-child(' + (cell.model.outputs.indexOf(out) + 1) + ')');
      if (old) old.replaceWith(el);
    }
  }

  // Saving ----------------------------------------------------------------

  setDirty(d = true) {
    this.dirty = d;
    this.dirtyEl.hidden = !d;
    document.title = `${d ? '● ' : ''}${this.path.split('/').pop()} · nmfkernel`;
  }

  updateSaved() {
    const t = this.lastModified ? new Date(this.lastModified) : null;
    this.savedEl.textContent = t ? `Last saved ${t.toLocaleTimeString()}` : '';
  }

  toJSON() {
    return {
      cells: this.cells.map((c) => {
        const m = stripped(c.model);
        m.source = splitLines(multiline(m.source));
        if (m.cell_type !== 'code') { delete m.outputs; delete m.execution_count; }
        if (m.outputs) m.outputs = m.outputs.map((o) => (o.output_type === 'stream' ? { ...o, text: splitLines(multiline(o.text)) } : o));
        return m;
      }),
      metadata: this.metadataWithWidgets(),
      nbformat: 4,
      nbformat_minor: Math.max(5, this.nbformatMinor || 5),
    };
  }

  // metadataWithWidgets is the notebook's metadata with the state of the
  // kernel's widgets under widgets["application/vnd.jupyter.widget-state+json"],
  // as JupyterLab saves it, so that JupyterLab, nbviewer and GitHub show
  // the controls of a saved notebook; without live widgets, what the
  // notebook had.
  metadataWithWidgets() {
    const state = this.widgets ? this.widgets.savedState() : null;
    if (!state) return this.nbMeta;
    return { ...this.nbMeta, widgets: { 'application/vnd.jupyter.widget-state+json': state } };
  }

  async save({ auto = false, force = false } = {}) {
    if (this.saving) return;
    this.saving = true;
    const dirtyBefore = this.dirty;
    this.setDirty(false);
    const content = this.toJSON();
    // What this browser trusts stays trusted once saved: the signature is
    // recorded before the request, so that leaving the page while it is
    // under way cannot lose it.
    if (this.cells.every((c) => c.trusted || c.type !== 'code' || !(c.model.outputs && c.model.outputs.length))) {
      localStorage.setItem(trustKey(await signature(content)), '1');
    }
    try {
      const model = await contents.save(this.path, { type: 'notebook', format: 'json', content, last_modified: force ? undefined : this.lastModified });
      this.lastModified = model.last_modified;
      this.updateSaved();
      if (!auto) await contents.checkpoint(this.path).catch(() => {});
      if (!auto) toast('Saved');
    } catch (e) {
      this.setDirty(dirtyBefore || true);
      if (e instanceof APIError && e.status === 409) {
        this.saving = false;
        if (!auto && await confirmDialog(`${this.path} changed on disk since it was opened. Overwrite it?`, 'Overwrite')) return this.save({ force: true });
        if (auto) this.showMessage(`${this.path} changed on disk: autosave stopped. Save (Ctrl-S) to overwrite it.`);
        return;
      }
      toast(`Save failed: ${e.message}`, 'error');
    } finally {
      this.saving = false;
    }
  }

  async rename() {
    const old = this.path.split('/').pop();
    const name = await promptDialog('Rename the notebook', old);
    if (!name || name === old) return;
    const newPath = (this.dir ? this.dir + '/' : '') + (name.endsWith('.ipynb') ? name : name + '.ipynb');
    try {
      const m = await contents.rename(this.path, newPath);
      this.path = m.path;
      this.nameEl.textContent = m.name.replace(/\.ipynb$/, '');
      history.replaceState(null, '', appURL('notebooks/' + encodePath(m.path)));
      this.setDirty(this.dirty);
    } catch (e) {
      toast(`Rename failed: ${e.message}`, 'error');
    }
  }

  download() {
    const blob = new Blob([JSON.stringify(this.toJSON(), null, 1) + '\n'], { type: 'application/x-ipynb+json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: this.path.split('/').pop() });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  async updateTrust() {
    this.trustEl.hidden = this.trusted;
  }

  async trust() {
    const ok = await confirmDialog(`Trust ${this.path}? Its outputs will run their HTML and JavaScript in this page, which can run code in your kernels. Trust only notebooks you made or whose source you trust.`, 'Trust');
    if (!ok) return;
    this.trusted = true;
    for (const c of this.cells) { c.trusted = true; c.renderOutputs(); }
    this.updateTrust();
    localStorage.setItem(trustKey(this.openedSignature), '1');
    localStorage.setItem(trustKey(await signature(this.toJSON())), '1');
  }

  // Keys ------------------------------------------------------------------

  // editKeys are the bindings a cell's editor adds (edit mode).
  editKeys(cell) {
    return [
      { key: 'Shift-Enter', run: () => { this.select(cell, false); this.runAndAdvance(); return true; } },
      { key: 'Mod-Enter', run: () => { this.select(cell, false); this.run(cell); this.focusCommand(); return true; } },
      { key: 'Alt-Enter', run: () => { this.select(cell, false); this.runAndInsert(); return true; } },
      { key: 'Escape', run: () => { this.focusCommand(); return true; } },
      { key: 'Mod-Shift--', run: () => { this.select(cell, false); this.split(); return true; } },
      { key: 'ArrowUp', run: () => this.leaveEditor(cell, -1) },
      { key: 'ArrowDown', run: () => this.leaveEditor(cell, 1) },
    ];
  }

  leaveEditor(cell, dir) {
    if (dir < 0 ? !cell.editor.atFirstLine() : !cell.editor.atLastLine()) return false;
    const next = this.cells[this.index(cell) + dir];
    if (!next) return false;
    this.select(next);
    next.edit();
    if (dir > 0) next.editor.focus('start');
    return true;
  }

  onKey(e) {
    if (e.defaultPrevented) return; // an editor's key binding took it
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key === 's') { e.preventDefault(); this.save(); return; }
    if (document.querySelector('.dialog')) return;
    if (this.mode === 'edit' && this.selected && this.selected.inputArea.contains(document.activeElement)) return;
    const t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    const cell = this.selected;
    const i = cell ? this.index(cell) : -1;
    if (['Shift', 'Control', 'Alt', 'Meta', 'CapsLock'].includes(e.key)) return;
    // D,D and friends mean the same key twice in a row: any other key in
    // between starts over.
    if (this.lastKey.key && this.lastKey.key !== e.key) this.lastKey = { key: '', at: 0 };
    const twice = (k) => {
      const now = Date.now();
      const yes = this.lastKey.key === k && now - this.lastKey.at < 800;
      this.lastKey = yes ? { key: '', at: 0 } : { key: k, at: now };
      return yes;
    };
    let handled = true;
    if (e.key === 'Enter' && e.shiftKey) this.runAndAdvance();
    else if (e.key === 'Enter' && mod) this.runSelected();
    else if (e.key === 'Enter' && e.altKey) this.runAndInsert();
    else if (e.key === 'Enter' && cell) cell.edit();
    else if (mod || e.altKey) handled = false;
    else if (e.key === 'ArrowUp' || e.key === 'k') this.select(this.cells[Math.max(0, i - 1)]);
    else if (e.key === 'ArrowDown' || e.key === 'j') this.select(this.cells[Math.min(this.cells.length - 1, i + 1)]);
    else if (e.key === 'a') this.insertRelative(-1);
    else if (e.key === 'b') this.insertRelative(1);
    else if (e.key === 'd') { if (twice('d')) this.deleteSelected(); }
    else if (e.key === 'z') this.undoDelete();
    else if (e.key === 'm' && cell) { if (cell.type !== 'markdown') this.snapshot(); cell.setType('markdown'); this.typeSel.value = 'markdown'; }
    else if (e.key === 'y' && cell) { cell.setType('code'); this.typeSel.value = 'code'; }
    else if (e.key === 'i') { if (twice('i')) this.interrupt(); }
    else if (e.key === '0') { if (twice('0')) this.restart(); }
    else handled = false;
    if (handled) e.preventDefault();
  }
}

// deepClone copies a model; exact numbers (JSON.rawJSON values, which
// structuredClone would turn into objects) are kept as they are.
function deepClone(v) {
  if (typeof JSON.isRawJSON === 'function' && JSON.isRawJSON(v)) return v;
  if (Array.isArray(v)) return v.map(deepClone);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepClone(x)]));
  return v;
}

// stripped is a cell model as nbformat writes it (no DOM references).
function stripped(model) {
  const m = { ...model };
  if (m.outputs) m.outputs = m.outputs.map(({ _el, _view, ...o }) => o);
  return m;
}
