package io.credence.bench;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingEngine;
import io.credence.charging.EngineSnapshot;
import io.credence.ledger.ByteArrayDataInput;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.LedgerLimits;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long serializing the engine for a snapshot takes: loads a snapshot file, then writes it into
 * memory a few times (the first round is the cold one a server meets). The snapshot thread does this
 * from its replica beside the writer (SnapshotTaker); until issue 17 the writer did it, stopping
 * every answer meanwhile.
 *
 * <pre>  SnapshotWriteBench --file=D/snapshot-N.snap [--rounds=5] [--sessions=1000000] [--accounts=100000]</pre>
 */
public final class SnapshotWriteBench {
    private SnapshotWriteBench() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Path file = Path.of(args.string("file", ""));
        int rounds = args.intValue("rounds", 5);
        int sessions = args.intValue("sessions", 1_000_000);
        int accounts = args.intValue("accounts", 100_000);
        args.requireAllUsed();
        LedgerLimits limits = new LedgerLimits(accounts + 16, 32, sessions + 1024, 24 * 3600_000L, 4_000_000, 10_000,
                LedgerLimits.DEFAULTS.transfersRetainedMax());
        byte[] bytes = Files.readAllBytes(file);
        ChargingEngine engine = EngineSnapshot.read(new ByteArrayDataInput(bytes, 0, bytes.length - 12), limits,
                CatalogReader.NONE);
        System.out.println("# " + Environment.describe());
        for (int i = 0; i < rounds; i++) {
            long started = System.nanoTime();
            ByteArrayDataOutput out = new ByteArrayDataOutput(bytes.length + bytes.length / 8);
            EngineSnapshot.write(engine, out);
            System.out.printf("serialized %,d bytes in %.0f ms%n", out.size(), (System.nanoTime() - started) / 1e6);
        }
    }
}
