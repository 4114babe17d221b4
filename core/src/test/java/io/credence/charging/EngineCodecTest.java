package io.credence.charging;

import io.credence.ledger.AccountKind;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.Command;
import io.credence.ledger.CommandCodec;
import io.credence.ledger.Ids;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Engine commands as journal records: each kind reads back equal; invalid records are refused by name. */
class EngineCodecTest {
    private static final DeviceTerms TERMS = new DeviceTerms(1_000, 4_000, 60_000, new ServiceRef(10, 7),
            Ids.SYSTEM_ACCOUNT);

    private static EngineCommand roundTrip(EngineCommand command) throws IOException {
        byte[] encoded = EngineCodec.encode(command);
        return EngineCodec.read(encoded, 0, encoded.length);
    }

    /** The record placed at {@code offset} in a larger buffer, with junk before and after it. */
    private static EngineCommand readAt(byte[] record, int offset) throws IOException {
        byte[] buffer = new byte[offset + record.length + 5];
        Arrays.fill(buffer, (byte) 0x7F);
        System.arraycopy(record, 0, buffer, offset, record.length);
        return EngineCodec.read(buffer, offset, record.length);
    }

    @Test
    void deviceCommandsReadBackEqual() throws IOException {
        EngineCommand grant = new EngineCommand.DeviceGrant("sim-1", "alice", 2_500, TERMS);
        assertThat(roundTrip(grant)).isEqualTo(grant);
        EngineCommand reports = new EngineCommand.DeviceReports("sim-1", "alice", "dev-9", List.of(
                new DeviceAnswers.Report(1, 300, false), new DeviceAnswers.Report(2, 0, true)), TERMS);
        assertThat(roundTrip(reports)).isEqualTo(reports);
        DeviceDirectory.TokenDigest token = new DeviceDirectory.TokenDigest(DeviceDirectoryTest.digest("token"));
        EngineCommand byToken = new EngineCommand.DeviceGrantByToken("sim-1", token, 2_500, TERMS);
        assertThat(roundTrip(byToken)).isEqualTo(byToken);
        EngineCommand reportsByToken = new EngineCommand.DeviceReportsByToken("sim-1", token, List.of(
                new DeviceAnswers.Report(1, 300, false)), TERMS);
        assertThat(roundTrip(reportsByToken)).isEqualTo(reportsByToken);
    }

