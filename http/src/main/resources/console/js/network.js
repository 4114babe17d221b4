// Network: the Diameter peers, the Nchf consumers, devices, and the relay market's contract log:
// its signed tree head and the latest entries, each with its inclusion proof checked here in the
// browser (RFC 6962 hashing, as the log uses) against the head's root.
import { h, Component, Section, Message, table, when } from './ui.js';
import { get, query } from './api.js';

const LATEST = 5;
// An entry's kind: the byte after the format version (market EntryCodec; EntryKind's wire codes are
// fixed, only ever appended). A signed envelope (tag 0x80, then a u16 length) holds the entry after it.
const KINDS = ['?', 'provider registration', 'offer', 'withdrawal', 'request', 'request answer', 'contract',
  'validation', 'execution result', 'allocation'];
const SIGNED_TAG = 0x80;
const kindOf = (entryB64) => {
  const b = bytes(entryB64);
  return KINDS[b[1] === SIGNED_TAG ? b[5] : b[1]] || 'unknown';
};

const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));

async function nodeHash(left, right) {
  const joined = new Uint8Array(1 + left.length + right.length);
  joined[0] = 1;
  joined.set(left, 1);
  joined.set(right, 1 + left.length);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

/** RFC 9162 section 2.1.3.2: the root an audit path leads to from a leaf. */
async function rootFromProof(index, size, leafHash, proof) {
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1; }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 ? r : null;
}

export class NetworkPage extends Component {
  constructor(props) {
    super(props);
    this.state = { network: null, head: null, entries: [], error: null };
  }

  componentDidMount() {
    this.load();
  }

  async load() {
    try {
      const [network, head] = await Promise.all([get('/v1/network'), get('/v1/market/log')]);
      const entries = [];
      for (let index = head.size - 1; index >= Math.max(0, head.size - LATEST); index--) {
        const [entry, proof] = await Promise.all([get(`/v1/market/log/entries/${index}`),
          get('/v1/market/log/proofs/inclusion' + query({ index, size: head.size }))]);
        const root = await rootFromProof(index, head.size, bytes(entry.leafHash), proof.proof.map(bytes));
        entries.push({ ...entry, proof: proof.proof, verified: root !== null && b64(root) === head.rootHash });
      }
      this.setState({ network, head, entries, error: null });
    } catch (error) {
      this.setState({ error });
    }
  }

  render(_, { network, head, entries, error }) {
    if (!network) return h('div', { class: 'page' }, h('h1', null, 'Network'), error ? h(Message, { error })
      : h('p', { class: 'loading' }, 'Loading…'));
    return h('div', { class: 'page' },
      h('h1', null, 'Network'),
      h(Message, { error }),
      h(Section, { title: 'Diameter peers', id: 'peers' }, network.diameter.listening ? table([
        { label: 'Origin-Host', value: (p) => p.originHost },
        { label: 'Realm', value: (p) => p.originRealm },
        { label: 'Address', value: (p) => p.address },
        { label: 'State', value: (p) => p.state },
        { label: 'Watchdog', value: (p) => p.watchdog },
        { label: 'In flight', value: (p) => p.inFlight },
        { label: 'Requests', value: (p) => p.requestsReceived },
        { label: 'Last heard', value: (p) => when(p.lastReceivedAt) },
      ], network.diameter.peers, { empty: 'No peer is connected.', caption: 'Connected peers', key: (p) => p.originHost })
        : h('p', { class: 'empty' }, 'This server has no Diameter listener.')),
      h(Section, { title: 'Nchf consumers', id: 'consumers' }, table([
        { label: 'Consumer (notification host)', value: (c) => c.consumer },
        { label: 'Open sessions', value: (c) => c.sessions },
      ], network.nchf.consumers, { empty: 'No open Nchf session.', caption: 'Nchf consumers', key: (c) => c.consumer })),
      network.devices ? h(Section, { title: 'Devices', id: 'devices' }, h('dl', { class: 'quote' },
        h('dt', null, 'Cloud SIMs'), h('dd', null, network.devices.sims),
        h('dt', null, 'Reports over grant'), h('dd', null, network.devices.reportsOverGrant),
        h('dt', null, 'Bytes over grant'), h('dd', null, network.devices.bytesOverGrant))) : null,
      head ? h(Section, { title: 'Relay market contract log', id: 'market' },
        h('p', { class: 'facts' }, `Tree size ${head.size} · signed ${when(new Date(head.timestampMillis).toISOString())} · root `,
          h('span', { class: 'mono' }, head.rootHash)),
        table([
          { label: 'Leaf', value: (e) => e.index },
        { label: 'Kind', value: (e) => kindOf(e.entry) },
          { label: 'Leaf hash', value: (e) => h('span', { class: 'mono' }, e.leafHash) },
          { label: 'Audit path', value: (e) => `${e.proof.length} hash${e.proof.length === 1 ? '' : 'es'}` },
          { label: 'Inclusion', value: (e) => (e.verified ? 'verified against the head' : 'NOT verified') },
        ], entries, { empty: 'The log is empty.', caption: 'Latest entries (contracts, offers, registrations, ...)', key: (e) => e.index })) : null);
  }
}
