// Small DOM helpers: element construction, toasts and dialogs.

// h makes an element: h('div', {class: 'x'}, child, 'text', …).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

export function toast(text, kind = 'info') {
  let box = document.querySelector('.toasts');
  if (!box) { box = h('div', { class: 'toasts', role: 'status' }); document.body.append(box); }
  const t = h('div', { class: `toast toast-${kind}` }, text);
  box.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 2500);
}

function dialog(build) {
  return new Promise((resolve) => {
    const prev = document.activeElement;
    const close = (v) => { back.remove(); if (prev && prev.focus) prev.focus(); resolve(v); };
    const box = h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true' });
    const back = h('div', { class: 'dialog-back' }, box);
    build(box, close);
    back.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); close(null); } });
    document.body.append(back);
    (box.querySelector('input') || box.querySelector('button.primary')).focus();
  });
}

export function confirmDialog(text, ok = 'OK') {
  return dialog((box, close) => {
    const yes = h('button', { class: 'primary' }, ok);
    const no = h('button', {}, 'Cancel');
    yes.onclick = () => close(true);
    no.onclick = () => close(false);
    box.append(h('p', {}, text), h('div', { class: 'buttons' }, no, yes));
  }).then((v) => v === true);
}

export function promptDialog(text, value = '') {
  return dialog((box, close) => {
    const input = h('input', { type: 'text', value });
    const yes = h('button', { class: 'primary' }, 'OK');
    const no = h('button', {}, 'Cancel');
    yes.onclick = () => close(input.value.trim());
    no.onclick = () => close(null);
    input.addEventListener('keydown', (e) => { if (e.key === 'Enter') close(input.value.trim()); });
    box.append(h('label', {}, text, input), h('div', { class: 'buttons' }, no, yes));
    setTimeout(() => { const dot = value.lastIndexOf('.'); input.setSelectionRange(0, dot > 0 ? dot : value.length); });
  });
}
