// Subscribers: find an account the way a customer is known on the phone, see everything it holds,
// and (with an admin key) change it. Every change is one /v1 request.
import { h, Component, Section, Field, ActionForm, Message, table, when, canChange } from './ui.js';
import { get, post, patch, del, seg, query } from './api.js';

const UNITS = ['MONEY', 'BYTES', 'SECONDS', 'SERVICE_UNITS'];
const IDENTITY_TYPES = ['E164', 'IMSI', 'SIP_URI', 'NAI', 'PRIVATE'];

export class SubscriberSearch extends Component {
  constructor(props) {
    super(props);
    this.state = { term: '', matches: null, error: null };
  }

  async search(event) {
    event.preventDefault();
    this.setState({ error: null, matches: null });
    try {
      const answer = await get('/v1/accounts' + query({ q: this.state.term }));
      if (answer.matches.length === 1) {
        location.hash = `#/accounts/${seg(answer.matches[0].accountId)}`;
        return;
      }
      this.setState({ matches: answer.matches });
    } catch (error) {
      this.setState({ error });
    }
  }

  render(_, { term, matches, error }) {
    return h('div', { class: 'page' },
      h('h1', null, 'Subscribers'),
      h('form', { class: 'search', role: 'search', onSubmit: (e) => this.search(e) },
        h(Field, { label: 'Account id, MSISDN, IMSI or SIP URI', name: 'q', value: term, required: true,
          onInput: (v) => this.setState({ term: v }) }),
        h('button', { type: 'submit' }, 'Find')),
      h(Message, { error }),
      matches === null ? null : table([
        { label: 'Account', value: (m) => h('a', { href: `#/accounts/${seg(m.accountId)}` }, m.accountId) },
        { label: 'Found by', value: (m) => m.matchedBy },
        { label: 'Value', value: (m) => m.value },
      ], matches, { empty: 'No account is known by that.', caption: 'Matches' }));
  }
}

export class AccountPage extends Component {
  constructor(props) {
    super(props);
    this.state = { account: null, sessions: [], transfers: [], adjustments: [], records: [], error: null };
  }

  componentDidMount() {
    this.load();
  }

  async load() {
    const id = seg(this.props.arg);
    try {
      const [account, sessions, transfers, adjustments, records] = await Promise.all([
        get(`/v1/accounts/${id}`),
        get('/v1/sessions' + query({ account: this.props.arg, limit: 100 })),
        get(`/v1/accounts/${id}/transfers?limit=20`),
        get(`/v1/accounts/${id}/adjustments`),
        get('/v1/records' + query({ account: this.props.arg, limit: 1000 })),
      ]);
      this.setState({ account, sessions: sessions.sessions, transfers: transfers.transfers || [],
        adjustments: adjustments.adjustments, records: records.records.slice(-20).reverse(), error: null });
    } catch (error) {
      this.setState({ error });
    }
  }

  /** Runs a change, then reloads the page's figures; the answer's text is shown by the form. */
  async change(run, ok) {
    await run();
    await this.load();
    return ok;
  }

