package io.credence.ledger;

import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.Transfer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ids that name a resource in a URL path: a new id that a path normaliser would rewrite is
 * refused with a reason, while what an older ledger accepted still decodes and replays.
 */
class IdsTest {
    @Test
    void anIdThatAPathNormaliserWouldRewriteIsRefusedWithTheReason() {
        for (String id : List.of(".", "..")) {
            // what a normalising client does to /v1/accounts/{id}: the id is gone
            assertThat(URI.create("http://h/v1/accounts/" + id).normalize().getPath()).doesNotEndWith("/" + id);
            assertThat(Ids.pathSegmentProblem(id)).contains("must not be '" + id + "'").contains("normalisers");
            assertThat(Ids.accountIdProblem(id)).contains("must not be '" + id + "'");
        }
        assertThat(Ids.pathSegmentProblem("")).contains("must not be empty");
        assertThat(Ids.pathSegmentProblem(null)).contains("must not be empty");
        for (String id : List.of("...", ".a", "a.", "a..b", "alice", "op.1@x:y_z-0")) {
            assertThat(URI.create("http://h/v1/accounts/" + id).normalize().getPath()).endsWith("/" + id);
            assertThat(Ids.pathSegmentProblem(id)).as(id).isNull();
            assertThat(Ids.accountIdProblem(id)).as(id).isNull();
        }
        assertThat(Ids.accountIdProblem("a/b")).contains("found '/'");
    }

    @Test
    void accountsAnOlderLedgerAcceptedStillDecodeAndReplay() throws Exception {
        assertThat(Ids.storedAccountIdProblem("..")).isNull();
        Command old = new Command("r-1", new CreateAccount("..", AccountKind.SUBSCRIBER, Map.of()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CommandCodec.write(new DataOutputStream(bytes), old);
        Command read = CommandCodec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(read).isEqualTo(old);

        Ledger ledger = new Ledger(LedgerLimits.DEFAULTS);
        assertThat(ledger.apply(read, 1).accepted()).isTrue();
        assertThat(ledger.apply(new Command("r-2", new Transfer(Ids.SYSTEM_ACCOUNT, "..", Unit.MONEY, 5,
                ServiceRef.ANY)), 2).accepted()).isTrue();
        assertThat(ledger.account("..")).isPresent();
    }
}
