package io.credence.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code serve} refuses to offer the HTTP API beyond loopback without keys, and names bad key files. */
class HttpSecurityCommandLineTest {
    record Run(int exitCode, String err) {}

    @TempDir
    Path dir;

    @Test
    void aNonLoopbackHostWithoutApiKeysIsRefusedNamingTheOption() throws Exception {
        for (String host : new String[] {"0.0.0.0", "192.0.2.10"}) {
            Run open = run("serve", "--data", dir.resolve("d").toString(), "--http-port", "0", "--diameter-port", "-1",
                    "--host", host);
            assertThat(open.exitCode()).isEqualTo(2);
            assertThat(open.err()).contains("--api-keys FILE").contains(host).contains("not a loopback address");
        }
        assertThat(Files.exists(dir.resolve("d"))).as("refused before the data directory is opened").isFalse();

        Path keys = dir.resolve("keys");
        Files.writeString(keys, "ops admin 0123\n");
        Run bad = run("serve", "--data", dir.toString(), "--http-port", "0", "--api-keys", keys.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--api-keys refused: " + keys + ":1:").contains("SHA-256");

        Files.writeString(keys, "ops superuser " + "0".repeat(64) + "\n");
        assertThat(run("serve", "--data", dir.toString(), "--api-keys", keys.toString()).err()).contains("role must be one of");

        Run tls = run("serve", "--data", dir.toString(), "--http-port", "0", "--http-tls-keystore", "x.p12");
        assertThat(tls.exitCode()).isEqualTo(2);
        assertThat(tls.err()).contains("--http-tls-keystore needs its password: --http-tls-password-file FILE or $CREDENCE_HTTP_TLS_PASSWORD");
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        PrintStream originalErr = System.err;
        ByteArrayOutputStream errStream = new ByteArrayOutputStream();
        System.setErr(new PrintStream(errStream, true, StandardCharsets.UTF_8));
        try {
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute(args);
            return new Run(code, err + errStream.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(originalErr);
        }
    }
}
