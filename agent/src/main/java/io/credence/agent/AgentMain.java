package io.credence.agent;

import java.io.PrintStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code run}: the agent in front of a simulated terminal; {@code status}: what a database holds.
 * Exit codes: 0 done, 1 a drain that could not finish (what is left stays in the database and
 * goes out on the next run), 2 bad options or an unusable database file.
 */
public final class AgentMain {
    /** The simulated terminal asks for data this often, in small steps like a real data path. */
    static final long TERMINAL_STEP_MILLIS = 10;

    private AgentMain() {}

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args));
    }

    /**
     * What {@link #main} does, returning the exit code instead of exiting, so a host command line
     * ({@code credence agent}) runs it in-process: help, status and option errors return at once; a
     * run ends at its duration or at SIGTERM, after which the JVM is halted with the run's code.
     */
    public static int run(String[] args) throws InterruptedException {
        AgentOptions.Command command = AgentOptions.parse(List.of(args), System.getenv());
        if (!(command instanceof AgentOptions.Run run)) {
            return execute(command, System.out, System.err, new CountDownLatch(1));
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        AtomicInteger exitCode = new AtomicInteger(1);
        Thread onSigterm = new Thread(() -> {
            stopRequested.countDown();
            try {
                finished.await();
            } catch (InterruptedException e) {
                return;
            }
            System.out.flush();
            // The JVM would exit with 143 after SIGTERM; a drained agent reports success instead.
            Runtime.getRuntime().halt(exitCode.get());
        }, "credence-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(onSigterm);
        try {
            exitCode.set(execute(run, System.out, System.err, stopRequested));
        } finally {
            finished.countDown();
        }
        if (stopRequested.getCount() > 0) {
            // Ended by --duration-seconds: a normal exit, which also lets the JVM clean up its temp files.
            Runtime.getRuntime().removeShutdownHook(onSigterm);
        }
        return exitCode.get();
    }

    /** Runs one parsed command; {@code stopRequested} ends a run early (the shutdown hook counts it down). */
    static int execute(AgentOptions.Command command, PrintStream out, PrintStream err, CountDownLatch stopRequested)
            throws InterruptedException {
        return switch (command) {
            case AgentOptions.Invalid invalid -> {
                err.println(invalid.message());
                err.println("try: credence agent --help");
                yield 2;
            }
            case AgentOptions.Help ignored -> {
                out.println(AgentOptions.USAGE);
                yield 0;
            }
            case AgentOptions.Status status -> status(status, out, err);
            case AgentOptions.Run run -> run(run, out, err, stopRequested);
        };
    }

    static int execute(String[] args, Map<String, String> environment, PrintStream out, PrintStream err,
                       CountDownLatch stopRequested) throws InterruptedException {
        return execute(AgentOptions.parse(List.of(args), environment), out, err, stopRequested);
    }

    private static int status(AgentOptions.Status status, PrintStream out, PrintStream err) {
        try {
            out.println(AgentStore.readStatus(status.database()).line());
            return 0;
        } catch (SQLException e) {
            err.println("error: --db: " + e.getMessage());
            return 2;
        }
    }

    private static int run(AgentOptions.Run run, PrintStream out, PrintStream err, CountDownLatch stopRequested)
            throws InterruptedException {
        DeviceAgent agent;
        try {
            agent = new DeviceAgent(run.config());
        } catch (SQLException e) {
            err.println("error: --db: " + e.getMessage());
            return 2;
        }
        int code;
        try {
            code = drive(agent, run, out, err, stopRequested);
        } finally {
            try {
                agent.close();
            } catch (SQLException e) {
                err.println("error: closing " + run.config().database() + ": " + e.getMessage());
            }
        }
        return code;
    }

    /** The simulated terminal: asks use() for its rate in 10 ms steps and prints a line per interval. */
    private static int drive(DeviceAgent agent, AgentOptions.Run run, PrintStream out, PrintStream err,
                             CountDownLatch stopRequested) throws InterruptedException {
        ProblemPrinter problems = new ProblemPrinter(err);
        problems.show(agent.start());
        long startNanos = System.nanoTime();
        long intervalNanos = run.config().reportInterval().toNanos();
        long deadlineNanos = run.duration() == null ? Long.MAX_VALUE : run.duration().toNanos();
        long nextLineNanos = intervalNanos;
        long offered = 0;
        while (!stopRequested.await(TERMINAL_STEP_MILLIS, TimeUnit.MILLISECONDS)) {
            long elapsedNanos = System.nanoTime() - startNanos;
            long due = (long) (run.useBytesPerSecond() * (elapsedNanos / 1e9));
            if (due > offered) {
                agent.use(due - offered); // what is refused is dropped: a terminal without quota has no data
                offered = due;
            }
            if (elapsedNanos >= nextLineNanos) {
                AgentStatus status = agent.status();
                out.println(status.line());
                out.flush();
                problems.show(status);
                nextLineNanos += intervalNanos;
            }
            if (elapsedNanos >= deadlineNanos) {
                break;
            }
        }
        if (!run.drain()) {
            return 0;
        }
        boolean drained = agent.drain();
        AgentStatus status = agent.status();
        out.println("drained metered=" + status.meteredBytes() + " acknowledged=" + status.acknowledgedBytes());
        out.flush();
        if (!drained) {
            err.println("error: drain incomplete (" + status.pendingReports() + " reports pending, "
                    + status.unreportedBytes() + " bytes unacknowledged"
                    + (status.problem() == null ? "" : ", " + status.problem())
                    + "); kept in " + run.config().database() + " for the next run");
            return 1;
        }
        return 0;
    }

    /** Prints a problem to stderr when it changes, so a wrong secret is said once, not every second. */
    private static final class ProblemPrinter {
        private final PrintStream err;
        private String shown;

        ProblemPrinter(PrintStream err) {
            this.err = err;
        }

        void show(AgentStatus status) {
            if (!Objects.equals(status.problem(), shown)) {
                shown = status.problem();
                if (shown != null) {
                    err.println("problem: " + shown);
                    err.flush();
                }
            }
        }
    }
}
