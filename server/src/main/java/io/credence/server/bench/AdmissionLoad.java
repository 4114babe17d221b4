package io.credence.server.bench;

import io.credence.plan.load.Load;
import io.credence.plan.load.ServiceClass;
import io.credence.plan.sim.StudentT;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;

/**
 * Drives a running server's {@code /v1/admissions} with a load description as the capacity model
 * reads it: per class, Poisson arrivals at its rate, each admitted session held for an
 * exponential time of its mean and then released. Counts, per class and per batch of arrival
 * time after a warm-up, how many were admitted and how many refused (no capacity, or a range or
 * threshold), so the measured acceptance can be set against the model's.
 *
 * <p>Abandoned sessions ({@code abandonFraction}) are not driven: the server frees an abandoned
 * admission when its ttl runs out, which the model's maintenance transition does not describe.
 */
public final class AdmissionLoad {
    public static final int BATCHES = 10;
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** One class's counts after the warm-up, and its acceptance with a 99 % half-width over the batches. */
    public record ClassResult(String name, long offered, long admitted, long noCapacity, long outOfPolicy, long errors,
                              double acceptance, double halfWidth99) {}

    private final URI base;
    private final String apiKey;
    private final Load load;
    private final long seed;
    private final HttpClient http;

    public AdmissionLoad(String url, String apiKey, Load load, long seed) {
        for (ServiceClass c : load.classes()) {
            if (c.abandonFraction() > 0) {
                throw new IllegalArgumentException("class " + c.name() + ": abandoned sessions are not driven (see AdmissionLoad)");
            }
        }
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.apiKey = apiKey;
        this.load = load;
        this.seed = seed;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    /** Runs warm-up then the measured time; returns when every session has been released. */
    public List<ClassResult> run(Duration warmup, Duration measured) throws InterruptedException {
        int classes = load.classes().size();
        AtomicLongArray offered = new AtomicLongArray(classes * BATCHES);
        AtomicLongArray admitted = new AtomicLongArray(classes * BATCHES);
        AtomicLongArray noCapacity = new AtomicLongArray(classes);
        AtomicLongArray outOfPolicy = new AtomicLongArray(classes);
        AtomicLongArray errors = new AtomicLongArray(classes);
        AtomicLong inFlight = new AtomicLong();
        ScheduledExecutorService timer = new ScheduledThreadPoolExecutor(2);
        long start = System.nanoTime();
        long warmupNanos = warmup.toNanos();
        long endNanos = warmupNanos + measured.toNanos();
        AtomicLong ids = new AtomicLong();
        try {
            for (int k = 0; k < classes; k++) {
                ServiceClass c = load.classes().get(k);
                SplittableRandom random = new SplittableRandom(seed * 1_000_003L + k);
                String parameters = c.qos().entrySet().stream().map(e -> "\"" + e.getKey().jsonName() + "\":" + e.getValue())
                        .collect(Collectors.joining(",", "{", "}"));
                int klass = k;
                // each class's arrivals: the next one scheduled when this one fires (exponential gaps)
                Runnable[] arrive = new Runnable[1];
                long[] due = {exponentialNanos(random, c.arrivalsPerSecond())};
                arrive[0] = () -> {
                    long at = due[0];
                    if (at >= endNanos) {
                        return;
                    }
                    // draw everything from this class's random before the next arrival can run on another thread
                    long holdNanos = exponentialNanos(random, 1 / c.meanHoldingSeconds());
                    due[0] += exponentialNanos(random, c.arrivalsPerSecond());
                    timer.schedule(arrive[0], Math.max(0, start + due[0] - System.nanoTime()), TimeUnit.NANOSECONDS);
                    int batch = at < warmupNanos ? -1 : (int) ((at - warmupNanos) * BATCHES / (endNanos - warmupNanos));
                    if (batch >= 0) {
                        offered.incrementAndGet(klass * BATCHES + batch);
                    }
                    String id = "plan-" + seed + "-" + c.name() + "-" + ids.incrementAndGet();
                    inFlight.incrementAndGet();
                    send("POST", "v1/admissions", "{\"admissionId\":\"" + id + "\",\"layer\":\"" + c.layer().jsonName()
                            + "\",\"parameters\":" + parameters + ",\"ttlSeconds\":" + ttlSeconds(c) + "}")
                            .whenComplete((response, failure) -> {
                                int status = failure == null ? response.statusCode() : -1;
                                if (status == 201) {
                                    if (batch >= 0) {
                                        admitted.incrementAndGet(klass * BATCHES + batch);
                                    }
                                    timer.schedule(() -> send("DELETE", "v1/admissions/" + id, null)
                                            .whenComplete((r, f) -> inFlight.decrementAndGet()), holdNanos, TimeUnit.NANOSECONDS);
                                    return;
                                }
                                if (batch >= 0) {
                                    switch (status) {
                                        case 409 -> noCapacity.incrementAndGet(klass);
                                        case 422 -> outOfPolicy.incrementAndGet(klass);
                                        default -> errors.incrementAndGet(klass);
                                    }
                                }
                                inFlight.decrementAndGet();
                            });
                };
                timer.schedule(arrive[0], due[0], TimeUnit.NANOSECONDS);
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(0, start + endNanos - System.nanoTime()));
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (inFlight.get() > 0 && System.nanoTime() < drainUntil) {
                Thread.sleep(20);
            }
        } finally {
            timer.shutdownNow();
        }
        List<ClassResult> results = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            long o = 0;
            long a = 0;
            double[] perBatch = new double[BATCHES];
            int usable = 0;
            for (int b = 0; b < BATCHES; b++) {
                long ob = offered.get(k * BATCHES + b);
                long ab = admitted.get(k * BATCHES + b);
                o += ob;
                a += ab;
                if (ob > 0) {
                    perBatch[usable++] = (double) ab / ob;
                }
            }
            results.add(new ClassResult(load.classes().get(k).name(), o, a, noCapacity.get(k), outOfPolicy.get(k),
                    errors.get(k), o == 0 ? 0 : (double) a / o, halfWidth99(perBatch, usable)));
        }
        return results;
    }

    /** Long enough that no admitted session expires before the generator releases it. */
    private static long ttlSeconds(ServiceClass c) {
        return Math.min(86_400, Math.max(60, (long) Math.ceil(c.meanHoldingSeconds() * 40)));
    }

    private CompletableFuture<HttpResponse<String>> send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long exponentialNanos(SplittableRandom random, double ratePerSecond) {
        return (long) (-Math.log(1 - random.nextDouble()) / ratePerSecond * 1e9);
    }

    static double halfWidth99(double[] values, int n) {
        if (n < 2) {
            return Double.NaN;
        }
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += values[i];
        }
        mean /= n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            var += (values[i] - mean) * (values[i] - mean);
        }
        var /= n - 1;
        return StudentT.quantile(0.995, n - 1) * Math.sqrt(var / n);
    }

    /** The results as the bench command prints them. */
    public static String render(List<ClassResult> results) {
        StringBuilder out = new StringBuilder(String.format(java.util.Locale.ROOT, "%-16s %10s %10s %12s %14s %8s %24s%n",
                "class", "offered", "admitted", "no-capacity", "out-of-policy", "errors", "acceptance (99 %)"));
        for (ClassResult r : results) {
            out.append(String.format(java.util.Locale.ROOT, "%-16s %,10d %,10d %,12d %,14d %,8d %15.4f ± %.4f%n", r.name(),
                    r.offered(), r.admitted(), r.noCapacity(), r.outOfPolicy(), r.errors(), r.acceptance(), r.halfWidth99()));
        }
        return out.toString();
    }
}
