// Catalog: what is in force (tariffs, rules, outlet policies, version), a rating tester that
// prices a hypothetical request with the catalog's own rules, and uploading a new catalog: the
// check's errors point at their line; applying writes the file and brings it in force.
import { h, Component, Section, Field, ActionForm, Message, table, canChange } from './ui.js';
import { get, post, putText, postText } from './api.js';

const NETWORKS = ['', 'LTE', 'NR', 'CS', 'WIFI'];
const TERMINALS = ['', 'PHONE', 'WATCH', 'SET_TOP_BOX', 'PC', 'SOFT_CLIENT'];
const json = (value) => (value && Object.keys(value).length ? JSON.stringify(value) : '—');

export class CatalogPage extends Component {
  constructor(props) {
    super(props);
    this.state = { summary: null, tariffs: null, rules: null, error: null };
  }

  componentDidMount() {
    this.load();
  }

  async load() {
    try {
      const [summary, tariffs, rules] = await Promise.all([get('/v1/catalog'), get('/v1/catalog/tariffs'),
        get('/v1/catalog/rules')]);
      this.setState({ summary, tariffs, rules, error: null });
    } catch (error) {
      this.setState({ error });
    }
  }

  render({ session }, { summary, tariffs, rules, error }) {
    if (error && !summary) return h('div', { class: 'page' }, h('h1', null, 'Catalog'), h(Message, { error }));
    if (!summary) return h('p', { class: 'loading' }, 'Loading…');
    const tariffRows = Object.entries(tariffs.tariffs || tariffs).filter(([, t]) => t && t.unit);
    const outletRows = Object.entries(rules.outlets || {});
    return h('div', { class: 'page' },
      h('h1', null, 'Catalog'),
      h('p', { class: 'facts' }, 'Version ', h('strong', { id: 'catalog-version' }, summary.version),
        ` · ${summary.currency} · ${summary.services} services, ${summary.tariffs} tariffs, ${summary.rules} rules`),
      h(Section, { title: 'Rating tester', id: 'tester' }, h(RatingTester, null)),
      h(Section, { title: 'Rules', id: 'rules' }, table([
        { label: 'Rule', value: (r) => r.name },
        { label: 'Service', value: (r) => r.service },
        { label: 'When', value: (r) => json(r.when) },
        { label: 'Then', value: (r) => json(r.then) },
      ], rules.rules, { caption: 'Rules, most specific first', key: (r) => r.name })),
      h(Section, { title: 'Tariffs', id: 'tariffs' }, table([
        { label: 'Tariff', value: ([id]) => id },
        { label: 'Unit', value: ([, t]) => t.unit },
        { label: 'Steps', value: ([, t]) => t.steps.map((s) => `${s.price} per ${s.block}` + (s.until ? ` until ${s.until}` : '')) },
        { label: 'Bands', value: ([, t]) => Object.keys(t.bands || {}) },
      ], tariffRows, { caption: 'Tariffs', key: ([id]) => id })),
      h(Section, { title: 'Outlet policies', id: 'outlets' }, table([
        { label: 'Outlet', value: ([name]) => name },
        { label: 'Policy', value: ([, policy]) => typeof policy === 'object' ? JSON.stringify(policy) : policy },
      ], outletRows, { empty: 'No outlet policies.', caption: 'Outlet policies', key: ([name]) => name })),
      canChange(session) ? h(Section, { title: 'Upload a new catalog', id: 'upload' },
        h(CatalogUpload, { onApplied: () => this.load() })) : null);
  }
}

class RatingTester extends Component {
  constructor(props) {
    super(props);
    this.state = { service: 'voice', units: '60', at: '', outlet: '', callingNetwork: '', callingTerminal: '',
      roaming: 'no', calledNetwork: '', calledTerminal: '', quote: null };
  }

  request() {
    const s = this.state;
    const terminal = (network, type, roaming) => {
      const t = {};
      if (network) t.network = network;
      if (type) t.terminal = type;
      if (roaming !== undefined) t.roaming = roaming;
      return t;
    };
    const body = { service: s.service, units: Number(s.units) };
    if (s.at) body.at = new Date(s.at + 'Z').toISOString();
    if (s.outlet) body.outlet = s.outlet;
    body.calling = terminal(s.callingNetwork, s.callingTerminal, s.roaming === 'yes');
    body.called = terminal(s.calledNetwork, s.calledTerminal);
    return body;
  }

