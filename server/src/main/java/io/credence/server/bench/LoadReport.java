package io.credence.server.bench;

import io.credence.diameter.codec.Codes;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;

/**
 * What a run of {@code credence bench diameter} or {@code credence bench nchf} measured.
 *
 * @param protocol           how the run's requests and answers are named
 *
 * @param measuredSeconds    length of the measured window; rates are counted over it
 * @param generatorCpuSeconds CPU time the generator itself used in the measured window (negative: unknown)
 * @param unansweredAtExit   requests that had neither answer nor timeout when the generator gave up waiting
 * @param stoppedEarly       why the schedule stopped before its end, or null
 */
record LoadReport(Protocol protocol, LoadPlan plan, Phase warmup, Phase measured, Phase drain, double measuredSeconds,
                  double generatorCpuSeconds, int unansweredAtExit, String stoppedEarly) {

    /**
     * How one protocol's requests and answers are named in the report.
     *
     * @param command      the bench subcommand
     * @param request      one request, in rates ("CCR", "request")
     * @param update       an update request ("CCR-U", "update")
     * @param termination  the request the drain sends ("CCR-T", "release")
     * @param codes        what answers are counted by ("Result-Code", "HTTP status and cause")
     * @param successName  how success is named ("2001", "2xx")
     * @param success      which codes are success
     * @param label        a code as printed
     */
    record Protocol(String command, String request, String update, String termination, String codes,
                    String successName, LongPredicate success, LongFunction<String> label) {
        static final Protocol DIAMETER = new Protocol("diameter", "CCR", "CCR-U", "CCR-T", "Result-Code", "2001",
                code -> code == Codes.DIAMETER_SUCCESS, Long::toString);
    }

    /**
     * The slots due in one phase.
     *
     * @param sent             requests sent (every one is counted in {@code byResultCode} once answered or timed out)
     * @param answered         answers received, whatever their code
     * @param succeeded        answers whose code is success ({@link Protocol#success})
     * @param missed           slots never sent: no session was free and the backlog was full
     * @param updatesSucceeded update requests answered with success
     * @param byResultCode     answers by code; {@link Counts#NO_ANSWER} counts timeouts and lost connections
     * @param usedOctets       octets reported as used in requests answered with success: what the ledger charged
     * @param latencyMicros    from the slot's due time to the answer (measured phase only)
     */
    record Phase(long sent, long answered, long succeeded, long missed, long sessionsCompleted, long updatesSucceeded,
                 long usedOctets, SortedMap<Long, Long> byResultCode, Histogram latencyMicros) {
        long count(long resultCode) {
            return byResultCode.getOrDefault(resultCode, 0L);
        }

        long notSuccess() {
            return answered - succeeded;
        }

        long noAnswer() {
            return count(Counts.NO_ANSWER);
        }
    }

    double achievedPerSecond() {
        return measured.answered / measuredSeconds;
    }

    double successPerSecond() {
        return measured.succeeded / measuredSeconds;
    }

    double updatesPerSecond() {
        return measured.updatesSucceeded / measuredSeconds;
    }

    long usedOctets() {
        return warmup.usedOctets + measured.usedOctets + drain.usedOctets;
    }

    void print(PrintStream out, String commandLine) {
        print(out, commandLine, String.format("%s:%d, %d connection(s) as %s", plan.host(), plan.port(),
                plan.originHosts().size(), String.join(" ", plan.originHosts())));
    }

    /** @param target where the load went and over what, after the command's name */
    void print(PrintStream out, String commandLine, String target) {
        String r = protocol.request();
        String ok = protocol.successName();
        out.printf("credence bench %s: %s, %,d sessions of I + %d U + T, %,d subscribers%n", protocol.command(), target,
                plan.sessions(), plan.updates(), plan.subscribers());
        out.println("command: " + commandLine);
        if (stoppedEarly != null) {
            out.println("STOPPED EARLY: " + stoppedEarly);
        }
        long due = measured.sent + measured.missed;
        out.printf("offered %,d %s/s for %.1f s after %.1f s of warm-up: %,d due, %,d sent, %,d missed%n",
                plan.ratePerSecond(), r, measuredSeconds, plan.warmupNanos() / 1e9, due, measured.sent, measured.missed);
        out.printf("achieved %,.0f %s/s answered, %,.0f %s/s answered %s, %,.0f %s/s answered %s%n", achievedPerSecond(),
                r, successPerSecond(), r, ok, updatesPerSecond(), protocol.update(), ok);
        out.printf("sessions completed %,d (%,.0f/s)%n", measured.sessionsCompleted,
                measured.sessionsCompleted / measuredSeconds);
        out.printf("answers by %s: %s; non-%s %,d; no answer %,d%n", protocol.codes(), codes(measured.byResultCode),
                ok, measured.notSuccess(), measured.noAnswer());
        Histogram h = measured.latencyMicros;
        out.printf("latency ms from due time: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%,d answers)%n",
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getTotalCount());
        out.printf("warm-up: %,d sent, %,d answered, non-%s %,d, no answer %,d, missed %,d%n", warmup.sent,
                warmup.answered, ok, warmup.notSuccess(), warmup.noAnswer(), warmup.missed);
        out.printf("drain: %,d %s for sessions open at the end, %,d answered, non-%s %,d, no answer %,d%n",
                drain.sent, protocol.termination(), drain.answered, ok, drain.notSuccess(), drain.noAnswer());
        out.printf("octets used in answers %s (all phases): %,d%n", ok, usedOctets());
        if (generatorCpuSeconds >= 0 && measured.sent > 0) {
            out.printf("generator CPU in the measured window: %.1f s (%.0f %% of a core, %.1f us per %s sent)%n",
                    generatorCpuSeconds, 100 * generatorCpuSeconds / measuredSeconds,
                    generatorCpuSeconds * 1e6 / measured.sent, r);
        }
        if (unansweredAtExit > 0) {
            out.printf("UNANSWERED at exit: %,d requests%n", unansweredAtExit);
        }
        out.println(load());
    }

    private String codes(Map<Long, Long> byResultCode) {
        StringBuilder out = new StringBuilder();
        byResultCode.forEach((code, count) -> {
            if (code != Counts.NO_ANSWER) {
                out.append(out.isEmpty() ? "" : ", ").append(protocol.label().apply(code)).append(' ')
                        .append(String.format("%,d", count));
            }
        });
        return out.isEmpty() ? "none" : out.toString();
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    /** The 1, 5 and 15 minute load averages: on a shared machine the figures mean little without them. */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "load " + f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "load " + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        }
    }
}