  render({ session, arg }, { account, sessions, transfers, adjustments, records, error }) {
    if (error && !account) return h('div', { class: 'page' }, h('h1', null, arg), h(Message, { error }));
    if (!account) return h('p', { class: 'loading' }, 'Loading…');
    const id = seg(arg);
    const admin = canChange(session);
    const reasons = new Map(adjustments.map((a) => [a.requestId, a.reason]));
    return h('div', { class: 'page' },
      h('h1', null, 'Account ', h('span', { class: 'mono' }, account.accountId)),
      h('p', { class: 'facts' },
        h('span', { class: `status status-${account.status}` }, account.status), ` ${account.kind} · `,
        `currency ${account.currency} · as of ${when(account.asOf)}`),
      h(Section, { title: 'Balances', id: 'balances' }, table([
        { label: 'Unit', value: (b) => b.unit },
        { label: 'Total', value: (b) => b.total },
        { label: 'Reserved', value: (b) => b.reserved },
        { label: 'Available', value: (b) => b.available },
        { label: 'Credit limit', value: (b) => b.creditLimit },
      ], account.balances, { caption: 'Main balances', key: (b) => b.unit })),
      h(Section, { title: 'Buckets', id: 'buckets' }, table([
        { label: 'Bucket', value: (b) => b.bucketId },
        { label: 'Unit', value: (b) => b.unit },
        { label: 'Amount', value: (b) => b.amount },
        { label: 'Reserved', value: (b) => b.reserved },
        { label: 'Valid', value: (b) => b.main ? 'main balance' : `${when(b.validFrom)} – ${when(b.validUntil)}` },
        { label: 'Priority', value: (b) => b.priority },
        { label: 'Services', value: (b) => [...(b.ratingGroups || []).map((r) => `RG ${r}`),
          ...(b.serviceIds || []).map((s) => `SI ${s}`)] },
      ], account.buckets, { caption: 'Buckets', key: (b) => b.bucketId })),
      h(Section, { title: 'Identities', id: 'identities' }, table([
        { label: 'Type', value: (i) => i.type },
        { label: 'Value', value: (i) => i.value },
        ...(admin ? [{ label: 'Action', value: (i) => h('button', { type: 'button', class: 'small',
          onClick: () => this.change(() => del(`/v1/identities/${seg(i.type)}/${seg(i.value)}`)) }, 'Unbind') }] : []),
      ], account.identities, { caption: 'Identities', key: (i) => `${i.type}:${i.value}` })),
      h(Section, { title: 'Open reservations', id: 'reservations' }, table([
        { label: 'Session', value: (s) => h('a', { href: `#/sessions/${seg(s.sessionId)}` }, s.sessionId) },
        { label: 'Peer', value: (s) => s.peer },
        { label: 'Grants', value: (s) => s.grants.map((g) =>
          `${g.ratingGroup !== undefined ? 'RG ' + g.ratingGroup : 'any'}: ${g.amount} ${g.unit} (#${g.reservationId})`) },
      ], sessions, { empty: 'No live session holds a reservation.', caption: 'Reservations by session',
        key: (s) => s.sessionId })),
      admin ? this.actions(id, account) : null,
      h(Section, { title: 'Recent transfers', id: 'transfers' }, table([
        { label: 'Seq', value: (t) => t.seq },
        { label: 'Kind', value: (t) => t.kind },
        { label: 'From', value: (t) => t.from },
        { label: 'To', value: (t) => t.to },
        { label: 'Amount', value: (t) => `${t.amount} ${t.unit}` },
        { label: 'At', value: (t) => when(t.at) },
        { label: 'Reason', value: (t) => reasons.get(t.requestId) },
      ], transfers, { caption: 'Transfers, newest first', key: (t) => t.seq })),
      h(Section, { title: 'Usage records', id: 'usage' }, table([
        { label: 'At', value: (r) => when(new Date(r.atMillis).toISOString()) },
        { label: 'Session', value: (r) => r.sessionId },
        { label: 'Service', value: (r) => r.service },
        { label: 'Used', value: (r) => `${r.effectiveUnits} ${r.unit}` },
        { label: 'Price', value: (r) => `${r.price} ${r.currency || ''}` },
        { label: 'Rule', value: (r) => r.rule },
      ], records, { caption: 'Newest usage records', key: (r) => r.recordId }),
      h('p', null, h('a', { href: `#/records/${seg(arg)}` }, 'All records of this account'))));
  }

  actions(id, account) {
    const suspended = account.status === 'SUSPENDED';
    return h(Section, { title: 'Actions', id: 'actions' }, h('div', { class: 'actions' },
      h(TopUpForm, { onSubmit: (body) => this.change(() => post(`/v1/accounts/${id}/topups`, body), 'Topped up.') }),
      h(BucketForm, { onSubmit: (body) => this.change(() => post(`/v1/accounts/${id}/buckets`, body), 'Bucket added.') }),
      h(AdjustForm, { onSubmit: (body) => this.change(() => post(`/v1/accounts/${id}/adjustments`, body), 'Adjusted.') }),
      h(BindForm, { onSubmit: (body) => this.change(() => post(`/v1/accounts/${id}/identities`, body), 'Bound.') }),
      h(ActionForm, { title: suspended ? 'Reactivate' : 'Suspend', name: 'status', submit: suspended ? 'Reactivate' : 'Suspend',
        action: () => this.change(() => patch(`/v1/accounts/${id}`, { status: suspended ? 'ACTIVE' : 'SUSPENDED' }),
          suspended ? 'Reactivated.' : 'Suspended: its sessions were asked to end.') },
      h('p', { class: 'hint' }, suspended ? 'Lets the account charge again.'
        : 'Stops charging; its live sessions are asked to end (ASR, ChargingNotify).'))));
  }
}

