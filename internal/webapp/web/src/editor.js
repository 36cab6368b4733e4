// A cell's editor: CodeMirror 6 with Go (or Markdown) highlighting,
// completion from the kernel's complete_request on Tab, and the kernel's
// inspect_request on Shift-Tab.
import { EditorState, Compartment, StateEffect, StateField, RangeSet } from '@codemirror/state';
import { EditorView, keymap, drawSelection, highlightActiveLine, Decoration, showTooltip } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentMore, indentLess } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput, indentUnit } from '@codemirror/language';
import { autocompletion, startCompletion, completionStatus, closeBrackets, closeBracketsKeymap, acceptCompletion } from '@codemirror/autocomplete';
import { go } from '@codemirror/lang-go';
import { markdown } from '@codemirror/lang-markdown';
import { toCodePoints, fromCodePoints } from './kernel.js';
import { ansiToHTML } from './render.js';

// The line an error names, marked until the cell is edited or run.
const setErrorLine = StateEffect.define();
const errorLineField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) {
      if (e.is(setErrorLine)) {
        if (!e.value || e.value > tr.state.doc.lines) return Decoration.none;
        const line = tr.state.doc.line(e.value);
        return RangeSet.of([Decoration.line({ class: 'cm-error-line' }).range(line.from)]);
      }
    }
    return tr.docChanged ? Decoration.none : deco.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});

// The inspect tooltip.
const setInspect = StateEffect.define();
const inspectField = StateField.define({
  create: () => null,
  update(tip, tr) {
    for (const e of tr.effects) if (e.is(setInspect)) return e.value;
    return tr.docChanged || tr.selection ? null : tip;
  },
  provide: (f) => showTooltip.from(f),
});

// cellEditor makes an editor in parent. hooks: kernel() returns the
// Kernel or null; keys are extra key bindings (run, escape, …);
// onChange(text) hears edits; onFocus hears focus.
export function cellEditor(parent, { text, type, hooks }) {
  const language = new Compartment();
  const completion = async (ctx) => {
    const kernel = hooks.kernel();
    if (!kernel) return null;
    const code = ctx.state.doc.toString();
    let reply;
    try {
      reply = await kernel.request('shell', 'complete_request', { code, cursor_pos: toCodePoints(code, ctx.pos) });
    } catch { return null; }
    const c = reply.content;
    if (c.status !== 'ok' || !c.matches.length) return null;
    const types = {};
    for (const t of (c.metadata && c.metadata._jupyter_types_experimental) || []) types[t.text] = t.type;
    return {
      from: fromCodePoints(code, c.cursor_start),
      to: fromCodePoints(code, c.cursor_end),
      options: c.matches.map((m) => ({ label: m, type: types[m] })), // icons from the kernel's kinds
      validFor: /^[\w]*$/,
    };
  };
  const inspect = (view) => {
    const kernel = hooks.kernel();
    if (!kernel || type() !== 'code') return false;
    const code = view.state.doc.toString();
    const pos = view.state.selection.main.head;
    kernel.request('shell', 'inspect_request', { code, cursor_pos: toCodePoints(code, pos), detail_level: 0 }).then((reply) => {
      const c = reply.content;
      if (c.status !== 'ok' || !c.found) return;
      const body = (c.data && (c.data['text/plain'] || '')) || '';
      view.dispatch({
        effects: setInspect.of({
          pos, above: false, strictSide: false,
          create: () => {
            const dom = document.createElement('div');
            dom.className = 'inspect-tooltip';
            const pre = document.createElement('pre');
            pre.innerHTML = ansiToHTML(body);
            dom.append(pre);
            return { dom };
          },
        }),
      });
    }, () => {});
    return true;
  };
  const tab = (view) => {
    if (completionStatus(view.state) === 'active') return acceptCompletion(view);
    const { state } = view;
    const sel = state.selection.main;
    const before = state.doc.sliceString(Math.max(0, sel.head - 1), sel.head);
    if (sel.empty && type() === 'code' && /[\w.]/.test(before)) return startCompletion(view);
    return indentMore(view);
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        indentUnit.of('\t'),
        EditorState.tabSize.of(4),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        language.of(type() === 'code' ? go() : markdown()),
        autocompletion({ override: [completion], activateOnTyping: false, icons: true }),
        errorLineField,
        inspectField,
        highlightActiveLine(),
        keymap.of([
          ...hooks.keys,
          { key: 'Tab', run: tab },
          { key: 'Shift-Tab', run: (v) => inspect(v) || indentLess(v) },
          { key: 'Escape', run: (v) => {
            if (v.state.field(inspectField)) { v.dispatch({ effects: setInspect.of(null) }); return true; }
            return false;
          } },
          ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap,
        ]),
        EditorView.lineWrapping,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) hooks.onChange(u.state.doc.toString());
          if (u.focusChanged && u.view.hasFocus) hooks.onFocus();
        }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText: (t) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } }),
    setLanguage: (t) => view.dispatch({ effects: language.reconfigure(t === 'code' ? go() : markdown()) }),
    markErrorLine: (n) => view.dispatch({ effects: setErrorLine.of(n) }),
    focus: (atEnd) => {
      view.focus();
      if (atEnd === 'start') view.dispatch({ selection: { anchor: 0 } });
    },
    cursor: () => view.state.selection.main.head,
    atFirstLine: () => view.state.doc.lineAt(view.state.selection.main.head).number === 1,
    atLastLine: () => view.state.doc.lineAt(view.state.selection.main.head).number === view.state.doc.lines,
    destroy: () => view.destroy(),
  };
}
