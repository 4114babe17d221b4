package io.credence.server.bench;

import io.credence.diameter.codec.Codes;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;

/**
 * What a run of {@code credence bench diameter} measured.
 *
 * @param measuredSeconds    length of the measured window; rates are counted over it
 * @param generatorCpuSeconds CPU time the generator itself used in the measured window (negative: unknown)
 * @param unansweredAtExit   requests that had neither answer nor timeout when the generator gave up waiting
 * @param stoppedEarly       why the schedule stopped before its end, or null
 */
record LoadReport(LoadPlan plan, Phase warmup, Phase measured, Phase drain, double measuredSeconds,
                  double generatorCpuSeconds, int unansweredAtExit, String stoppedEarly) {

    /**
     * The slots due in one phase.
     *
     * @param sent            requests sent (every one is counted in {@code byResultCode} once answered or timed out)
     * @param answered        answers received, whatever their Result-Code
     * @param missed          slots never sent: no session was free and the backlog was full
     * @param byResultCode    answers by Result-Code; {@link DiameterLoad#NO_ANSWER} counts timeouts and lost connections
     * @param usedOctets      octets reported in Used-Service-Unit of requests answered 2001: what the ledger charged
     * @param latencyMicros   from the slot's due time to the answer (measured phase only)
     */
    record Phase(long sent, long answered, long missed, long sessionsCompleted, long usedOctets,
                 SortedMap<Long, Long> byResultCode, Histogram latencyMicros) {
        long count(long resultCode) {
            return byResultCode.getOrDefault(resultCode, 0L);
        }

        long notSuccess() {
            return answered - count(Codes.DIAMETER_SUCCESS);
        }

        long noAnswer() {
            return count(DiameterLoad.NO_ANSWER);
        }
    }

    double achievedPerSecond() {
        return measured.answered / measuredSeconds;
    }

    double successPerSecond() {
        return measured.count(Codes.DIAMETER_SUCCESS) / measuredSeconds;
    }

    long usedOctets() {
        return warmup.usedOctets + measured.usedOctets + drain.usedOctets;
    }

    void print(PrintStream out, String commandLine) {
        out.printf("credence bench diameter: %s:%d, %d connection(s) as %s, %,d sessions of I + %d U + T, "
                        + "%,d subscribers%n", plan.host(), plan.port(), plan.originHosts().size(),
                String.join(" ", plan.originHosts()), plan.sessions(), plan.updates(), plan.subscribers());
        out.println("command: " + commandLine);
        if (stoppedEarly != null) {
            out.println("STOPPED EARLY: " + stoppedEarly);
        }
        long due = measured.sent + measured.missed;
        out.printf("offered %,d CCR/s for %.1f s after %.1f s of warm-up: %,d due, %,d sent, %,d missed%n",
                plan.ratePerSecond(), measuredSeconds, plan.warmupNanos() / 1e9, due, measured.sent, measured.missed);
        out.printf("achieved %,.0f CCR/s answered, %,.0f CCR/s answered 2001%n", achievedPerSecond(),
                successPerSecond());
        out.printf("sessions completed %,d (%,.0f/s)%n", measured.sessionsCompleted,
                measured.sessionsCompleted / measuredSeconds);
        out.printf("answers by Result-Code: %s; non-2001 %,d; no answer %,d%n", codes(measured.byResultCode),
                measured.notSuccess(), measured.noAnswer());
        Histogram h = measured.latencyMicros;
        out.printf("latency ms from due time: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%,d answers)%n",
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getTotalCount());
        out.printf("warm-up: %,d sent, %,d answered, non-2001 %,d, no answer %,d, missed %,d%n", warmup.sent,
                warmup.answered, warmup.notSuccess(), warmup.noAnswer(), warmup.missed);
        out.printf("drain: %,d CCR-T for sessions open at the end, %,d answered, non-2001 %,d, no answer %,d%n",
                drain.sent, drain.answered, drain.notSuccess(), drain.noAnswer());
        out.printf("octets used in answers 2001 (all phases): %,d%n", usedOctets());
        if (generatorCpuSeconds >= 0 && measured.sent > 0) {
            out.printf("generator CPU in the measured window: %.1f s (%.0f %% of a core, %.1f us per CCR sent)%n",
                    generatorCpuSeconds, 100 * generatorCpuSeconds / measuredSeconds,
                    generatorCpuSeconds * 1e6 / measured.sent);
        }
        if (unansweredAtExit > 0) {
            out.printf("UNANSWERED at exit: %,d requests%n", unansweredAtExit);
        }
        out.println(load());
    }

    private static String codes(Map<Long, Long> byResultCode) {
        StringBuilder out = new StringBuilder();
        byResultCode.forEach((code, count) -> {
            if (code != DiameterLoad.NO_ANSWER) {
                out.append(out.isEmpty() ? "" : ", ").append(code).append(' ').append(String.format("%,d", count));
            }
        });
        return out.isEmpty() ? "none" : out.toString();
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    /** The 1, 5 and 15 minute load averages: on a shared machine the figures mean little without them. */
    private static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "load " + f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "load " + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        }
    }
}
