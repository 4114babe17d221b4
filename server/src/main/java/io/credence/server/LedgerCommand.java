package io.credence.server;

import io.credence.market.log.LogVerifier;
import io.credence.market.log.SignedTreeHead;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code credence ledger verify}: checks a copy of the market's contract log offline. */
@Command(name = "ledger", mixinStandardHelpOptions = true, description = "The market's contract log (Merkle log).",
        subcommands = LedgerCommand.Verify.class)
final class LedgerCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Re-reads every record, checks its CRC, recomputes the Merkle tree and, given the log's
     * public key and a signed tree head (as {@code GET /v1/market/log} answers it), checks the
     * head's signature and that its root is the root of the copy at its size. Names the first bad
     * entry when the evidence pins it down. No server needed.
     */
    @Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Verify a copy of the contract log offline; exit 0 when it verifies, 1 when not.")
    static final class Verify implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--log", required = true, paramLabel = "PATH",
                description = "the log file (entries.log) or its directory (<data>/market)")
        Path log;

        @Option(names = "--public-key", paramLabel = "BASE64", description = "the log's Ed25519 public key")
        String publicKey;

        @Option(names = "--tree-head", paramLabel = "SIZE:TIMESTAMP:ROOT:SIGNATURE",
                description = "a signed tree head to check the copy against: size, timestamp in epoch ms, root hash "
                        + "and signature (base64), as GET /v1/market/log answers them")
        String treeHead;

        private final PrintStream out = System.out;

        @Override
        public Integer call() throws IOException {
            if (!Files.exists(log)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--log: " + log + " does not exist");
            }
            if ((publicKey == null) != (treeHead == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--public-key and --tree-head go together: the head is checked with the key");
            }
            LogVerifier.Report report = publicKey == null ? LogVerifier.verify(log)
                    : LogVerifier.verify(log, decode("--public-key", publicKey), List.of(head()));
            if (report.ok()) {
                out.printf("OK: %,d entries, root %s%s%n", report.entries(),
                        Base64.getEncoder().encodeToString(report.root()),
                        treeHead == null ? "" : ", signed tree head verified");
                return 0;
            }
            out.printf("BAD: %s%s%n", report.reason(), report.firstBadEntry() == LogVerifier.Report.UNKNOWN ? ""
                    : " (first bad entry: " + report.firstBadEntry() + ")");
            return Main.EXIT_REFUSED;
        }

        private SignedTreeHead head() {
            String[] parts = treeHead.split(":");
            if (parts.length != 4) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--tree-head must be SIZE:TIMESTAMP:ROOT:SIGNATURE, was '" + treeHead + "'");
            }
            try {
                return new SignedTreeHead(Long.parseLong(parts[0]), Long.parseLong(parts[1]),
                        decode("--tree-head root", parts[2]), decode("--tree-head signature", parts[3]));
            } catch (IllegalArgumentException bad) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tree-head: " + bad.getMessage());
            }
        }

        private byte[] decode(String option, String base64) {
            try {
                return Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException bad) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " is not base64: " + bad.getMessage());
            }
        }
    }
}
