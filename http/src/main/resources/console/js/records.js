// Records: usage records by subscriber, session, service and time window; the same query as a CSV file.
import { h, Component, Field, Message, table, when } from './ui.js';
import { get, query } from './api.js';

export class RecordsPage extends Component {
  constructor(props) {
    super(props);
    this.state = { account: props.arg || '', session: '', service: '', from: '', to: '', limit: '100',
      records: null, error: null };
  }

  componentDidMount() {
    if (this.state.account) this.load();
  }

  params() {
    const { account, session, service, from, to, limit } = this.state;
    const iso = (local) => (local ? new Date(local + 'Z').toISOString() : '');
    return { account, session, service, from: iso(from), to: iso(to), limit };
  }

  async load(event) {
    if (event) event.preventDefault();
    try {
      const answer = await get('/v1/records' + query(this.params()));
      this.setState({ records: answer.records, error: null });
    } catch (error) {
      this.setState({ error });
    }
  }

  render(_, s) {
    const set = (name) => (v) => this.setState({ [name]: v });
    return h('div', { class: 'page' },
      h('h1', null, 'Records'),
      h('form', { class: 'filters', onSubmit: (e) => this.load(e) },
        h(Field, { label: 'Subscriber (account)', name: 'account', value: s.account, onInput: set('account') }),
        h(Field, { label: 'Session', name: 'session', value: s.session, onInput: set('session') }),
        h(Field, { label: 'Service', name: 'service', value: s.service, onInput: set('service') }),
        h(Field, { label: 'From (UTC)', name: 'from', type: 'datetime-local', value: s.from, onInput: set('from') }),
        h(Field, { label: 'To (UTC)', name: 'to', type: 'datetime-local', value: s.to, onInput: set('to') }),
        h(Field, { label: 'At most', name: 'limit', type: 'number', value: s.limit, onInput: set('limit') }),
        h('button', { type: 'submit' }, 'Show')),
      h(Message, { error: s.error }),
      s.records === null ? null : h('div', null,
        h('p', null, h('a', { class: 'button', id: 'csv', download: 'usage-records.csv',
          href: '/v1/records' + query({ ...this.params(), format: 'csv' }) }, 'Export as CSV')),
        table([
          { label: 'At', value: (r) => when(new Date(r.atMillis).toISOString()) },
          { label: 'Subscriber', value: (r) => r.accountId },
          { label: 'Session', value: (r) => r.sessionId },
          { label: 'Service', value: (r) => r.service },
          { label: 'Used', value: (r) => `${r.effectiveUnits} ${r.unit}` },
          { label: 'Price', value: (r) => `${r.price} ${r.currency || ''}` },
          { label: 'Decision', value: (r) => r.decision },
          { label: 'Rule', value: (r) => r.rule },
        ], s.records, { empty: 'No record matches.', caption: 'Usage records, oldest first', key: (r) => r.recordId })));
  }
}
