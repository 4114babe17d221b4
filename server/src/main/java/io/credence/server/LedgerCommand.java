package io.credence.server;

import io.credence.journal.JournalVerifier;
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

/**
 * {@code credence ledger verify}: checks a copy of the market's contract log, or the charging
 * ledger's journal in a data directory, offline.
 */
@Command(name = "ledger", mixinStandardHelpOptions = true,
        description = "Offline checks of the market's contract log (Merkle log) and of the ledger's journal.",
        subcommands = LedgerCommand.Verify.class)
final class LedgerCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * {@code --log}: re-reads every record, checks its CRC, recomputes the Merkle tree and, given
     * the log's public key and a signed tree head (as {@code GET /v1/market/log} answers it),
     * checks the head's signature and that its root is the root of the copy at its size. Names
     * the first bad entry when the evidence pins it down. No server needed.
     *
     * <p>{@code --journal}: reads every journal segment and snapshot of a data directory
     * ({@link JournalVerifier}), including those start-up skips, and names each damaged place by
     * file and byte offset. It only reads: it takes no LOCK and changes nothing, so it may run
     * beside the server on the same directory (the segment being written may then show a torn
     * tail, which is a note, not damage).
     */
    @Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Verify the market's contract log (--log) or a data directory's journal (--journal) offline.",
                    "Exit 0 when it verifies, 1 when damaged, 2 on a usage error."})
    static final class Verify implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--log", paramLabel = "PATH",
                description = "the market's contract log: the log file (entries.log) or its directory (<data>/market)")
        Path log;

        @Option(names = "--journal", paramLabel = "DIR",
                description = "a data directory (serve --data): every journal segment and snapshot in it; read-only, "
                        + "takes no lock, so it may run while the server does")
        Path journal;

        @Option(names = "--read-mib-per-second", paramLabel = "N", defaultValue = "0",
                description = "with --journal: bound the read rate, to spare a live server's disk (0 = no bound, "
                        + "the default)")
        long readMibPerSecond;

        @Option(names = "--public-key", paramLabel = "BASE64", description = "the log's Ed25519 public key")
        String publicKey;

        @Option(names = "--tree-head", paramLabel = "SIZE:TIMESTAMP:ROOT:SIGNATURE",
                description = "a signed tree head to check the copy against: size, timestamp in epoch ms, root hash "
                        + "and signature (base64), as GET /v1/market/log answers them")
        String treeHead;

        private final PrintStream out = System.out;

        @Override
        public Integer call() throws IOException {
            if ((log == null) == (journal == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give one of --log PATH (the market's contract log) or --journal DIR (the ledger's journal)");
            }
            if (journal != null) {
                return new JournalReport(spec, out).verify(journal, publicKey != null || treeHead != null,
                        readMibPerSecond);
            }
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
