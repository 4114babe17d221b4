// The console's shell: sign-in, navigation and the hash router (#/subscribers, #/accounts/ID, ...).
import { h, Component, render, Message } from './ui.js';
import { get, post, del, setCsrfToken } from './api.js';
import { SubscriberSearch, AccountPage } from './subscribers.js';
import { SessionsPage, SessionPage } from './sessions.js';
import { CatalogPage } from './catalog.js';
import { RecordsPage } from './records.js';
import { NetworkPage } from './network.js';
import { HealthPage } from './health.js';

const PAGES = [
  ['subscribers', 'Subscribers'],
  ['sessions', 'Sessions'],
  ['catalog', 'Catalog'],
  ['records', 'Records'],
  ['network', 'Network'],
  ['health', 'Health'],
];

function currentRoute() {
  const parts = (location.hash || '#/subscribers').slice(2).split('/').map(decodeURIComponent);
  return { page: parts[0] || 'subscribers', arg: parts.slice(1).join('/') };
}

class SignIn extends Component {
  constructor(props) {
    super(props);
    this.state = { key: '', busy: false, error: null };
  }

  async submit(event) {
    event.preventDefault();
    this.setState({ busy: true, error: null });
    try {
      const session = await post('/console/api/session', { apiKey: this.state.key });
      this.setState({ key: '' }); // the key leaves the page's memory once traded for a session
      this.props.onSignedIn(session);
    } catch (error) {
      this.setState({ busy: false, error });
    }
  }

  render(_, { key, busy, error }) {
    return h('main', { class: 'sign-in' },
      h('h1', null, 'Credence console'),
      h('form', { onSubmit: (e) => this.submit(e), name: 'sign-in' },
        h('label', { for: 'api-key' }, 'API key'),
        h('input', { id: 'api-key', name: 'apiKey', type: 'password', autocomplete: 'off', required: true,
          value: key, onInput: (e) => this.setState({ key: e.target.value }) }),
        h('button', { type: 'submit', disabled: busy }, busy ? 'Signing in…' : 'Sign in'),
        h(Message, { error })),
      h('p', { class: 'hint' }, 'The key\'s role decides what you may do here, as on the API.'));
  }
}

class App extends Component {
  constructor(props) {
    super(props);
    this.state = { session: null, loading: true, route: currentRoute(), error: null };
    this.onHash = () => this.setState({ route: currentRoute() });
  }

  async componentDidMount() {
    window.addEventListener('hashchange', this.onHash);
    try {
      const session = await get('/console/api/session');
      this.signedIn(session);
    } catch (error) {
      this.setState({ loading: false, error });
    }
  }

  componentWillUnmount() {
    window.removeEventListener('hashchange', this.onHash);
  }

  signedIn(session) {
    setCsrfToken(session.csrfToken || null);
    this.setState({ session: session.signedIn ? session : null, loading: false });
  }

  async signOut() {
    try {
      await del('/console/api/session');
    } finally {
      setCsrfToken(null);
      this.setState({ session: null });
    }
  }

  page() {
    const { route, session } = this.state;
    const props = { session, arg: route.arg, key: `${route.page}/${route.arg}` };
    switch (route.page) {
      case 'accounts': return h(AccountPage, props);
      case 'sessions': return route.arg ? h(SessionPage, props) : h(SessionsPage, props);
      case 'catalog': return h(CatalogPage, props);
      case 'records': return h(RecordsPage, props);
      case 'network': return h(NetworkPage, props);
      case 'health': return h(HealthPage, props);
      default: return h(SubscriberSearch, props);
    }
  }

  render(_, { session, loading, route, error }) {
    if (loading) return h('p', { class: 'loading' }, 'Loading…');
    if (error) return h(Message, { error });
    if (!session) return h(SignIn, { onSignedIn: (s) => this.signedIn(s) });
    const active = route.page === 'accounts' ? 'subscribers' : route.page;
    return h('div', { class: 'shell' },
      h('header', { class: 'top' },
        h('a', { class: 'brand', href: '#/subscribers' }, 'Credence'),
        h('nav', { 'aria-label': 'pages' }, h('ul', null, PAGES.map(([id, label]) => h('li', { key: id },
          h('a', { href: `#/${id}`, 'aria-current': active === id ? 'page' : undefined }, label))))),
        h('div', { class: 'who' },
          h('span', { class: 'role', title: 'signed in with this key' }, `${session.name} · ${session.role}`),
          session.keysRequired ? h('button', { type: 'button', class: 'link', onClick: () => this.signOut() },
            'Sign out') : null)),
      h('main', { id: 'main' }, this.page()));
  }
}

render(h(App), document.getElementById('app'));
