// Rendering as Jupyter renders: outputs by MIME type (richest first),
// streams and tracebacks with ANSI colours, Markdown with maths. Outputs
// of a trusted notebook (run in this browser) render their HTML as is and
// run their scripts; others are sanitized, as Jupyter's trust model asks.
import { appURL } from './base.js';
import { widgetManager, WIDGET_MIME } from './widgets.js';
import DOMPurify from 'dompurify';
import { AnsiUp } from 'ansi_up';
import { Marked } from 'marked';
import markedKatex from 'marked-katex-extension';

const ansi = new AnsiUp();
ansi.use_classes = true;

const md = new Marked({ gfm: true, breaks: false });
md.use(markedKatex({ throwOnError: false, nonStandard: true }));

// The page's CSP nonce: scripts of trusted outputs are re-created with it.
const nonce = document.currentScript?.nonce || document.querySelector('script[nonce]')?.nonce || '';

export function ansiToHTML(text) {
  return ansi.ansi_to_html(text);
}

export function escapeHTML(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

const text = (v) => (Array.isArray(v) ? v.join('') : v ?? '');

// fileURL makes a relative link or image in a notebook point at /files/,
// relative to the notebook's folder.
function fileURL(dir, src) {
  if (!src || /^([a-z][a-z0-9+.-]*:|\/|#)/i.test(src)) return src;
  const parts = (dir ? dir.split('/') : []).concat(src.split('/'));
  const out = [];
  for (const p of parts) {
    if (p === '..') out.pop(); else if (p && p !== '.') out.push(p);
  }
  return appURL('files/' + out.map(encodeURIComponent).join('/'));
}

// untrustedHTML is DOMPurify's setting for HTML the notebook's reader did
// not choose to trust (Markdown cells, always, as Jupyter does; outputs of
// untrusted notebooks): no style sheets or inline styles, which could
// restyle or cover the app itself (a transparent Trust button over the
// page); the output areas also contain their content (style.css).
const untrusted = { FORBID_TAGS: ['style', 'link', 'meta', 'base', 'form'], FORBID_ATTR: ['style'] };

export function renderMarkdown(el, source, dir) {
  const html = DOMPurify.sanitize(md.parse(source), { ...untrusted, ADD_ATTR: ['target'] });
  el.innerHTML = html;
  for (const img of el.querySelectorAll('img[src]')) img.setAttribute('src', fileURL(dir, img.getAttribute('src')));
  for (const a of el.querySelectorAll('a[href]')) {
    const href = a.getAttribute('href');
    if (/^https?:/.test(href)) { a.target = '_blank'; a.rel = 'noopener noreferrer'; }
  }
}

function runScripts(el) {
  for (const old of el.querySelectorAll('script')) {
    const s = document.createElement('script');
    for (const { name, value } of old.attributes) s.setAttribute(name, value);
    s.nonce = nonce;
    s.textContent = old.textContent;
    old.replaceWith(s);
  }
}

// renderData fills el with the richest MIME type of a bundle.
export function renderData(el, data, trusted, dir) {
  el.replaceChildren();
  const widget = data[WIDGET_MIME];
  const mgr = widgetManager();
  if (widget && mgr && mgr.has(widget.model_id)) {
    el.classList.add('out-widget');
    el.append(mgr.view(widget.model_id));
    return;
  }
  if (data['text/html'] !== undefined) {
    const html = text(data['text/html']);
    el.classList.add('out-html');
    if (trusted) {
      el.innerHTML = html;
      runScripts(el);
    } else {
      el.innerHTML = DOMPurify.sanitize(html, untrusted);
    }
    return;
  }
  for (const t of ['image/png', 'image/jpeg', 'image/gif']) {
    if (data[t] !== undefined) {
      const img = document.createElement('img');
      img.src = `data:${t};base64,${text(data[t]).replace(/\s/g, '')}`;
      img.alt = 'output image';
      el.append(img);
      return;
    }
  }
  if (data['image/svg+xml'] !== undefined) {
    const svg = text(data['image/svg+xml']);
    if (trusted) {
      el.innerHTML = DOMPurify.sanitize(svg, { USE_PROFILES: { svg: true, svgFilters: true } });
    } else {
      // As an image, an SVG cannot script the page.
      const img = document.createElement('img');
      img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
      img.alt = 'output image';
      el.append(img);
    }
    return;
  }
  if (data['text/markdown'] !== undefined) {
    el.classList.add('out-markdown');
    renderMarkdown(el, text(data['text/markdown']), dir);
    return;
  }
  if (data['application/json'] !== undefined) {
    const pre = document.createElement('pre');
    pre.textContent = JSON.stringify(data['application/json'], null, 2);
    el.append(pre);
    return;
  }
  const pre = document.createElement('pre');
  pre.innerHTML = ansiToHTML(text(data['text/plain']));
  el.append(pre);
}

// renderError shows an error output: its traceback with colours, and the
// cell line it names marked in the editor by the caller.
export function renderError(el, out) {
  const pre = document.createElement('pre');
  pre.className = 'out-error';
  const tb = out.traceback && out.traceback.length ? out.traceback.join('\n') : `${out.ename}: ${out.evalue}`;
  pre.innerHTML = ansiToHTML(tb);
  el.append(pre);
}

// errorLine finds the cell line an error names ("cell:LINE" or "line
// LINE" in its traceback, as the kernel writes them), or 0.
export function errorLine(out) {
  const tb = (out.traceback || []).join('\n') + '\n' + (out.evalue || '');
  const plain = tb.replace(/\x1b\[[0-9;]*m/g, '');
  const m = plain.match(/\bline (\d+)/);
  return m ? Number(m[1]) : 0;
}
