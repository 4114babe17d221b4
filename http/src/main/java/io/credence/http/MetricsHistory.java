package io.credence.http;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The last few samples of the server's own {@link Metrics}, kept in memory so the console can chart
 * "the last hour" without a Prometheus: a bounded ring of at most {@code points} points, one per
 * {@link #sample(long)}.
 *
 * <p>A point describes the interval from the previous sample to this one ({@code at} is its end):
 * <ul>
 *   <li>{@code answersPerSecond}: answers sent in the interval divided by its length in seconds, by
 *       Diameter Result-Code summed over commands ({@code "diameter 2001"}, {@code "diameter none"}
 *       for an answer without one) and by HTTP status class summed over routes and methods
 *       ({@code "http 2xx"}). Every key seen so far is present, at 0.0 in an interval without it, so
 *       a chart's line drops to zero rather than breaking;</li>
 *   <li>{@code latencyMs}: for {@code "http"} and {@code "diameter"}, the p50, p90 and p99 of the
 *       answers in the interval and their {@code count}. A percentile is the upper bound, in
 *       milliseconds, of the histogram bucket where the interval's cumulative count reaches it — so
 *       it reads "at most"; past the last bound (10 s) it is that bound, as Prometheus'
 *       {@code histogram_quantile} does. {@code null} when the interval had no observations;</li>
 *   <li>{@code journalForceMs}: p50 and p99 of the journal forces (fsyncs) in the interval, the same
 *       way, and their {@code count};</li>
 *   <li>{@code queueDepth} and {@code sessions}: the values of the gauges
 *       {@code credence_ledger_queue_depth} and {@code credence_charging_sessions_active} at the
 *       sample, each left out of the point when it is not registered or could not be read.</li>
 * </ul>
 *
 * <p>The first sample records no point: it only takes the counters' baseline, since a cumulative
 * counter alone says nothing about one interval. Rates use the time actually elapsed between the
 * samples, not the nominal interval, so a late sample does not inflate them.
 */
public final class MetricsHistory implements AutoCloseable {
    static final String QUEUE_DEPTH_GAUGE = "credence_ledger_queue_depth";
    static final String SESSIONS_GAUGE = "credence_charging_sessions_active";
    /** The interfaces {@link Metrics} times; listed so every point has the same shape. */
    private static final List<String> INTERFACES = List.of("http", "diameter");
    private static final System.Logger LOG = System.getLogger(MetricsHistory.class.getName());

    private final Metrics metrics;
    private final Duration interval;
    private final int capacity;
    private final ArrayDeque<Map<String, Object>> points;
    private ScheduledExecutorService scheduler; // only when started by start()

    // the previous sample's cumulative values, guarded by this
    private boolean haveBaseline;
    private long previousAt;
    private Map<List<String>, Long> previousHttp;
    private Map<List<String>, Long> previousDiameter;
    private final Map<String, long[]> previousLatency = new TreeMap<>();
    private long[] previousForce;

    public MetricsHistory(Metrics metrics, Duration interval, int points) {
        if (metrics == null) {
            throw new IllegalArgumentException("metrics must not be null");
        }
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        if (points < 1) {
            throw new IllegalArgumentException("points must be at least 1: " + points);
        }
        this.metrics = metrics;
        this.interval = interval;
        this.capacity = points;
        this.points = new ArrayDeque<>(points);
    }

    /**
     * A history sampled every {@code interval} on its own daemon thread "metrics-history", starting
     * now (which takes the baseline); {@link #close()} stops it.
     */
    public static MetricsHistory start(Metrics metrics, Duration interval, int points) {
        MetricsHistory history = new MetricsHistory(metrics, interval, points);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "metrics-history");
            t.setDaemon(true); // charts must never keep the server's JVM alive
            return t;
        });
        synchronized (history) {
            history.scheduler = scheduler;
        }
        long millis = interval.toMillis() > 0 ? interval.toMillis() : 1;
        scheduler.scheduleAtFixedRate(() -> {
            try {
                history.sample(System.currentTimeMillis());
            } catch (RuntimeException e) {
                // a task that throws is never run again by the scheduler: lose one point, not the history
                LOG.log(System.Logger.Level.WARNING, "metrics history: a sample failed", e);
            }
        }, 0, millis, TimeUnit.MILLISECONDS);
        return history;
    }

    /**
     * Samples the metrics at {@code epochMillis}: the first call takes the baseline, each later one
     * adds a point for the interval since the previous (dropping the oldest past {@code points}).
     * A time not after the previous sample's (the clock stepped back) takes a new baseline and
     * clears the points, which would otherwise no longer be in time order.
     */
    public void sample(long epochMillis) {
        // gauges first and outside the lock: the sessions gauge asks the ledger and may wait for it,
        // and view() should not wait with it
        OptionalLong queueDepth = metrics.readGauge(QUEUE_DEPTH_GAUGE);
        OptionalLong sessions = metrics.readGauge(SESSIONS_GAUGE);
        synchronized (this) {
            // counters under the lock, so each sample's are read after the baseline's and no delta is negative
            Map<List<String>, Long> http = metrics.httpRequestCounts();
            Map<List<String>, Long> diameter = metrics.diameterAnswerCounts();
            Map<String, long[]> latency = new TreeMap<>();
            for (String name : INTERFACES) {
                latency.put(name, metrics.latencyBucketCounts(name));
            }
            long[] force = metrics.journalForceBucketCounts();

            if (haveBaseline && epochMillis > previousAt) {
                double seconds = (epochMillis - previousAt) / 1000.0;
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("at", Instant.ofEpochMilli(epochMillis).toString());
                point.put("answersPerSecond", answersPerSecond(http, diameter, seconds));
                Map<String, Object> latencyMs = new LinkedHashMap<>();
                for (String name : INTERFACES) {
                    latencyMs.put(name, percentiles(delta(latency.get(name), previousLatency.get(name)),
                            new String[] {"p50", "p90", "p99"}, new int[] {500, 900, 990}));
                }
                point.put("latencyMs", Collections.unmodifiableMap(latencyMs));
                point.put("journalForceMs", percentiles(delta(force, previousForce), new String[] {"p50", "p99"},
                        new int[] {500, 990}));
                queueDepth.ifPresent(v -> point.put("queueDepth", v));
                sessions.ifPresent(v -> point.put("sessions", v));
                if (points.size() == capacity) {
                    points.removeFirst();
                }
                points.addLast(Collections.unmodifiableMap(point));
            } else if (haveBaseline) {
                points.clear();
            }
            haveBaseline = true;
            previousAt = epochMillis;
            previousHttp = http;
            previousDiameter = diameter;
            previousLatency.putAll(latency);
            previousForce = force;
        }
    }

    /** {@link #view(int)} of every point kept. */
    public Map<String, Object> view() {
        return view(Integer.MAX_VALUE);
    }

    /**
     * For JSON: {@code {"intervalSeconds": 5, "points": [...]}}, the last {@code lastPoints} points
     * (all of them when fewer are kept), oldest first. Plain maps, lists, strings and numbers; a
     * percentile without observations is {@code null}.
     */
    public Map<String, Object> view(int lastPoints) {
        if (lastPoints < 0) {
            throw new IllegalArgumentException("lastPoints must not be negative: " + lastPoints);
        }
        List<Map<String, Object>> copy;
        synchronized (this) {
            copy = new ArrayList<>(points); // the points themselves are immutable, so sharing them is safe
        }
        List<Map<String, Object>> last = copy.subList(Math.max(0, copy.size() - lastPoints), copy.size());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("intervalSeconds", intervalSeconds());
        view.put("points", List.copyOf(last));
        return view;
    }

    /** Whole seconds as an integer (the usual case, {@code 5}), else a fraction. */
    private Number intervalSeconds() {
        return interval.toMillis() % 1000 == 0 ? (Number) interval.toSeconds() : (Number) (interval.toMillis() / 1000.0);
    }

    /** Stops sampling when {@link #start} started it; the points already kept stay readable. */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            s = scheduler;
            scheduler = null;
        }
        if (s != null) {
            s.shutdownNow();
        }
    }

    private Map<String, Object> answersPerSecond(Map<List<String>, Long> http, Map<List<String>, Long> diameter,
                                                 double seconds) {
        Map<String, Long> answers = new TreeMap<>(); // sorted, so the keys come in the same order every point
        // label order as Metrics declares them: http (route, method, status), diameter (command, result_code)
        http.forEach((labels, count) -> answers.merge("http " + statusClass(labels.get(2)),
                count - previousHttp.getOrDefault(labels, 0L), Long::sum));
        diameter.forEach((labels, count) -> answers.merge("diameter " + labels.get(1),
                count - previousDiameter.getOrDefault(labels, 0L), Long::sum));
        Map<String, Object> rates = new LinkedHashMap<>();
        answers.forEach((key, count) -> rates.put(key, count / seconds));
        return Collections.unmodifiableMap(rates);
    }

    /** "201" → "2xx"; anything else (the "other" series past Metrics' bound) is kept as it is. */
    static String statusClass(String status) {
        return status.length() == 3 && Character.isDigit(status.charAt(0)) ? status.charAt(0) + "xx" : status;
    }

    private static long[] delta(long[] now, long[] before) {
        long[] d = now.clone();
        if (before != null) {
            for (int i = 0; i < d.length; i++) {
                d[i] -= before[i];
            }
        }
        return d;
    }

    /** @param perMille the quantiles in thousandths (990 = p99): integers, so the rank has no rounding error */
    private static Map<String, Object> percentiles(long[] buckets, String[] names, int[] perMille) {
        long count = 0;
        for (long b : buckets) {
            count += b;
        }
        Map<String, Object> out = new LinkedHashMap<>(); // not Map.of: a percentile of nothing is null
        for (int i = 0; i < names.length; i++) {
            out.put(names[i], count == 0 ? null : upperBoundMillis(buckets, perMille[i], count));
        }
        out.put("count", count);
        return Collections.unmodifiableMap(out);
    }

    /** The upper bound of the bucket where the cumulative count first reaches {@code perMille}/1000 of all. */
    static double upperBoundMillis(long[] buckets, int perMille, long count) {
        long rank = Math.max(1, (perMille * count + 999) / 1000); // ceil: the rank-th smallest observation
        long cumulative = 0;
        double[] bounds = Metrics.LATENCY_BUCKETS_SECONDS;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += buckets[i];
            if (cumulative >= rank) {
                return millis(bounds[i]);
            }
        }
        return millis(bounds[bounds.length - 1]); // in +Inf: the last finite bound, as histogram_quantile
    }

    /** Seconds to milliseconds, rounded to the microsecond so 0.0005 s reads 0.5 and not 0.5000000000000001. */
    private static double millis(double seconds) {
        return Math.round(seconds * 1_000_000) / 1000.0;
    }
}
