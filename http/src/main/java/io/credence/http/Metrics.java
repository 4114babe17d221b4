package io.credence.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The server's metrics in the Prometheus text format (version 0.0.4), written by hand: counters
 * and histograms are {@link LongAdder}s, gauges are read when scraped. Every label value comes
 * from a bounded set — route templates, not paths; Result-Codes the server itself sends — so the
 * number of series cannot grow with traffic; past {@link #SERIES_MAX} per family new label sets
 * are counted under {@code "other"}.
 */
public final class Metrics {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Upper bounds of the latency histograms, in seconds. */
    static final double[] LATENCY_BUCKETS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1, 2.5, 5, 10};
    public static final int SERIES_MAX = 2000;

    private final Family httpRequests = new Family("credence_http_requests_total",
            "HTTP requests answered, by route template, method and status", "route", "method", "status");
    private final Family diameterAnswers = new Family("credence_diameter_answers_total",
            "Diameter answers sent by the credit-control application, by command and Result-Code", "command",
            "result_code");
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Histogram journalForce = new Histogram();
    private final List<Gauge> gauges = new CopyOnWriteArrayList<>();

    /** A family read at each scrape: a gauge, or a counter kept elsewhere (a component's own adder). */
    private record Gauge(String name, String help, String label, Supplier<Map<String, Long>> values, String type) {}

    public void httpRequest(String route, String method, int status, long nanos) {
        httpRequests.increment(route, method, Integer.toString(status));
        latency("http").observe(nanos);
    }

    /** @param resultCode the answer's Result-Code, or -1 when it carried none (Experimental-Result) */
    public void diameterAnswer(String command, long resultCode, long nanos) {
        diameterAnswers.increment(command, resultCode < 0 ? "none" : Long.toString(resultCode));
        latency("diameter").observe(nanos);
    }

    public void journalForce(long nanos) {
        journalForce.observe(nanos);
    }

    public void gauge(String name, String help, LongSupplier value) {
        gauges.add(new Gauge(name, help, null, () -> Map.of("", value.getAsLong()), "gauge"));
    }

    /** A counter that a component keeps itself (only ever grows), read at each scrape. */
    public void counter(String name, String help, LongSupplier value) {
        gauges.add(new Gauge(name, help, null, () -> Map.of("", value.getAsLong()), "counter"));
    }

    /** A gauge with one label, its series read at each scrape; an empty map writes no sample. */
    public void gauge(String name, String help, String label, Supplier<Map<String, Long>> values) {
        gauges.add(new Gauge(name, help, label, values, "gauge"));
    }

    private Histogram latency(String interfaceName) {
        return latency.computeIfAbsent(interfaceName, i -> new Histogram());
    }

    // Reads for MetricsHistory: copies of the cumulative values, so a caller can take deltas
    // without holding anything of ours. None of them creates a series, so reading never changes
    // what a scrape writes.

    /** HTTP request counts by (route, method, status), as the scrape would write them now. */
    Map<List<String>, Long> httpRequestCounts() {
        return httpRequests.counts();
    }

    /** Diameter answer counts by (command, result_code), as the scrape would write them now. */
    Map<List<String>, Long> diameterAnswerCounts() {
        return diameterAnswers.counts();
    }

    /**
     * Observations of one interface's latency per bucket (not cumulative): index {@code i} counts
     * those at most {@code LATENCY_BUCKETS_SECONDS[i]} and above the bound before it, the last
     * index those above every bound. All zeros for an interface that has seen nothing yet.
     */
    long[] latencyBucketCounts(String interfaceName) {
        Histogram h = latency.get(interfaceName); // not latency(): creating it would add a family to the scrape
        return h == null ? new long[LATENCY_BUCKETS_SECONDS.length + 1] : h.counts();
    }

    /** Journal forces per bucket, as {@link #latencyBucketCounts}. */
    long[] journalForceBucketCounts() {
        return journalForce.counts();
    }

    /**
     * The value of the first registered gauge or counter {@code name} without a label, read now
     * through its supplier; empty when none is registered or it throws — the same rule as the
     * scrape, which leaves such a family out.
     */
    OptionalLong readGauge(String name) {
        for (Gauge g : gauges) {
            if (g.name().equals(name) && g.label() == null) {
                try {
                    Long v = g.values().get().get("");
                    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
                } catch (RuntimeException unavailable) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The whole exposition, families in a fixed order. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        httpRequests.write(out);
        diameterAnswers.write(out);
        header(out, "credence_request_duration_seconds", "Time from request to answer, per interface", "histogram");
        new TreeMap<>(latency).forEach((name, h) -> h.write(out, "credence_request_duration_seconds",
                "interface=\"" + escape(name) + "\""));
        header(out, "credence_journal_fsync_duration_seconds", "Time to force one journal batch to disk", "histogram");
        journalForce.write(out, "credence_journal_fsync_duration_seconds", "");
        for (Gauge g : gauges) {
            Map<String, Long> values;
            try {
                values = g.values().get();
            } catch (RuntimeException unavailable) {
                continue; // e.g. the ledger is busy: skip the family this scrape rather than fail the rest
            }
            header(out, g.name(), g.help(), g.type());
            new TreeMap<>(values).forEach((labelValue, v) -> {
                out.append(g.name());
                if (g.label() != null) {
                    out.append('{').append(g.label()).append("=\"").append(escape(labelValue)).append("\"}");
                }
                out.append(' ').append(v).append('\n');
            });
        }
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** A counter family with fixed label names. */
    private static final class Family {
        private final String name;
        private final String help;
        private final String[] labels;
        private final Map<List<String>, LongAdder> series = new ConcurrentHashMap<>();

        Family(String name, String help, String... labels) {
            this.name = name;
            this.help = help;
            this.labels = labels;
        }

        void increment(String... values) {
            assert values.length == labels.length : name + " takes " + labels.length + " labels";
            List<String> key = List.of(values);
            LongAdder adder = series.get(key);
            if (adder == null) {
                if (series.size() >= SERIES_MAX) {
                    String[] other = new String[values.length];
                    java.util.Arrays.fill(other, "other");
                    key = List.of(other);
                }
                adder = series.computeIfAbsent(key, k -> new LongAdder());
            }
            adder.increment();
        }

        Map<List<String>, Long> counts() {
            Map<List<String>, Long> copy = new HashMap<>();
            series.forEach((labelValues, adder) -> copy.put(labelValues, adder.sum()));
            return copy;
        }

        void write(StringBuilder out) {
            header(out, name, help, "counter");
            List<Map.Entry<List<String>, LongAdder>> sorted = new ArrayList<>(series.entrySet());
            sorted.sort(Map.Entry.comparingByKey((a, b) -> String.join("\u0000", a).compareTo(String.join("\u0000", b))));
            for (Map.Entry<List<String>, LongAdder> e : sorted) {
                out.append(name).append('{');
                for (int i = 0; i < labels.length; i++) {
                    out.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(escape(e.getKey().get(i)))
                            .append('"');
                }
                out.append("} ").append(e.getValue().sum()).append('\n');
            }
        }
    }

    /** Buckets counted apart and summed up when written, so observing is one increment. */
    private static final class Histogram {
        private final LongAdder[] buckets = new LongAdder[LATENCY_BUCKETS_SECONDS.length + 1];
        private final LongAdder sumNanos = new LongAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void observe(long nanos) {
            long n = Math.max(0, nanos);
            int i = 0;
            while (i < LATENCY_BUCKETS_SECONDS.length && n > LATENCY_BUCKETS_SECONDS[i] * 1e9) {
                i++;
            }
            buckets[i].increment();
            sumNanos.add(n);
        }

        long[] counts() {
            long[] copy = new long[buckets.length];
            for (int i = 0; i < buckets.length; i++) {
                copy[i] = buckets[i].sum();
            }
            return copy;
        }

        void write(StringBuilder out, String name, String labels) {
            String prefix = labels.isEmpty() ? "" : labels + ",";
            long cumulative = 0;
            for (int i = 0; i < buckets.length; i++) {
                cumulative += buckets[i].sum();
                String le = i < LATENCY_BUCKETS_SECONDS.length ? Double.toString(LATENCY_BUCKETS_SECONDS[i]) : "+Inf";
                out.append(name).append("_bucket{").append(prefix).append("le=\"").append(le).append("\"} ")
                        .append(cumulative).append('\n');
            }
            String braces = labels.isEmpty() ? "" : "{" + labels + "}";
            out.append(name).append("_sum").append(braces).append(' ').append(sumNanos.sum() / 1e9).append('\n');
            out.append(name).append("_count").append(braces).append(' ').append(cumulative).append('\n');
        }
    }
}
