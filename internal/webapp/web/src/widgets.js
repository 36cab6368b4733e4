// Jupyter widgets in the app: the models a kernel opens over comms
// (target jupyter.widget, protocol 2.1, @jupyter-widgets/controls 2.0 and
// output 1.0) and views for the controls lib/widgets makes: sliders,
// dropdown, checkbox, text, button, boxes and the output area. A user's
// change goes back as a comm_msg "update" (a click as a "custom" event);
// the kernel's updates change the views in place.
import { h } from './ui.js';

export const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';
const REF = 'IPY_MODEL_';

let current = null;

// widgetManager is the manager of the notebook's kernel, if any.
export function widgetManager() { return current; }

export class WidgetManager {
  // send(commID, data) sends a comm_msg to the kernel; renderOutput(out)
  // makes an element for a notebook output (the output area's content).
  constructor(send, renderOutput) {
    this.send = send;
    this.renderOutput = renderOutput;
    this.models = new Map(); // id -> {state, listeners: Set}
    current = this;
  }

  // handle applies an iopub comm message.
  handle(msg) {
    const c = msg.content;
    switch (msg.header.msg_type) {
      case 'comm_open':
        if (c.target_name !== 'jupyter.widget') return;
        this.models.set(c.comm_id, { state: { ...(c.data.state || {}) }, listeners: new Set() });
        break;
      case 'comm_msg': {
        const m = this.models.get(c.comm_id);
        if (!m || !c.data) return;
        if (c.data.method === 'update' || c.data.method === 'echo_update') {
          Object.assign(m.state, c.data.state || {});
          for (const f of m.listeners) f(m.state, c.data.state || {});
        }
        break;
      }
      case 'comm_close':
        this.models.delete(c.comm_id);
        break;
    }
  }

  has(id) { return this.models.has(id); }

  // savedState is every model's state as notebooks save it (ipywidgets'
  // widget-state schema), or null when there is none.
  savedState() {
    if (this.models.size === 0) return null;
    const state = {};
    for (const [id, m] of this.models) {
      state[id] = { model_name: m.state._model_name, model_module: m.state._model_module, model_module_version: m.state._model_module_version, state: m.state };
    }
    return { version_major: 2, version_minor: 0, state };
  }

  // update sends a state change the user made.
  update(id, state) {
    const m = this.models.get(id);
    if (m) Object.assign(m.state, state);
    this.send(id, { method: 'update', state, buffer_paths: [] });
  }

  listen(id, f) {
    const m = this.models.get(id);
    if (m) m.listeners.add(f);
  }

  // view makes the element of model id (null when the kernel has no such
  // model: a notebook opened without its kernel's widgets).
  view(id) {
    const m = this.models.get(id);
    if (!m) return null;
    const s = m.state;
    const view = views[s._view_name];
    const el = view ? view(this, id, s) : h('span', { class: 'widget-unknown' }, `[${s._model_name || 'widget'}]`);
    el.dataset.modelId = id;
    el.classList.add('widget');
    if (s.disabled !== undefined) this.listen(id, (st) => el.classList.toggle('widget-disabled', !!st.disabled));
    return el;
  }
}

function label(mgr, id, s) {
  const l = h('label', { class: 'widget-label' }, s.description || '');
  mgr.listen(id, (st) => { l.textContent = st.description || ''; });
  return l;
}

function slider(mgr, id, s, isFloat) {
  const input = h('input', { type: 'range', min: String(s.min), max: String(s.max), step: String(s.step), value: String(s.value) });
  const digits = isFloat ? Math.max(0, (String(s.step).split('.')[1] || '').length, 2) : 0;
  const fmt = (v) => (isFloat ? Number(v).toFixed(digits) : String(Math.round(v)));
  const readout = h('span', { class: 'widget-readout' }, fmt(s.value));
  input.disabled = !!s.disabled;
  input.addEventListener('input', () => { readout.textContent = fmt(input.value); });
  input.addEventListener('change', () => {
    const v = isFloat ? Number(input.value) : Math.round(Number(input.value));
    mgr.update(id, { value: v });
  });
  mgr.listen(id, (st) => {
    Object.assign(input, { min: String(st.min), max: String(st.max), step: String(st.step), disabled: !!st.disabled });
    input.value = String(st.value);
    readout.textContent = fmt(st.value);
  });
  return h('div', { class: 'widget-slider widget-hbox' }, label(mgr, id, s), input, readout);
}

const views = {
  IntSliderView: (mgr, id, s) => slider(mgr, id, s, false),
  FloatSliderView: (mgr, id, s) => slider(mgr, id, s, true),
  DropdownView(mgr, id, s) {
    const select = h('select', {});
    const fill = (st) => {
      select.replaceChildren(...(st._options_labels || []).map((o, i) => h('option', { value: String(i) }, o)));
      select.value = st.index === null || st.index === undefined ? '' : String(st.index);
      select.disabled = !!st.disabled;
    };
    fill(s);
    select.addEventListener('change', () => mgr.update(id, { index: Number(select.value) }));
    mgr.listen(id, fill);
    return h('div', { class: 'widget-dropdown widget-hbox' }, label(mgr, id, s), select);
  },
  CheckboxView(mgr, id, s) {
    const box = h('input', { type: 'checkbox' });
    box.checked = !!s.value;
    box.addEventListener('change', () => mgr.update(id, { value: box.checked }));
    const text = h('span', {}, s.description || '');
    mgr.listen(id, (st) => { box.checked = !!st.value; box.disabled = !!st.disabled; text.textContent = st.description || ''; });
    return h('label', { class: 'widget-checkbox' }, box, text);
  },
  TextView(mgr, id, s) {
    const input = h('input', { type: 'text', value: s.value || '', placeholder: s.placeholder || '' });
    input.addEventListener('change', () => mgr.update(id, { value: input.value }));
    input.addEventListener('keydown', (e) => { if (e.key === 'Enter') input.blur(); e.stopPropagation(); });
    mgr.listen(id, (st) => { if (document.activeElement !== input) input.value = st.value || ''; input.disabled = !!st.disabled; });
    return h('div', { class: 'widget-text widget-hbox' }, label(mgr, id, s), input);
  },
  ButtonView(mgr, id, s) {
    const b = h('button', { class: 'widget-button', type: 'button' }, s.description || '');
    b.disabled = !!s.disabled;
    b.addEventListener('click', () => mgr.send(id, { method: 'custom', content: { event: 'click' } }));
    mgr.listen(id, (st) => { b.textContent = st.description || ''; b.disabled = !!st.disabled; });
    return b;
  },
  VBoxView: (mgr, id, s) => box(mgr, id, s, 'widget-vbox'),
  HBoxView: (mgr, id, s) => box(mgr, id, s, 'widget-hbox'),
  OutputView(mgr, id, s) {
    const el = h('div', { class: 'widget-output' });
    const fill = (st) => el.replaceChildren(...(st.outputs || []).map((o) => mgr.renderOutput(o)));
    fill(s);
    mgr.listen(id, (st, changed) => { if ('outputs' in changed) fill(st); });
    return el;
  },
};

function box(mgr, id, s, cls) {
  const el = h('div', { class: cls });
  const fill = (st) => el.replaceChildren(...(st.children || []).map((ref) => {
    const child = String(ref).startsWith(REF) ? mgr.view(String(ref).slice(REF.length)) : null;
    return child || h('span', {}, '');
  }));
  fill(s);
  mgr.listen(id, (st, changed) => { if ('children' in changed) fill(st); });
  return el;
}
