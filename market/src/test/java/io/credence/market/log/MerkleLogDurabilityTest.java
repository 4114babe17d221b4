package io.credence.market.log;

import io.credence.market.log.LogTestSupport.RecordOnDisk;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static io.credence.market.log.LogTestSupport.entries;
import static io.credence.market.log.LogTestSupport.entry;
import static io.credence.market.log.LogTestSupport.flipByte;
import static io.credence.market.log.LogTestSupport.open;
import static io.credence.market.log.LogTestSupport.records;
import static io.credence.market.log.LogTestSupport.treeOf;
import static io.credence.market.log.LogTestSupport.truncate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The log survives close and reopen unchanged, cuts a torn tail back to the last whole record,
 * and refuses to open over damage a crash cannot explain, naming the entry and the byte.
 */
class MerkleLogDurabilityTest {
    @TempDir
    Path temp;

    Path dir;

    @BeforeEach
    void logDirectory() {
        dir = temp.resolve("log");
    }

    Path file() {
        return dir.resolve("entries.log");
    }

    /** Appends 3 batches (10 + 15 + 20 = 45 entries) and returns them in leaf order. */
    List<byte[]> appendBatches(MerkleLog log) throws Exception {
        List<byte[]> all = new ArrayList<>();
        for (int batch = 0; batch < 3; batch++) {
            List<byte[]> entries = entries("batch" + batch, 10 + batch * 5);
            MerkleLog.AppendResult result = log.append(entries);
            assertThat(result).isEqualTo(new MerkleLog.Appended(all.size(), entries.size()));
            all.addAll(entries);
        }
        return all;
    }

    @Test
    void reopenedLogHasTheSameSizeRootEntriesAndProofs() throws Exception {
        List<byte[]> written;
        byte[] root;
        SignedTreeHead head;
        try (MerkleLog log = open(dir)) {
            written = appendBatches(log);
            root = log.root();
            head = log.treeHead();
        }
        try (MerkleLog log = open(dir)) {
            assertThat(log.recovery()).isEqualTo(new MerkleLog.Recovery(written.size(), 0, ""));
            assertThat(log.size()).isEqualTo(written.size());
            assertThat(log.root()).isEqualTo(root).isEqualTo(treeOf(records(file())).root());
            for (int i = 0; i < written.size(); i++) {
                assertThat(log.entry(i)).isEqualTo(written.get(i));
                assertThat(Proofs.verifyInclusion(i, head.size(), MerkleHashes.leafHash(written.get(i)),
                        log.inclusionProof(i, head.size()), head.rootHash())).isEqualTo(Proofs.VERIFIED);
            }
            assertThat(head.verify(log.publicKey())).isTrue();
            MerkleLog.Appended more = (MerkleLog.Appended) log.append(List.of(entry("after reopen")));
            assertThat(more.indexes()).containsExactly(written.size());
            SignedTreeHead later = log.treeHead();
            assertThat(log.treeHead()).as("cached per size").isSameAs(later);
            assertThat(Proofs.verifyConsistency(head.size(), later.size(), head.rootHash(), later.rootHash(),
                    log.consistencyProof(head.size(), later.size()))).isEqualTo(Proofs.VERIFIED);
        }
    }

    @Test
    void tornLastRecordIsCutBackToTheLastWholeRecord() throws Exception {
        List<byte[]> written;
        try (MerkleLog log = open(dir)) {
            written = appendBatches(log);
        }
        List<RecordOnDisk> records = records(file());
        RecordOnDisk last = records.getLast();
        for (long cut : new long[] {last.offset() + 2, last.offset() + 4, last.offset() + 9, last.end() - 1}) {
            Path copy = Files.createDirectories(temp.resolve("cut" + (cut - last.offset())));
            Files.copy(file(), copy.resolve("entries.log"));
            truncate(copy.resolve("entries.log"), cut);
            try (MerkleLog log = open(copy)) {
                assertThat(log.size()).as("cut at %d", cut).isEqualTo(written.size() - 1);
                assertThat(log.recovery().truncatedBytes()).isEqualTo(cut - last.offset());
                assertThat(log.recovery().truncatedBecause()).contains("entry " + (written.size() - 1));
                assertThat(log.root()).isEqualTo(treeOf(records.subList(0, records.size() - 1)).root());
                // the log goes on from the cut
                log.append(List.of(written.getLast()));
                assertThat(log.root()).isEqualTo(treeOf(records).root());
            }
            assertThat(Files.size(copy.resolve("entries.log"))).isEqualTo(last.end());
        }
    }