    @Test
    void aRecordIsReadAtItsOffsetInALargerBuffer() throws IOException {
        EngineCommand grant = new EngineCommand.DeviceGrant("sim-1", "alice", 0, TERMS);
        assertThat(readAt(EngineCodec.encode(grant), 3)).isEqualTo(grant);
        EngineCommand ledger = new EngineCommand.LedgerCommand(new Command("req-1",
                new Operation.CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of(Unit.BYTES, 5L))));
        assertThat(readAt(EngineCodec.encode(ledger), 7)).isEqualTo(ledger);
    }

    @Test
    void installCatalogKeepsItsSource() throws IOException {
        byte[] source = "catalog: {}".getBytes();
        EngineCommand.InstallCatalog read = (EngineCommand.InstallCatalog) roundTrip(
                new EngineCommand.InstallCatalog(source));
        assertThat(read.source()).isEqualTo(source);
        byte[] largest = new byte[EngineCommand.InstallCatalog.SOURCE_BYTES_MAX];
        largest[largest.length - 1] = 42;
        assertThat(((EngineCommand.InstallCatalog) roundTrip(new EngineCommand.InstallCatalog(largest))).source())
                .isEqualTo(largest);
    }

    private static byte[] catalogOfDeclaredSize(int size, int actual) {
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        out.writeUTF("");
        out.writeByte(EngineCodec.INSTALL_CATALOG);
        out.writeInt(size);
        out.write(new byte[actual]);
        return Arrays.copyOf(out.array(), out.size());
    }

    @Test
    void aCatalogOfNoBytesOrOverTheMaximumIsRefused() {
        byte[] empty = catalogOfDeclaredSize(0, 0);
        assertThatThrownBy(() -> EngineCodec.read(empty, 0, empty.length)).isInstanceOf(IOException.class)
                .hasMessage("catalog of 0 bytes");
        byte[] over = catalogOfDeclaredSize(EngineCommand.InstallCatalog.SOURCE_BYTES_MAX + 1, 0);
        assertThatThrownBy(() -> EngineCodec.read(over, 0, over.length)).isInstanceOf(IOException.class)
                .hasMessage("catalog of " + (EngineCommand.InstallCatalog.SOURCE_BYTES_MAX + 1) + " bytes");
        byte[] negative = catalogOfDeclaredSize(-1, 0);
        assertThatThrownBy(() -> EngineCodec.read(negative, 0, negative.length)).isInstanceOf(IOException.class)
                .hasMessage("catalog of -1 bytes");
    }

    private static byte[] reportsOfCount(int count) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        out.writeUTF("");
        out.writeByte(EngineCodec.DEVICE_REPORTS);
        out.writeUTF("sim-1");
        out.writeUTF("alice");
        out.writeUTF("dev-1");
        EngineCodec.writeTerms(out, TERMS);
        out.writeShort(count);
        for (int i = 1; i <= count; i++) {
            out.writeLong(i);
            out.writeLong(10);
            out.writeBoolean(false);
        }
        return Arrays.copyOf(out.array(), out.size());
    }

    @Test
    void aReportCountOfZeroOrOverTheMaximumIsRefused() throws IOException {
        byte[] none = reportsOfCount(0);
        assertThatThrownBy(() -> EngineCodec.read(none, 0, none.length)).isInstanceOf(IOException.class)
                .hasMessage("0 device reports in one command");
        int max = EngineCommand.DeviceReports.REPORTS_MAX;
        byte[] over = reportsOfCount(max + 1);
        assertThatThrownBy(() -> EngineCodec.read(over, 0, over.length)).isInstanceOf(IOException.class)
                .hasMessage((max + 1) + " device reports in one command");
        byte[] most = reportsOfCount(max);
        assertThat(((EngineCommand.DeviceReports) EngineCodec.read(most, 0, most.length)).reports()).hasSize(max);
        byte[] one = reportsOfCount(1);
        assertThat(((EngineCommand.DeviceReports) EngineCodec.read(one, 0, one.length)).reports())
                .containsExactly(new DeviceAnswers.Report(1, 10, false));
    }

    @Test
    void anUnknownTagOrInvalidFieldsOrTrailingBytesAreRefused() throws IOException {
        byte[] unknown = {0, 0, 77};
        assertThatThrownBy(() -> EngineCodec.read(unknown, 0, unknown.length)).isInstanceOf(IOException.class)
                .hasMessage("unknown engine command tag 77");

        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        out.writeUTF("");
        out.writeByte(EngineCodec.DEVICE_GRANT);
        out.writeUTF("sim-1");
        out.writeUTF("alice");
        out.writeLong(-1);
        EngineCodec.writeTerms(out, TERMS);
        byte[] negative = Arrays.copyOf(out.array(), out.size());
        assertThatThrownBy(() -> EngineCodec.read(negative, 0, negative.length)).isInstanceOf(IOException.class)
                .hasMessage("invalid engine command: askedBytes must be >= 0");

        byte[] valid = EngineCodec.encode(new EngineCommand.CancelShare("s1", "sim-1"));
        byte[] trailing = Arrays.copyOf(valid, valid.length + 2);
        assertThatThrownBy(() -> EngineCodec.read(trailing, 0, trailing.length)).isInstanceOf(IOException.class)
                .hasMessage("2 bytes after the command");

        byte[] shortRecord = {0, 5, 'a', 'b'};
        assertThatThrownBy(() -> EngineCodec.read(shortRecord, 0, shortRecord.length)).isInstanceOf(IOException.class)
                .hasMessage("record too short for its request id");
    }

    @Test
    void aLedgerCommandsFingerprintIsItsOperationsAndAnEngineCommandHasNone() {
        byte[] ledger = EngineCodec.encode(new EngineCommand.LedgerCommand(new Command("req-1",
                new Operation.TopUp(Ids.SYSTEM_ACCOUNT, "alice", Unit.BYTES, 100, null))));
        int operation = 2 + "req-1".length();
        long expected = CommandCodec.fingerprint(ledger, operation, ledger.length - operation);
        assertThat(expected).isNotZero();
        assertThat(EngineCodec.ledgerFingerprint(ledger, 0, ledger.length)).isEqualTo(expected);

        byte[] buffer = new byte[ledger.length + 9];
        Arrays.fill(buffer, (byte) 0x41);
        System.arraycopy(ledger, 0, buffer, 4, ledger.length);
        assertThat(EngineCodec.ledgerFingerprint(buffer, 4, ledger.length)).isEqualTo(expected);

        byte[] other = EngineCodec.encode(new EngineCommand.LedgerCommand(new Command("req-1",
                new Operation.TopUp(Ids.SYSTEM_ACCOUNT, "alice", Unit.BYTES, 101, null))));
        assertThat(EngineCodec.ledgerFingerprint(other, 0, other.length)).isNotEqualTo(expected);

        byte[] engine = EngineCodec.encode(new EngineCommand.CancelShare("s1", "sim-1"));
        assertThat(EngineCodec.ledgerFingerprint(engine, 0, engine.length)).isZero();
        byte[] shortRecord = {0, 5, 'a', 'b', 'c', 'd', 'e'};
        assertThat(EngineCodec.ledgerFingerprint(shortRecord, 0, shortRecord.length)).isZero();
    }
}
