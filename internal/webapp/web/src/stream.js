// A stream output (stdout, stderr) that grows as the kernel prints, in
// time linear in what is printed: the lines a message completes are
// rendered once and appended; only the last, unfinished line is kept apart
// and rendered again (a \r in new text can redraw it, as a terminal would).
// A long stream keeps its last maxShown characters on screen, as Jupyter
// front ends trim long outputs, with a button that shows it all.
import { AnsiUp } from 'ansi_up';

// maxShown bounds the text a stream keeps rendered on the page.
export const maxShown = 1 << 20;

// fixCarriageReturns applies \r within each line (a progress bar's
// redraws), as a terminal would.
export function fixCarriageReturns(text) {
  text = text.replace(/\r+\n/g, '\n');
  return text.split('\n').map((line) => {
    const parts = line.split('\r');
    let cur = '';
    for (const p of parts) cur = p + cur.slice(p.length);
    return cur;
  }).join('\n');
}

function ansiUp() {
  const a = new AnsiUp();
  a.use_classes = true;
  return a;
}

export class StreamView {
  constructor(text) {
    this.pre = document.createElement('pre');
    this.notice = document.createElement('div');
    this.notice.className = 'stream-trimmed';
    this.notice.hidden = true;
    this.done = document.createElement('span');
    this.tailEl = document.createElement('span');
    this.pre.append(this.done, this.tailEl);
    this.el = document.createDocumentFragment();
    this.el.append(this.notice, this.pre);
    this.reset(text);
  }

  // reset shows text from scratch.
  reset(text) {
    this.ansi = ansiUp();
    this.parts = []; // the complete lines, as printed
    this.chunks = []; // [element, length] of those on screen
    this.total = 0; // length of the complete lines
    this.shown = 0; // of which on screen
    this.tail = '';
    this.all = false;
    this.done.replaceChildren();
    this.notice.hidden = true;
    this.append(text, true);
  }

  // append adds printed text; fixed is set for text whose \r are applied.
  append(text, fixed = false) {
    const tail = fixed ? this.tail + text : fixCarriageReturns(this.tail + text);
    const cut = tail.lastIndexOf('\n') + 1;
    if (cut > 0) {
      const lines = tail.slice(0, cut);
      this.parts.push(lines);
      this.total += lines.length;
      const span = document.createElement('span');
      span.innerHTML = this.ansi.ansi_to_html(lines);
      this.done.append(span);
      this.chunks.push([span, lines.length]);
      this.shown += lines.length;
      this.trim();
    }
    this.tail = tail.slice(cut);
    this.tailEl.innerHTML = ansiUp().ansi_to_html(this.tail);
  }

  // text is the whole stream (for saving: linear, not per message).
  text() {
    if (this.parts.length > 1) this.parts = [this.parts.join('')];
    return (this.parts[0] || '') + this.tail;
  }

  // trim drops the oldest lines on screen past maxShown and says so.
  trim() {
    if (this.all) return;
    let dropped = false;
    while (this.shown > maxShown && this.chunks.length > 1) {
      const [el, n] = this.chunks.shift();
      el.remove();
      this.shown -= n;
      dropped = true;
    }
    if (!dropped) return;
    this.notice.hidden = false;
    this.notice.replaceChildren(`${((this.total - this.shown) / 1e6).toFixed(1)} MB of earlier output are not shown. `);
    const all = document.createElement('button');
    all.textContent = 'Show all';
    all.addEventListener('click', () => this.showAll());
    this.notice.append(all);
  }

  // showAll renders the whole stream (on request: it can be large).
  showAll() {
    const text = this.text();
    const cut = text.lastIndexOf('\n') + 1;
    const span = document.createElement('span');
    span.innerHTML = ansiUp().ansi_to_html(text.slice(0, cut));
    this.done.replaceChildren(span);
    this.chunks = [[span, cut]];
    this.shown = cut;
    this.all = true;
    this.notice.hidden = true;
  }
}