    @Test
    void trailingZerosAndAnUnwrittenChecksumAreTornTails() throws Exception {
        List<byte[]> written;
        try (MerkleLog log = open(dir)) {
            written = appendBatches(log);
        }
        long whole = Files.size(file());
        Files.write(file(), new byte[5000], StandardOpenOption.APPEND);
        try (MerkleLog log = open(dir)) {
            assertThat(log.size()).isEqualTo(written.size());
            assertThat(log.recovery().truncatedBytes()).isEqualTo(5000);
        }
        assertThat(Files.size(file())).isEqualTo(whole);

        RecordOnDisk last = records(file()).getLast();
        byte[] bytes = Files.readAllBytes(file());
        ByteBuffer.wrap(bytes).putInt((int) last.crcOffset(), 0);
        Files.write(file(), bytes);
        try (MerkleLog log = open(dir)) {
            assertThat(log.size()).isEqualTo(written.size() - 1);
            assertThat(log.recovery().truncatedBecause()).startsWith("UNWRITTEN_TAIL");
        }
    }

    @Test
    void flippedByteInTheMiddleRefusesToOpenNamingTheEntry() throws Exception {
        try (MerkleLog log = open(dir)) {
            appendBatches(log);
        }
        RecordOnDisk victim = records(file()).get(17);
        long sizeBefore = Files.size(file());
        flipByte(file(), victim.offset() + 4 + victim.length() / 2);
        assertThatThrownBy(() -> open(dir)).isInstanceOfSatisfying(LogCorruptException.class, refused -> {
            assertThat(refused.entryIndex()).isEqualTo(17);
            assertThat(refused.byteOffset()).isEqualTo(victim.offset());
            assertThat(refused).hasMessageContaining("entry 17 at byte offset " + victim.offset());
        });
        assertThat(Files.size(file())).as("nothing truncated").isEqualTo(sizeBefore);
        // the refused open released the directory
        flipByte(file(), victim.offset() + 4 + victim.length() / 2);
        try (MerkleLog log = open(dir)) {
            assertThat(log.size()).isEqualTo(45);
        }
    }

    @Test
    void damagedLengthFieldIsNotMistakenForATornTail() throws Exception {
        try (MerkleLog log = open(dir)) {
            appendBatches(log);
        }
        List<RecordOnDisk> records = records(file());
        // the second-to-last record now claims to run past the end of the file: it looks cut off,
        // but the last record, whole and valid, still follows inside those bytes
        RecordOnDisk victim = records.get(records.size() - 2);
        byte[] bytes = Files.readAllBytes(file());
        ByteBuffer.wrap(bytes).putInt((int) victim.offset(), victim.length() + 200);
        Files.write(file(), bytes);
        assertThatThrownBy(() -> open(dir)).isInstanceOfSatisfying(LogCorruptException.class,
                refused -> assertThat(refused.entryIndex()).isEqualTo(records.size() - 2));

        // an impossible length, and a zero length before non-zero data
        ByteBuffer.wrap(bytes).putInt((int) victim.offset(), 0x7fff_0000);
        Files.write(file(), bytes);
        assertThatThrownBy(() -> open(dir)).isInstanceOf(LogCorruptException.class).hasMessageContaining("LENGTH_OVER_MAX");
        ByteBuffer.wrap(bytes).putInt((int) records.get(3).offset(), 0);
        Files.write(file(), bytes);
        assertThatThrownBy(() -> open(dir)).isInstanceOfSatisfying(LogCorruptException.class,
                refused -> assertThat(refused.entryIndex()).isEqualTo(3));
    }

    @Test
    void foreignHeaderIsRefusedAndAnUnfinishedCreationStartsOver() throws Exception {
        Files.createDirectories(dir);
        Files.write(file(), new byte[] {'C', 'R', 'D'});
        try (MerkleLog log = open(dir)) {
            assertThat(log.size()).isZero();
            assertThat(log.recovery().truncatedBytes()).isEqualTo(3);
            assertThat(log.root()).isEqualTo(MerkleHashes.emptyRoot());
            log.append(List.of(entry("first")));
        }
        byte[] bytes = Files.readAllBytes(file());
        bytes[7] = 2; // version 2
        Files.write(file(), bytes);
        assertThatThrownBy(() -> open(dir)).isInstanceOfSatisfying(LogCorruptException.class,
                refused -> assertThat(refused.entryIndex()).isEqualTo(LogCorruptException.HEADER));
    }

