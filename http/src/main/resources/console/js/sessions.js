// Sessions: live Diameter and Nchf charging sessions, their grants and history; an admin may ask
// the client to re-authorise (RAR, ChargingNotify) or to end the session (ASR, abort).
import { h, Component, Section, Field, ActionForm, Message, table, when, age, canChange } from './ui.js';
import { get, post, seg, query } from './api.js';

export class SessionsPage extends Component {
  constructor(props) {
    super(props);
    this.state = { account: '', peer: '', minAge: '', sessions: null, error: null };
  }

  componentDidMount() {
    this.load();
  }

  async load(event) {
    if (event) event.preventDefault();
    const { account, peer, minAge } = this.state;
    try {
      const answer = await get('/v1/sessions' + query({ account, peer, minAgeSeconds: minAge ? Number(minAge) * 60 : '',
        limit: 500 }));
      this.setState({ sessions: answer.sessions, error: null });
    } catch (error) {
      this.setState({ error });
    }
  }

  render(_, { account, peer, minAge, sessions, error }) {
    return h('div', { class: 'page' },
      h('h1', null, 'Sessions'),
      h('form', { class: 'filters', onSubmit: (e) => this.load(e) },
        h(Field, { label: 'Subscriber (account)', name: 'account', value: account, onInput: (v) => this.setState({ account: v }) }),
        h(Field, { label: 'Peer', name: 'peer', value: peer, onInput: (v) => this.setState({ peer: v }) }),
        h(Field, { label: 'Older than (minutes)', name: 'minAge', type: 'number', value: minAge,
          onInput: (v) => this.setState({ minAge: v }) }),
        h('button', { type: 'submit' }, 'Filter')),
      h(Message, { error }),
      sessions === null ? h('p', { class: 'loading' }, 'Loading…') : table([
        { label: 'Session', value: (s) => h('a', { href: `#/sessions/${seg(s.sessionId)}` }, s.sessionId) },
        { label: 'Interface', value: (s) => s.interface },
        { label: 'Subscriber', value: (s) => h('a', { href: `#/accounts/${seg(s.accountId)}` }, s.accountId) },
        { label: 'Peer', value: (s) => s.peer },
        { label: 'Age', value: (s) => age(s.startedAt) },
        { label: 'Requests', value: (s) => s.requests },
        { label: 'Grants', value: (s) => s.grants.length },
      ], sessions, { empty: 'No live session matches.', caption: 'Live sessions', key: (s) => s.sessionId }));
  }
}

export class SessionPage extends Component {
  constructor(props) {
    super(props);
    this.state = { session: null, records: [], error: null, ended: false };
  }

  componentDidMount() {
    this.load();
  }

  async load() {
    try {
      // the list, not GET /v1/sessions/{id}: an ended session is an empty list, not a 404
      const [found, records] = await Promise.all([
        get('/v1/sessions' + query({ id: this.props.arg })),
        get('/v1/records' + query({ session: this.props.arg, limit: 1000 })),
      ]);
      this.setState({ session: found.sessions[0] || null, records: records.records, error: null });
    } catch (error) {
      this.setState({ error });
    }
  }

  async serverInitiated(action) {
    const answer = await post(`/v1/sessions/${seg(this.props.arg)}/${action}`, {});
    await this.load();
    return `${action === 'abort' ? 'Asked to end' : 'Asked to re-authorise'}: the client answered ${answer.resultCode}.`;
  }

  render({ session: signedIn, arg }, { session, records, error }) {
    const admin = canChange(signedIn);
    return h('div', { class: 'page' },
      h('h1', null, 'Session ', h('span', { class: 'mono' }, arg)),
      h(Message, { error }),
      session ? h(Section, { title: 'Grants', id: 'grants' },
        h('p', { class: 'facts' }, `${session.interface} · peer ${session.peer} · subscriber `,
          h('a', { href: `#/accounts/${seg(session.accountId)}` }, session.accountId),
          ` · started ${when(session.startedAt)} · ${session.requests} requests`),
        table([
          { label: 'Rating group', value: (g) => g.ratingGroup },
          { label: 'Service id', value: (g) => g.serviceId },
          { label: 'Granted', value: (g) => `${g.amount} ${g.unit}` },
          { label: 'Reservation', value: (g) => g.reservationId },
        ], session.grants, { empty: 'No grant held now.', caption: 'Grants per service' }))
        : h('p', { class: 'message' }, 'This session is not open (ended, or unknown).'),
      session && admin ? h(Section, { title: 'Actions', id: 'session-actions' }, h('div', { class: 'actions' },
        h(ActionForm, { title: 'Re-authorise', name: 'reauth', submit: 'Re-authorise',
          action: () => this.serverInitiated('reauth') },
          h('p', { class: 'hint' }, 'Diameter RAR, or ChargingNotify REAUTHORIZATION for Nchf.')),
        h(ActionForm, { title: 'End session', name: 'abort', submit: 'End session',
          action: () => this.serverInitiated('abort') },
          h('p', { class: 'hint' }, 'Diameter ASR, or ChargingNotify ABORT_CHARGING for Nchf.')))) : null,
      h(Section, { title: 'History', id: 'history' }, table([
        { label: 'At', value: (r) => when(new Date(r.atMillis).toISOString()) },
        { label: 'Service', value: (r) => r.service },
        { label: 'Rating group', value: (r) => r.ratingGroup },
        { label: 'Used', value: (r) => `${r.effectiveUnits} ${r.unit}` },
        { label: 'Price', value: (r) => `${r.price} ${r.currency || ''}` },
        { label: 'Rule', value: (r) => r.rule },
      ], records, { empty: 'Nothing charged yet.', caption: 'Usage charged in this session', key: (r) => r.recordId })));
  }
}
