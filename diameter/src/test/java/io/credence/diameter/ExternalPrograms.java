package io.credence.diameter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Programs nobody here wrote (tshark, dumpcap, freeDiameterd) for the interoperability tests:
 * running one to completion. Whether one is installed is the test's {@code @RequiresTools}: a test
 * whose program is missing is reported skipped, never faked.
 */
public final class ExternalPrograms {
    private ExternalPrograms() {}

    /**
     * Runs a command to its end and returns what it wrote to stdout; fails, showing stderr too,
     * unless it exits 0 in time.
     */
    public static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(command)).start();
        // drain both pipes while waiting: a full pipe would block the program
        CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()),
                Executors.newVirtualThreadPerTaskExecutor());
        String output = readAll(process.getInputStream());
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + timeout + "\n" + output);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(command + " exited with " + process.exitValue() + "\n" + output + errors.join());
        }
        return output;
    }

    /** Runs a command to its end; its stdout when it exits 0 in time, else empty (for polling). */
    public static Optional<String> attempt(List<String> command, Duration timeout)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(command)).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String output = readAll(process.getInputStream());
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            return Optional.empty();
        }
        return process.exitValue() == 0 ? Optional.of(output) : Optional.empty();
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback TCP port that was free a moment ago, for a program that must be told its port. */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