    @Test
    void verifierNamesTheFirstEntryWithAFlippedByte() throws Exception {
        SignedTreeHead head;
        try (MerkleLog log = open(dir)) {
            appendBatches(log);
            head = log.treeHead();
        }
        LogVerifier.Report clean = LogVerifier.verify(dir, KEY_PUBLIC, head);
        assertThat(clean.ok()).isTrue();
        assertThat(clean.entries()).isEqualTo(45);
        assertThat(clean.root()).isEqualTo(head.rootHash());

        List<RecordOnDisk> records = records(file());
        byte[] pristine = Files.readAllBytes(file());
        for (int victim : new int[] {0, 9, 23, 44}) {
            RecordOnDisk record = records.get(victim);
            for (long offset : new long[] {record.offset(), record.offset() + 5, record.crcOffset() + 3}) {
                Files.write(file(), pristine);
                flipByte(file(), offset);
                LogVerifier.Report report = LogVerifier.verify(file(), KEY_PUBLIC, head);
                assertThat(report.ok()).as("byte %d flipped", offset).isFalse();
                assertThat(report.firstBadEntry()).as("byte %d flipped", offset).isEqualTo(victim);
                assertThat(report.entries()).isEqualTo(victim);
            }
        }
        Files.write(file(), pristine);
        flipByte(file(), 1);
        assertThat(LogVerifier.verify(dir, KEY_PUBLIC, head).reason()).contains("header");
    }

    @Test
    void tamperWithRecomputedCrcIsCaughtByTheSignedRoot() throws Exception {
        List<SignedTreeHead> heads = new ArrayList<>();
        try (MerkleLog log = open(dir)) {
            for (int i = 0; i < 12; i++) {
                log.append(List.of(entry("contract " + i)));
                heads.add(log.treeHead());
            }
        }
        List<RecordOnDisk> records = records(file());
        LogTestSupport.rewriteEntryKeepingCrcValid(file(), records.get(7), entry("contract X"));

        LogVerifier.Report crcOnly = LogVerifier.verify(dir);
        assertThat(crcOnly.ok()).as("well-formed file, nothing to compare with").isTrue();

        LogVerifier.Report latest = LogVerifier.verify(dir, KEY_PUBLIC, heads.getLast());
        assertThat(latest.ok()).isFalse();
        assertThat(latest.reason()).startsWith("root mismatch at size 12");
        assertThat(latest.firstBadEntry()).isEqualTo(LogVerifier.Report.UNKNOWN);

        LogVerifier.Report narrowed = LogVerifier.verify(dir, KEY_PUBLIC, heads);
        assertThat(narrowed.reason()).startsWith("root mismatch at size 8");
        assertThat(narrowed.firstBadEntry()).isEqualTo(7);

        // with the log's inclusion proofs, each entry can be checked alone against the head
        SignedTreeHead head = heads.getLast();
        try (MerkleLog honest = openCopyOfOriginal(records)) {
            for (int i = 0; i < 12; i++) {
                Proofs.Result result = LogVerifier.verifyEntry(dir, i, honest.inclusionProof(i, 12), head, KEY_PUBLIC);
                if (i == 7) {
                    assertThat(result).isInstanceOfSatisfying(Proofs.Rejected.class,
                            rejected -> assertThat(rejected.reason()).startsWith("entry 7 does not match"));
                } else {
                    assertThat(result).as("entry %d", i).isEqualTo(Proofs.VERIFIED);
                }
            }
        }

        // the log itself opens such a file (it is well formed) but its root is not the signed one
        try (MerkleLog reopened = open(dir)) {
            assertThat(reopened.root()).isNotEqualTo(head.rootHash());
        }
    }

    @Test
    void entryChangedUnderARunningLogIsRefusedOnRead() throws Exception {
        try (MerkleLog log = open(dir)) {
            appendBatches(log);
            RecordOnDisk record = records(file()).get(5);
            byte[] other = record.entry().clone();
            other[0] ^= 1;
            LogTestSupport.rewriteEntryKeepingCrcValid(file(), record, other);
            assertThatThrownBy(() -> log.entry(5)).isInstanceOfSatisfying(LogCorruptException.class,
                    refused -> assertThat(refused.entryIndex()).isEqualTo(5));
            assertThat(log.entry(6)).isEqualTo(records(file()).get(6).entry());
        }
    }

