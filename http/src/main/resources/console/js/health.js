// Health: the last hour of the server's own metrics (GET /v1/metrics/history, a point every few
// seconds), drawn with uPlot: answers per second by result, latency percentiles, journal force
// time, queue depth and sessions. Refreshed every 10 s while the page is open.
import { h, Component, Section, Message } from './ui.js';
import { get } from './api.js';
import uPlot from '/console/vendor/uplot.mjs';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const REFRESH_MS = 10_000;

/** The charts: each a title, an id and how its series come out of the points. */
function charts(points) {
  const resultKeys = [...new Set(points.flatMap((p) => Object.keys(p.answersPerSecond || {})))].sort();
  return [
    { id: 'answers', title: 'Answers per second by result', series: resultKeys.map((k) => [k, (p) => p.answersPerSecond[k] ?? 0]) },
    { id: 'latency', title: 'Latency (ms)', series: ['diameter', 'http'].flatMap((i) => ['p50', 'p99'].map((q) =>
      [`${i} ${q}`, (p) => (p.latencyMs && p.latencyMs[i] ? p.latencyMs[i][q] : null)])) },
    { id: 'journal', title: 'Journal force (ms)', series: [['p50', (p) => p.journalForceMs ? p.journalForceMs.p50 : null],
      ['p99', (p) => p.journalForceMs ? p.journalForceMs.p99 : null]] },
    { id: 'queue', title: 'Queue depth and open sessions', series: [['queue depth', (p) => p.queueDepth ?? null],
      ['sessions', (p) => p.sessions ?? null]] },
  ];
}

class Chart extends Component {
  componentDidMount() {
    this.draw();
    this.onResize = () => this.plot && this.plot.setSize(this.size());
    window.addEventListener('resize', this.onResize);
  }

  componentDidUpdate() {
    this.draw();
  }

  componentWillUnmount() {
    window.removeEventListener('resize', this.onResize);
    if (this.plot) this.plot.destroy();
  }

  size() {
    const width = Math.max(240, (this.base ? this.base.clientWidth : 600) - 8);
    return { width, height: 220 };
  }

  draw() {
    const { points, chart } = this.props;
    const data = [points.map((p) => Date.parse(p.at) / 1000), ...chart.series.map(([, pick]) => points.map(pick))];
    if (this.plot) this.plot.destroy();
    this.plot = new uPlot({
      ...this.size(),
      series: [{}, ...chart.series.map(([label], i) => ({ label, stroke: COLOURS[i % COLOURS.length], width: 2,
        spanGaps: false }))],
      axes: [{}, { size: 60 }],
      legend: { live: false },
    }, data, this.holder);
  }

  render({ chart }) {
    return h('figure', { class: 'chart', id: `chart-${chart.id}` },
      h('figcaption', null, chart.title),
      h('div', { ref: (el) => { this.holder = el; } }));
  }
}

export class HealthPage extends Component {
  constructor(props) {
    super(props);
    this.state = { history: null, health: null, error: null };
  }

  componentDidMount() {
    this.load();
    this.timer = setInterval(() => this.load(), REFRESH_MS);
  }

  componentWillUnmount() {
    clearInterval(this.timer);
  }

  async load() {
    try {
      const [history, health] = await Promise.all([get('/v1/metrics/history'), get('/health')]);
      this.setState({ history, health, error: null });
    } catch (error) {
      this.setState({ error });
    }
  }

  render(_, { history, health, error }) {
    const points = history ? history.points : [];
    return h('div', { class: 'page' },
      h('h1', null, 'Health'),
      h(Message, { error }),
      health ? h('p', { class: 'facts', id: 'health-status' }, `Status ${health.status} · ready ${health.ready}`
        + ` · queue depth ${health.queueDepth}` + (health.problems && health.problems.length
        ? ` · problems: ${health.problems.join('; ')}` : '')) : null,
      history ? h('p', { class: 'hint' }, `One point every ${history.intervalSeconds} s; ${points.length} points, the last hour at most.`) : null,
      points.length === 0 ? h('p', { class: 'empty' }, 'No point yet: the first comes one interval after the start.')
        : h(Section, { title: 'Last hour', id: 'charts' }, h('div', { class: 'charts' },
          charts(points).map((chart) => h(Chart, { chart, points, key: chart.id })))));
  }
}
