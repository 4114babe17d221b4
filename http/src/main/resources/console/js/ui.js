// Small building blocks shared by the pages: tables, forms, messages. Preact's h() is used
// directly (no JSX, so no build step); a page is a Preact class component.
import { h, Component, Fragment, render } from '/console/vendor/preact.mjs';

export { h, Component, Fragment, render };

/** Whether the signed-in key may change things: only admin keys may write /v1 (docs/security.md). */
export const canChange = (session) => session && session.role === 'admin';

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function age(iso) {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** A table that scrolls sideways on its own on a narrow screen, never the page. */
export function table(columns, rows, { empty = 'None.', caption, key } = {}) {
  if (!rows || rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap', tabIndex: 0, role: 'region', 'aria-label': caption || 'table' },
    h('table', null,
      caption ? h('caption', null, caption) : null,
      h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', key: c.label }, c.label)))),
      h('tbody', null, rows.map((row, i) => h('tr', { key: key ? key(row) : i },
        columns.map((c) => h('td', { key: c.label, 'data-label': c.label }, cell(c.value(row)))))))));
}

function cell(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
  return value;
}

export function problemText(error) {
  if (!error) return '';
  const p = error.problem || {};
  const where = p.field ? ` (${p.field})` : '';
  return `${p.title || 'error'}${where}: ${p.detail || error.message}`;
}

export function Message({ error, ok }) {
  if (error) return h('p', { class: 'message error', role: 'alert' }, problemText(error));
  if (ok) return h('p', { class: 'message ok', role: 'status' }, ok);
  return null;
}

export function Section({ title, children, id }) {
  return h('section', { class: 'card', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title), children);
}

let fieldCounter = 0;

/** A labelled input; the label's for= ties it to the input for screen readers and clicks. */
export function Field({ label, name, value, onInput, type = 'text', options, required, placeholder, hint }) {
  const id = `f-${name}-${++fieldCounter}`;
  const input = options
    ? h('select', { id, name, value, onChange: (e) => onInput(e.target.value) },
      options.map((o) => h('option', { value: o, key: o }, o)))
    : type === 'textarea'
      ? h('textarea', { id, name, value, rows: 18, spellcheck: false, onInput: (e) => onInput(e.target.value) })
      : h('input', { id, name, type, value, required, placeholder, onInput: (e) => onInput(e.target.value) });
  return h('div', { class: 'field' }, h('label', { for: id }, label), input,
    hint ? h('small', { class: 'hint' }, hint) : null);
}

/**
 * A form whose submit runs an async action; shows the answer or the problem. The button is
 * disabled while the request runs, so a double click is one request.
 */
export class ActionForm extends Component {
  constructor(props) {
    super(props);
    this.state = { busy: false, error: null, ok: null };
  }

  async submit(event) {
    event.preventDefault();
    this.setState({ busy: true, error: null, ok: null });
    try {
      const ok = await this.props.action();
      this.setState({ busy: false, ok: ok || 'Done.' });
    } catch (error) {
      this.setState({ busy: false, error });
    }
  }

  render({ title, children, submit, name }, { busy, error, ok }) {
    return h('form', { class: 'action', name, onSubmit: (e) => this.submit(e) },
      title ? h('h3', null, title) : null,
      h('div', { class: 'fields' }, children),
      h('button', { type: 'submit', disabled: busy }, busy ? 'Working…' : submit),
      h(Message, { error, ok }));
  }
}
