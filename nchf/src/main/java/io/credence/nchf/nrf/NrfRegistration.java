package io.credence.nchf.nrf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.credence.nchf.SbiClient;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps this CHF registered at the NRF (TS 29.510 NFManagement), so that SMFs looking for a
 * CHF find it:
 *
 * <ul>
 *   <li>NFRegister: {@code PUT .../nf-instances/{id}} with the profile; the NRF's answer says the
 *       heartbeat interval, which then prevails over the one proposed;</li>
 *   <li>NFUpdate as heartbeat: {@code PATCH} with a JSON patch setting {@code nfStatus}
 *       REGISTERED, once per interval;</li>
 *   <li>a heartbeat answered 404 means the NRF no longer knows the profile (it restarted, or
 *       dropped us after missed heartbeats): register again at once;</li>
 *   <li>an NRF that does not answer is tried again after 1 s, then twice as long each time up to
 *       {@link NrfSettings#retryMax()}; charging never waits for it;</li>
 *   <li>NFDeregister: {@code DELETE} when the server stops cleanly.</li>
 * </ul>
 *
 * <p>One scheduler thread does all of it, one request at a time, so nothing queues up behind a
 * slow NRF. It speaks HTTP/2 ({@link SbiClient}).
 */
public final class NrfRegistration implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NrfRegistration.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEARTBEAT_PATCH = "[{\"op\":\"replace\",\"path\":\"/nfStatus\",\"value\":\"REGISTERED\"}]";
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    /** Where the registration stands. */
    public enum State { REGISTERING, REGISTERED, DEREGISTERED }

    /**
     * What {@code /health} shows of it.
     *
     * @param heartbeatSeconds the interval in force (the NRF's, once it answered)
     * @param lastFailure      the last request that failed and why, or null
     */
    public record Status(String nrf, String nfInstanceId, State state, int heartbeatSeconds, long registrations,
                         long heartbeats, long failures, String lastFailure) {}

    private final NrfSettings settings;
    private final SbiClient client;
    private final ScheduledExecutorService scheduler;
    private final byte[] profile;
    private final AtomicLong registrations = new AtomicLong();
    private final AtomicLong heartbeats = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile State state = State.REGISTERING;
    private volatile int heartbeatSeconds;
    private volatile String lastFailure;
    /** Whether an NFRegister ever went out, so that a clean stop knows to deregister. */
    private volatile boolean registerSent;
    /** The wait before the next attempt after a failure; reset by a success. Scheduler thread only. */
    private Duration retry = FIRST_RETRY;

    private NrfRegistration(NrfSettings settings, SbiClient client) throws IOException {
        this.settings = settings;
        this.client = client;
        this.profile = JSON.writeValueAsBytes(settings.profile().toJson(JSON));
        this.heartbeatSeconds = settings.profile().heartbeatSeconds();
        ScheduledThreadPoolExecutor single = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "nrf-registration");
            t.setDaemon(true);
            return t;
        });
        single.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = single;
    }

    /** Starts registering at once; returns without waiting for the NRF. */
    public static NrfRegistration start(NrfSettings settings) throws IOException {
        SbiClient client = SbiClient.start("nrf-client", 4, settings.requestTimeout());
        NrfRegistration registration = new NrfRegistration(settings, client);
        registration.scheduler.execute(registration::register);
        return registration;
    }

    public Status status() {
        return new Status(settings.apiRoot().toString(), settings.profile().instanceId().toString(), state,
                heartbeatSeconds, registrations.get(), heartbeats.get(), failures.get(), lastFailure);
    }

    private void register() {
        try {
            registerSent = true;
            SbiClient.Reply answer = call("PUT", "application/json", profile);
            if (answer.status() == 200 || answer.status() == 201) {
                heartbeatSeconds = answeredHeartbeat(answer.body(), heartbeatSeconds);
                registrations.incrementAndGet();
                if (state != State.REGISTERED) {
                    LOG.log(System.Logger.Level.INFO, "registered at the NRF " + settings.apiRoot() + " as CHF "
                            + settings.profile().instanceId() + "; heartbeat every " + heartbeatSeconds + " s");
                }
                state = State.REGISTERED;
                retry = FIRST_RETRY;
                scheduleHeartbeat(Duration.ofSeconds(heartbeatSeconds));
                return;
            }
            failed("NFRegister answered " + answer.status() + ": " + problem(answer.body()));
        } catch (IOException e) {
            failed("NFRegister failed: " + e);
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
            return;
        }
        state = State.REGISTERING;
        schedule(this::register, nextRetry());
    }

    private void heartbeat() {
        try {
            SbiClient.Reply answer = call("PATCH", "application/json-patch+json",
                    HEARTBEAT_PATCH.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            int code = answer.status();
            if (code == 204 || code == 200) {
                if (code == 200) {
                    heartbeatSeconds = answeredHeartbeat(answer.body(), heartbeatSeconds);
                }
                heartbeats.incrementAndGet();
                retry = FIRST_RETRY;
                scheduleHeartbeat(Duration.ofSeconds(heartbeatSeconds));
                return;
            }
            if (code == 404) {
                LOG.log(System.Logger.Level.WARNING, "the NRF " + settings.apiRoot() + " no longer knows CHF "
                        + settings.profile().instanceId() + "; registering again");
                state = State.REGISTERING;
                register();
                return;
            }
            failed("heartbeat (NFUpdate) answered " + code + ": " + problem(answer.body()));
        } catch (IOException e) {
            failed("heartbeat (NFUpdate) failed: " + e);
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
            return;
        }
        // the NRF may count us gone after a missed heartbeat: try again soon, not a whole interval later
        Duration wait = nextRetry();
        schedule(this::heartbeat, wait.compareTo(Duration.ofSeconds(heartbeatSeconds)) < 0 ? wait
                : Duration.ofSeconds(heartbeatSeconds));
    }

    private SbiClient.Reply call(String method, String contentType, byte[] body) throws IOException, InterruptedException {
        return client.call(method, settings.instanceUri(), contentType, body, settings.requestTimeout());
    }

    private void scheduleHeartbeat(Duration interval) {
        schedule(this::heartbeat, interval);
    }

    private void schedule(Runnable task, Duration after) {
        if (!scheduler.isShutdown()) {
            try {
                scheduler.schedule(task, after.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // stopped meanwhile: nothing more to do
            }
        }
    }

    private Duration nextRetry() {
        Duration wait = retry;
        Duration doubled = retry.multipliedBy(2);
        retry = doubled.compareTo(settings.retryMax()) > 0 ? settings.retryMax() : doubled;
        return wait;
    }

    private void failed(String what) {
        failures.incrementAndGet();
        if (!what.equals(lastFailure)) { // once per kind of failure, not at every retry
            LOG.log(System.Logger.Level.WARNING, "NRF " + settings.apiRoot() + ": " + what);
        }
        lastFailure = what;
    }

    /** The NFProfile's heartBeatTimer in an NRF's answer, or {@code current} when it has none. */
    private static int answeredHeartbeat(byte[] body, int current) {
        try {
            JsonNode timer = body.length == 0 ? null : JSON.readTree(body).get("heartBeatTimer");
            return timer != null && timer.canConvertToInt() && timer.asInt() >= 1 ? timer.asInt() : current;
        } catch (IOException notJson) {
            return current;
        }
    }

    /** A problem+json answer's title and detail, or the start of whatever else came. */
    private static String problem(byte[] body) {
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        try {
            JsonNode problem = JSON.readTree(body);
            if (problem != null && problem.has("detail")) {
                return problem.path("title").asText("") + " " + problem.get("detail").asText() + " "
                        + problem.path("cause").asText("");
            }
        } catch (IOException notJson) {
            // shown as it came
        }
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    /**
     * Stops the heartbeats and deregisters (one attempt within the request timeout), so that no
     * SMF is sent here once the server is gone.
     *
     * <p>A request under way is let finish rather than interrupted: an NFRegister the NRF has
     * already taken but whose answer we never read would otherwise leave us registered there with
     * no DELETE to follow. So the DELETE is sent whenever an NFRegister was ever sent; an NRF that
     * does not know us answers 404, which is fine.
     */
    @Override
    public void close() throws InterruptedException {
        scheduler.shutdown(); // delayed heartbeats and retries are dropped (policy set at start)
        if (!scheduler.awaitTermination(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
            scheduler.shutdownNow();
        }
        if (registerSent) {
            try {
                SbiClient.Reply answer = call("DELETE", null, null);
                if (answer.status() != 204 && answer.status() != 200 && answer.status() != 404) {
                    failed("NFDeregister answered " + answer.status());
                }
            } catch (IOException e) {
                failed("NFDeregister failed: " + e);
            }
        }
        state = State.DEREGISTERED;
        client.close();
    }
}
