package io.credence.server;

import io.credence.journal.JournalVerifier;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code credence ledger verify --journal DIR}: runs the journal verifier offline and prints what it found. */
final class JournalReport {
    private final CommandLine.Model.CommandSpec spec;
    private final PrintStream out;

    JournalReport(CommandLine.Model.CommandSpec spec, PrintStream out) {
        this.spec = spec;
        this.out = out;
    }

    /** @return 0 clean, {@link Main#EXIT_REFUSED} (1) damaged; usage errors are thrown (2) */
    int verify(Path dir, boolean marketOptionsGiven, long readMibPerSecond) {
        if (marketOptionsGiven) {
            refuse("--public-key and --tree-head go with --log (the market's log), not --journal");
        }
        if (readMibPerSecond < 0 || readMibPerSecond > Long.MAX_VALUE >> 20) {
            refuse("--read-mib-per-second must be >= 0 (0 = no bound), was " + readMibPerSecond);
        }
        if (!Files.isDirectory(dir)) {
            refuse("--journal: " + dir + " is not a directory");
        }
        JournalVerifier.Report report;
        try {
            report = JournalVerifier.verify(dir.toAbsolutePath(), JournalVerifier.Scope.ALL,
                    readMibPerSecond == 0 ? Long.MAX_VALUE : readMibPerSecond << 20);
        } catch (IOException unreadable) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--journal: cannot read " + dir + ": "
                    + unreadable.getMessage());
        }
        if (report.files().isEmpty()) {
            // most likely the wrong directory; "clean" would reassure about nothing
            refuse("--journal: " + dir + " holds no journal segments or snapshots (journal-*.log, snapshot-*.snap); "
                    + "give the --data directory of credence serve");
        }
        out.printf("journal %s (read only; nothing locked or changed):%n", dir.toAbsolutePath());
        for (JournalVerifier.Checked file : report.files()) {
            out.printf("  %-8s %-36s %,14d bytes  %s%n", file.damaged() ? "DAMAGED" : "ok", file.file().getFileName(),
                    file.bytes(), file.outcome());
        }
        for (String note : report.notes()) {
            out.println("note: " + note);
        }
        for (JournalVerifier.Damage damage : report.damage()) {
            out.println("DAMAGE: " + damage.describe());
        }
        if (report.clean()) {
            out.println("OK: " + report.summary());
            return 0;
        }
        long blocking = report.damage().stream().filter(JournalVerifier.Damage::blocksStartUp).count();
        out.println("BAD: " + report.summary() + (blocking > 0 ? "; the next start-up would refuse (" + blocking
                + " of them); restore the named files from a backup before restarting"
                : "; the next start-up does not need them while the newest snapshot is intact; back up the data "
                + "directory; the next snapshots retire them (a segment with one newer snapshot, a snapshot with two)"));
        return Main.EXIT_REFUSED;
    }

    private void refuse(String why) {
        throw new CommandLine.ParameterException(spec.commandLine(), why);
    }
}
