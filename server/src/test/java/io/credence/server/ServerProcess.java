package io.credence.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code credence serve} as a real child process, started from the shaded jar the build produced. */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern DIAMETER = Pattern.compile("diameter on 127\\.0\\.0\\.1:(\\d+)");

    final Process process;
    public final int port;
    /** The Diameter port; every server started here listens on one (a free port). */
    final int diameterPort;
    /** What the server printed (start-up lines, then the rest as it comes; the last 1,000 lines at most). */
    public final List<String> stdout = java.util.Collections.synchronizedList(new ArrayList<>());
    private static final int STDOUT_LINES_MAX = 1_000;

    private ServerProcess(Process process, int port, int diameterPort, List<String> stdout) {
        this.process = process;
        this.port = port;
        this.diameterPort = diameterPort;
        this.stdout.addAll(stdout);
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("basedir", ".")).resolve("target/credence.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: crash tests run after `package` (mvn verify)");
        }
        return jar;
    }

    public static ServerProcess start(Path dataDir, Path log, String... extraArgs) throws IOException {
        return start(List.of(), dataDir, log, extraArgs);
    }

    /** With JVM options before {@code -jar} (a cluster node's own hosts file, say). */
    static ServerProcess start(List<String> jvmOptions, Path dataDir, Path log, String... extraArgs) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString(), "serve",
                "--data", dataDir.toString(), "--http-port", "0", "--diameter-port", "0"));
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        int httpPort = -1;
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            lines.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                httpPort = Integer.parseInt(m.group(1));
            }
            Matcher d = DIAMETER.matcher(line);
            if (d.find() && httpPort > 0) { // printed after the HTTP line
                ServerProcess started = new ServerProcess(process, httpPort, Integer.parseInt(d.group(1)), lines);
                Thread drain = new Thread(() -> out.lines().forEach(l -> {
                    started.stdout.add(l);
                    if (started.stdout.size() > STDOUT_LINES_MAX) {
                        started.stdout.remove(0);
                    }
                }), "drain-stdout");
                drain.setDaemon(true);
                drain.start();
                return started;
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("server did not start; stdout: " + lines + "; stderr in " + log + ":\n"
                + (Files.exists(log) ? Files.readString(log) : ""));
    }

    /** SIGKILL: no shutdown hook, no final snapshot, nothing flushed that was not already written. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the shutdown hook answers what is queued and writes a snapshot. */
    public void stop() throws InterruptedException {
        // the handle's SIGTERM, not Process.destroy(): that also closes our end of the pipe, and the
        // lines the server prints while it stops would be lost
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); // the drain thread reads the last lines
        while (System.nanoTime() < deadline && !printed("stopped")) {
            Thread.sleep(20);
        }
    }

    private boolean printed(String ending) {
        synchronized (stdout) {
            return stdout.stream().anyMatch(l -> l.endsWith(ending));
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