  render(_, s) {
    const set = (name) => (v) => this.setState({ [name]: v });
    return h('div', null,
      h(ActionForm, { name: 'quote', submit: 'Price it', action: async () => {
        const quote = await post('/v1/catalog/quote', this.request());
        this.setState({ quote });
        return 'Priced.';
      } },
      h(Field, { label: 'Service', name: 'service', value: s.service, onInput: set('service') }),
      h(Field, { label: 'Units (seconds, bytes, …)', name: 'units', type: 'number', value: s.units, onInput: set('units') }),
      h(Field, { label: 'At (UTC)', name: 'at', type: 'datetime-local', value: s.at, onInput: set('at'),
        hint: 'empty: now' }),
      h(Field, { label: 'Called outlet', name: 'outlet', value: s.outlet, onInput: set('outlet') }),
      h(Field, { label: 'Calling network', name: 'callingNetwork', value: s.callingNetwork, options: NETWORKS,
        onInput: set('callingNetwork') }),
      h(Field, { label: 'Calling terminal', name: 'callingTerminal', value: s.callingTerminal, options: TERMINALS,
        onInput: set('callingTerminal') }),
      h(Field, { label: 'Calling roaming', name: 'roaming', value: s.roaming, options: ['no', 'yes'], onInput: set('roaming') }),
      h(Field, { label: 'Called network', name: 'calledNetwork', value: s.calledNetwork, options: NETWORKS,
        onInput: set('calledNetwork') }),
      h(Field, { label: 'Called terminal', name: 'calledTerminal', value: s.calledTerminal, options: TERMINALS,
        onInput: set('calledTerminal') })),
      s.quote ? h('dl', { class: 'quote', id: 'quote' },
        h('dt', null, 'Decision'), h('dd', { id: 'quote-decision' }, s.quote.decision),
        h('dt', null, 'Rule'), h('dd', { id: 'quote-rule' }, s.quote.rule),
        h('dt', null, 'Tariff'), h('dd', null, s.quote.tariff || '—'),
        h('dt', null, 'Band'), h('dd', null, s.quote.band || '—'),
        h('dt', null, 'Price'), h('dd', { id: 'quote-price' }, s.quote.price !== undefined
          ? `${s.quote.price} ${s.quote.currency}` : '—'),
        s.quote.reason ? [h('dt', null, 'Reason'), h('dd', null, s.quote.reason)] : null) : null);
  }
}

class CatalogUpload extends Component {
  constructor(props) {
    super(props);
    this.state = { text: '', checked: null, error: null, busy: false };
  }

  async loadFile(event) {
    const file = event.target.files[0];
    if (file) this.setState({ text: await file.text(), checked: null, error: null });
  }

  async run(apply) {
    this.setState({ busy: true, error: null, checked: null });
    try {
      const answer = apply ? await putText('/v1/catalog', this.state.text) : await postText('/v1/catalog/check', this.state.text);
      this.setState({ busy: false, checked: apply ? `Applied: version ${answer.version} is in force.`
        : `Valid: version ${answer.version}. Apply it to bring it in force.` });
      if (apply) this.props.onApplied();
    } catch (error) {
      this.setState({ busy: false, error });
    }
  }

  /** The lines around the one the check named, numbered, that line marked. */
  linesAround(line) {
    const lines = this.state.text.split('\n');
    const from = Math.max(1, line - 3);
    const to = Math.min(lines.length, line + 3);
    const out = [];
    for (let n = from; n <= to; n++) {
      out.push(h('li', { value: n, class: n === line ? 'bad-line' : null, key: n,
        'aria-current': n === line ? 'true' : undefined }, lines[n - 1]));
    }
    return h('ol', { class: 'catalog-context', start: from }, out);
  }

  render(_, { text, checked, error, busy }) {
    const line = error && error.problem && error.problem.line;
    return h('div', { class: 'upload' },
      h('div', { class: 'field' }, h('label', { for: 'catalog-file' }, 'Catalog file'),
        h('input', { id: 'catalog-file', type: 'file', accept: '.json,application/json', onChange: (e) => this.loadFile(e) })),
      h(Field, { label: 'Catalog (JSON)', name: 'catalogText', type: 'textarea', value: text,
        onInput: (v) => this.setState({ text: v, checked: null, error: null }) }),
      h('div', { class: 'buttons' },
        h('button', { type: 'button', name: 'check', disabled: busy || !text, onClick: () => this.run(false) }, 'Check'),
        h('button', { type: 'button', name: 'apply', disabled: busy || !text, onClick: () => this.run(true) }, 'Apply')),
      h(Message, { error, ok: checked }),
      line ? h('div', { class: 'refusal', id: 'catalog-refusal' }, h('p', null, `Line ${line}:`), this.linesAround(line)) : null);
  }
}