class TopUpForm extends Component {
  constructor(props) { super(props); this.state = { unit: 'MONEY', amount: '' }; }
  render({ onSubmit }, { unit, amount }) {
    return h(ActionForm, { title: 'Top up', name: 'topup', submit: 'Top up',
      action: () => onSubmit({ unit, amount: Number(amount) }) },
      h(Field, { label: 'Unit', name: 'unit', value: unit, options: UNITS, onInput: (v) => this.setState({ unit: v }) }),
      h(Field, { label: 'Amount', name: 'amount', type: 'number', value: amount, required: true,
        onInput: (v) => this.setState({ amount: v }) }));
  }
}

class BucketForm extends Component {
  constructor(props) { super(props); this.state = { unit: 'BYTES', amount: '', validUntil: '', priority: '0', ratingGroups: '' }; }
  render({ onSubmit }, { unit, amount, validUntil, priority, ratingGroups }) {
    const body = () => {
      const b = { unit, amount: Number(amount), priority: Number(priority) };
      if (validUntil) b.validUntil = new Date(validUntil + 'T00:00:00Z').toISOString();
      const groups = ratingGroups.split(/[ ,]+/).filter(Boolean).map(Number);
      if (groups.length) b.ratingGroups = groups;
      return b;
    };
    return h(ActionForm, { title: 'Add a bucket', name: 'bucket', submit: 'Add bucket', action: () => onSubmit(body()) },
      h(Field, { label: 'Unit', name: 'unit', value: unit, options: UNITS, onInput: (v) => this.setState({ unit: v }) }),
      h(Field, { label: 'Amount', name: 'amount', type: 'number', value: amount, required: true,
        onInput: (v) => this.setState({ amount: v }) }),
      h(Field, { label: 'Valid until (UTC day)', name: 'validUntil', type: 'date', value: validUntil,
        onInput: (v) => this.setState({ validUntil: v }) }),
      h(Field, { label: 'Priority', name: 'priority', type: 'number', value: priority,
        onInput: (v) => this.setState({ priority: v }) }),
      h(Field, { label: 'Rating groups', name: 'ratingGroups', value: ratingGroups, placeholder: '10, 20',
        onInput: (v) => this.setState({ ratingGroups: v }) }));
  }
}

class AdjustForm extends Component {
  constructor(props) { super(props); this.state = { unit: 'MONEY', amount: '', reason: '' }; }
  render({ onSubmit }, { unit, amount, reason }) {
    return h(ActionForm, { title: 'Adjust', name: 'adjust', submit: 'Adjust',
      action: () => onSubmit({ unit, amount: Number(amount), reason }) },
      h(Field, { label: 'Unit', name: 'unit', value: unit, options: UNITS, onInput: (v) => this.setState({ unit: v }) }),
      h(Field, { label: 'Amount (negative debits)', name: 'amount', type: 'number', value: amount, required: true,
        onInput: (v) => this.setState({ amount: v }) }),
      h(Field, { label: 'Reason (recorded)', name: 'reason', value: reason, required: true,
        onInput: (v) => this.setState({ reason: v }) }));
  }
}

class BindForm extends Component {
  constructor(props) { super(props); this.state = { type: 'E164', value: '' }; }
  render({ onSubmit }, { type, value }) {
    return h(ActionForm, { title: 'Bind an identity', name: 'bind', submit: 'Bind', action: () => onSubmit({ type, value }) },
      h(Field, { label: 'Type', name: 'type', value: type, options: IDENTITY_TYPES, onInput: (v) => this.setState({ type: v }) }),
      h(Field, { label: 'Value', name: 'value', value, required: true, onInput: (v) => this.setState({ value: v }) }));
  }
}