    @Test
    void forgedTreeHeadsAreRejected() throws Exception {
        SignedTreeHead head;
        try (MerkleLog log = open(dir)) {
            appendBatches(log);
            head = log.treeHead();
        }
        byte[] signature = head.signature();
        signature[10] ^= 1;
        SignedTreeHead badSignature = new SignedTreeHead(head.size(), head.timestampMillis(), head.rootHash(), signature);
        SignedTreeHead otherSize = new SignedTreeHead(head.size() - 1, head.timestampMillis(), head.rootHash(),
                head.signature());
        SignedTreeHead otherKey = SignedTreeHead.sign(LogKey.fromSeed(new byte[] {
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
                30, 31, 32}), head.size(), head.timestampMillis(), head.rootHash());
        for (SignedTreeHead forged : List.of(badSignature, otherSize, otherKey)) {
            assertThat(forged.verify(KEY_PUBLIC)).isFalse();
            LogVerifier.Report report = LogVerifier.verify(dir, KEY_PUBLIC, forged);
            assertThat(report.ok()).isFalse();
            assertThat(report.reason()).contains("signature invalid");
            assertThat(LogVerifier.verifyEntry(dir, 0, List.of(), forged, KEY_PUBLIC))
                    .isEqualTo(new Proofs.Rejected("signed tree head signature invalid"));
        }
        assertThat(LogVerifier.verify(dir, KEY_PUBLIC, head).ok()).isTrue();
        assertThat(LogVerifier.verify(dir, new byte[5], head).ok()).as("malformed key").isFalse();
    }

    @Test
    void headBeyondTheFileIsReported() throws Exception {
        SignedTreeHead head;
        try (MerkleLog log = open(dir)) {
            appendBatches(log);
            head = log.treeHead();
        }
        truncate(file(), records(file()).get(30).offset());
        LogVerifier.Report report = LogVerifier.verify(dir, KEY_PUBLIC, head);
        assertThat(report.ok()).isFalse();
        assertThat(report.firstBadEntry()).isEqualTo(30);
        assertThat(report.reason()).isEqualTo("signed tree head covers 45 entries, the file holds 30");
    }

    /**
     * Every single-bit flip anywhere in a small log: the auditor always notices and names the
     * record holding the bit (or the header); recovery refuses naming the same entry, except for
     * the one shape it cannot tell from an interrupted write: the last record's length grown past
     * the end of the file, which it cuts off and reports.
     */
    @Test
    void everySingleBitFlipIsDetectedAndNamed() throws Exception {
        SignedTreeHead head;
        try (MerkleLog log = open(dir)) {
            log.append(List.of(entry("offer"), entry("contract 17"), entry("v"), entry("validation by node 3"),
                    entry("result: 42 units"), entry("last")));
            head = log.treeHead();
        }
        byte[] pristine = Files.readAllBytes(file());
        List<RecordOnDisk> records = records(file());
        RecordOnDisk last = records.getLast();
        int truncatedInstead = 0;
        for (int bit = 0; bit < pristine.length * 8; bit++) {
            byte[] flipped = pristine.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            Files.write(file(), flipped);
            long offset = bit / 8;
            long expected = offset < 8 ? LogVerifier.Report.UNKNOWN
                    : records.stream().filter(record -> record.offset() <= offset && offset < record.end())
                            .findFirst().orElseThrow().offset();
            long expectedEntry = offset < 8 ? LogCorruptException.HEADER
                    : records.stream().map(RecordOnDisk::offset).toList().indexOf(expected);

            LogVerifier.Report report = LogVerifier.verify(dir, KEY_PUBLIC, head);
            assertThat(report.ok()).as("bit %d", bit).isFalse();
            assertThat(report.firstBadEntry()).as("bit %d: %s", bit, report.reason())
                    .isEqualTo(offset < 8 ? LogVerifier.Report.UNKNOWN : expectedEntry);
            try (MerkleLog log = open(dir)) {
                assertThat(offset).as("bit %d opened", bit).isBetween(last.offset(), last.offset() + 3);
                assertThat(log.size()).isEqualTo(records.size() - 1);
                truncatedInstead++;
            } catch (LogCorruptException refused) {
                assertThat(refused.entryIndex()).as("bit %d", bit).isEqualTo(expectedEntry);
                assertThat(refused.byteOffset()).as("bit %d", bit).isEqualTo(offset < 8 ? 0 : expected);
            }
        }
        assertThat(truncatedInstead).as("only some length-field flips of the last record").isBetween(1, 32);
    }

    static final byte[] KEY_PUBLIC = LogTestSupport.KEY.publicKey();

    /** A second, untouched log with the same entries, standing in for the live log serving proofs. */
    MerkleLog openCopyOfOriginal(List<RecordOnDisk> records) throws Exception {
        Path original = Files.createDirectories(temp.resolve("original"));
        MerkleLog log = open(original);
        for (RecordOnDisk record : records) {
            log.append(List.of(record.entry()));
        }
        return log;
    }
}
