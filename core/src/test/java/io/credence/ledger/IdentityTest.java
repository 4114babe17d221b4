package io.credence.ledger;

import io.credence.ledger.Operation.BindIdentity;
import io.credence.ledger.Operation.UnbindIdentity;
import io.credence.ledger.Outcome.IdentityBound;
import io.credence.ledger.Outcome.IdentityUnbound;
import io.credence.ledger.Rejection.AccountNotActive;
import io.credence.ledger.Rejection.DuplicateRequest;
import io.credence.ledger.Rejection.IdentityTaken;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.UnknownAccount;
import io.credence.ledger.Rejection.UnknownIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static io.credence.ledger.IdentityType.E164;
import static io.credence.ledger.IdentityType.IMSI;
import static io.credence.ledger.IdentityType.NAI;
import static io.credence.ledger.IdentityType.PRIVATE;
import static io.credence.ledger.IdentityType.SIP_URI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Subscriber identities (Diameter Subscription-Id) bound to accounts: one account per identity, durably. */
class IdentityTest {
    static final String MSISDN = "491701234567";
    static final String IMSI_1 = "262011234567890";
    static final String SIP = "sip:+491701234567@ims.example.com;user=phone";

    final LedgerStory story = new LedgerStory();

    IdentityTest() {
        story.subscriber("alice").subscriber("bob");
    }

    Outcome bind(IdentityType type, String value, String accountId) {
        return story.submit(new BindIdentity(type, value, accountId));
    }

    Outcome unbind(IdentityType type, String value) {
        return story.submit(new UnbindIdentity(type, value));
    }

    @Test
    void theTypesAreTheSubscriptionIdTypeValuesOfRfc4006() {
        assertThat(List.of(IdentityType.values())).containsExactly(E164, IMSI, SIP_URI, NAI, PRIVATE);
        for (int value = 0; value <= 4; value++) {
            assertThat(IdentityType.ofSubscriptionIdType(value).subscriptionIdType()).isEqualTo(value);
        }
        assertThat(IdentityType.ofSubscriptionIdType(0)).isEqualTo(E164);     // END_USER_E164
        assertThat(IdentityType.ofSubscriptionIdType(1)).isEqualTo(IMSI);     // END_USER_IMSI
        assertThat(IdentityType.ofSubscriptionIdType(2)).isEqualTo(SIP_URI);  // END_USER_SIP_URI
        assertThat(IdentityType.ofSubscriptionIdType(3)).isEqualTo(NAI);      // END_USER_NAI
        assertThat(IdentityType.ofSubscriptionIdType(4)).isEqualTo(PRIVATE);  // END_USER_PRIVATE
        assertThat(IdentityType.ofSubscriptionIdType(5)).isNull();
        assertThat(IdentityType.ofSubscriptionIdType(-1)).isNull();
        assertThat(IdentityType.ofSubscriptionIdType(Integer.MAX_VALUE)).isNull();
    }

    @Test
    void aSubscribersIdentitiesLeadToItsAccountUntilUnbound() {
        assertThat(bind(E164, MSISDN, "alice")).isEqualTo(new IdentityBound(E164, MSISDN, "alice"));
        assertThat(bind(IMSI, IMSI_1, "alice")).isEqualTo(new IdentityBound(IMSI, IMSI_1, "alice"));
        assertThat(bind(SIP_URI, SIP, "alice")).isEqualTo(new IdentityBound(SIP_URI, SIP, "alice"));
        assertThat(bind(NAI, "bob@example.com", "bob")).isEqualTo(new IdentityBound(NAI, "bob@example.com", "bob"));
        assertThat(bind(PRIVATE, "contract/42", "bob")).isEqualTo(new IdentityBound(PRIVATE, "contract/42", "bob"));

        assertThat(story.ledger.accountForIdentity(E164, MSISDN)).contains("alice");
        assertThat(story.ledger.accountForIdentity(SIP_URI, SIP)).contains("alice");
        assertThat(story.ledger.accountForIdentity(NAI, "bob@example.com")).contains("bob");
        assertThat(story.ledger.identitiesOf("alice")).as("in the order they were bound").containsExactly(
                new SubscriberIdentity(E164, MSISDN), new SubscriberIdentity(IMSI, IMSI_1),
                new SubscriberIdentity(SIP_URI, SIP));
        assertThat(story.ledger.identityCount()).isEqualTo(5);

        assertThat(unbind(IMSI, IMSI_1)).isEqualTo(new IdentityUnbound(IMSI, IMSI_1, "alice"));

        assertThat(story.ledger.accountForIdentity(IMSI, IMSI_1)).isEmpty();
        assertThat(story.ledger.identitiesOf("alice")).containsExactly(
                new SubscriberIdentity(E164, MSISDN), new SubscriberIdentity(SIP_URI, SIP));
        assertThat(story.ledger.identityCount()).isEqualTo(4);
        assertThat(bind(IMSI, IMSI_1, "bob")).as("a freed identity may go elsewhere")
                .isEqualTo(new IdentityBound(IMSI, IMSI_1, "bob"));
    }

    @Test
    void valuesMatchExactlyAndTheTypeIsPartOfTheIdentity() {
        bind(E164, "12345", "alice");

        assertThat(bind(IMSI, "12345", "bob")).isEqualTo(new IdentityBound(IMSI, "12345", "bob"));
        assertThat(story.ledger.accountForIdentity(E164, "12345")).contains("alice");
        assertThat(story.ledger.accountForIdentity(IMSI, "12345")).contains("bob");
        bind(SIP_URI, "sip:alice@example.com", "alice");
        assertThat(story.ledger.accountForIdentity(SIP_URI, "sip:Alice@example.com")).isEmpty();
        assertThat(story.ledger.accountForIdentity(SIP_URI, "sip:alice@example.com ")).as("malformed: no answer, no throw")
                .isEmpty();
        assertThat(story.ledger.accountForIdentity(null, "12345")).isEmpty();
        assertThat(story.ledger.identitiesOf("ghost")).isEmpty();
    }

    @Test
    void anIdentityBoundToAnotherAccountIsTakenAndNothingChanges() {
        bind(E164, MSISDN, "alice");
        Object before = story.everything();

        assertThat(bind(E164, MSISDN, "bob")).isEqualTo(new IdentityTaken(E164, MSISDN, "alice"));

        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.ledger.accountForIdentity(E164, MSISDN)).contains("alice");
        assertThat(story.ledger.identitiesOf("bob")).isEmpty();
    }

    @Test
    void bindingToTheSameAccountAgainIsAcceptedAndChangesNothing() {
        bind(E164, MSISDN, "alice");
        bind(IMSI, IMSI_1, "alice");
        Object before = story.everything();

        assertThat(bind(E164, MSISDN, "alice")).as("a new request id, the same binding")
                .isEqualTo(new IdentityBound(E164, MSISDN, "alice"));

        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.ledger.identitiesOf("alice")).hasSize(2);
    }

    @Test
    void anUnknownAccountOrIdentityIsNamedAndNothingChanges() {
        bind(E164, MSISDN, "alice");
        Object before = story.everything();

        assertThat(bind(IMSI, IMSI_1, "ghost")).isEqualTo(new UnknownAccount("ghost"));
        assertThat(unbind(IMSI, IMSI_1)).isEqualTo(new UnknownIdentity(IMSI, IMSI_1));
        assertThat(unbind(IMSI, MSISDN)).as("the same digits as another type").isEqualTo(new UnknownIdentity(IMSI, MSISDN));

        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.ledger.accountForIdentity(IMSI, IMSI_1)).isEmpty();
    }

    @Test
    void aClosedAccountTakesNoNewIdentitiesButKeepsItsOwnUntilTheyAreUnbound() {
        bind(E164, MSISDN, "alice");
        story.status("bob", AccountStatus.SUSPENDED);
        assertThat(bind(IMSI, IMSI_1, "bob")).as("provisioning before activation")
                .isEqualTo(new IdentityBound(IMSI, IMSI_1, "bob"));
        story.status("alice", AccountStatus.CLOSED);
        Object before = story.everything();

        assertThat(bind(SIP_URI, SIP, "alice")).isEqualTo(new AccountNotActive("alice", AccountStatus.CLOSED));
        assertThat(bind(E164, MSISDN, "alice")).as("not even again").isEqualTo(new AccountNotActive("alice", AccountStatus.CLOSED));
        assertThat(story.everything()).isEqualTo(before);

        // A closed account's number is not handed on by accident: it stays bound until unbound.
        assertThat(story.ledger.accountForIdentity(E164, MSISDN)).contains("alice");
        assertThat(bind(E164, MSISDN, "bob")).isEqualTo(new IdentityTaken(E164, MSISDN, "alice"));
        assertThat(unbind(E164, MSISDN)).isEqualTo(new IdentityUnbound(E164, MSISDN, "alice"));
        assertThat(bind(E164, MSISDN, "bob")).isEqualTo(new IdentityBound(E164, MSISDN, "bob"));
    }

    @Test
    void identitiesMaxBoundsTheWholeLedgerAndAFreedSlotCanBeReused() {
        LedgerLimits d = LedgerLimits.DEFAULTS;
        LedgerStory small = new LedgerStory(new LedgerLimits(10, 32, 10, 60_000, 100, 60_000, 100, 2));
        small.subscriber("alice").subscriber("bob");
        small.submit(new BindIdentity(E164, "1", "alice"));
        small.submit(new BindIdentity(E164, "2", "bob"));
        Object before = small.everything();

        assertThat(small.submit(new BindIdentity(E164, "3", "bob"))).isEqualTo(new LimitExceeded("identitiesMax", 2));
        assertThat(small.submit(new BindIdentity(E164, "2", "bob"))).as("an existing binding needs no room")
                .isEqualTo(new IdentityBound(E164, "2", "bob"));
        assertThat(small.everything()).isEqualTo(before);

        small.submit(new UnbindIdentity(E164, "1"));
        assertThat(small.submit(new BindIdentity(E164, "3", "bob"))).isEqualTo(new IdentityBound(E164, "3", "bob"));
        assertThat(d.identitiesMax()).as("default: four per account").isEqualTo(4 * d.accountsMax());
        assertThatThrownBy(() -> new LedgerLimits(10, 32, 10, 60_000, 100, 60_000, 100, 0))
                .hasMessageContaining("identitiesMax");
    }

    @Test
    void aRetryGetsTheFirstAnswerEvenAfterTheStateMovedOn() {
        Outcome first = story.submit("bind-1", new BindIdentity(E164, MSISDN, "alice"));
        Outcome firstUnbind = story.submit("unbind-1", new UnbindIdentity(E164, MSISDN));
        Outcome taken = story.submit("bind-2", new BindIdentity(IMSI, IMSI_1, "bob"));
        story.submit(new BindIdentity(IMSI, IMSI_1, "alice"));
        Object before = story.everything();

        assertThat(story.submit("bind-1", new BindIdentity(E164, MSISDN, "alice"))).isEqualTo(first);
        assertThat(story.submit("unbind-1", new UnbindIdentity(E164, MSISDN))).isEqualTo(firstUnbind)
                .isEqualTo(new IdentityUnbound(E164, MSISDN, "alice"));
        assertThat(story.submit("bind-2", new BindIdentity(IMSI, IMSI_1, "bob"))).isEqualTo(taken)
                .isEqualTo(new IdentityBound(IMSI, IMSI_1, "bob"));
        assertThat(story.submit("bind-1", new BindIdentity(E164, MSISDN, "bob")))
                .isEqualTo(new DuplicateRequest("bind-1"));
        assertThat(story.submit("bind-1", new UnbindIdentity(E164, MSISDN))).isEqualTo(new DuplicateRequest("bind-1"));

        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.ledger.accountForIdentity(E164, MSISDN)).isEmpty();
    }

    @ParameterizedTest(name = "{0} ''{1}'' -> {2}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            E164    | +491701234567      | value
            E164    | 49 170 1234567     | value
            E164    | 4917012345678901   | value
            E164    | ''                 | value
            E164    | null               | value
            IMSI    | 2620               | value
            IMSI    | 2620112345678901   | value
            IMSI    | 26201x             | value
            SIP_URI | 'sip:alice@example.com ' | value
            SIP_URI | sip:alicé@example.com | value
            NAI     | 'user@realm\t'     | value
            null    | 491701234567       | type
            """)
    void aMalformedIdentityIsRefusedByTheRecordNamingTheField(String type, String value, String field) {
        IdentityType parsed = type == null ? null : IdentityType.valueOf(type);

        assertThatThrownBy(() -> new BindIdentity(parsed, value, "alice")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(?s)" + field + "[: ].*");
        assertThatThrownBy(() -> new UnbindIdentity(parsed, value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(?s)" + field + "[: ].*");
        assertThatThrownBy(() -> new SubscriberIdentity(parsed, value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(?s)" + field + "[: ].*");
    }

    @Test
    void theShapesAtTheEdgesOfTheRulesAreAccepted() {
        String longest = "sip:" + "a".repeat(IdentityType.VALUE_LENGTH_MAX - 4);
        new BindIdentity(E164, "1", "alice");
        new BindIdentity(E164, "123456789012345", "alice");
        new BindIdentity(IMSI, "12345", "alice");
        new BindIdentity(IMSI, "123456789012345", "alice");
        new BindIdentity(SIP_URI, longest, "alice");
        new BindIdentity(PRIVATE, "!~\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}", "alice");

        assertThatThrownBy(() -> new BindIdentity(SIP_URI, longest + "a", "alice")).hasMessageContaining("128");
        assertThatThrownBy(() -> new BindIdentity(E164, "1", "bad id")).hasMessageStartingWith("accountId");
        assertThat(bind(SIP_URI, longest, "alice")).isEqualTo(new IdentityBound(SIP_URI, longest, "alice"));
    }

    @Test
    void identitiesSurviveASnapshotInTheOrderTheyWereBound() throws IOException {
        bind(E164, MSISDN, "alice");
        bind(SIP_URI, SIP, "alice");
        bind(IMSI, IMSI_1, "alice");
        bind(NAI, "bob@example.com", "bob");
        unbind(SIP_URI, SIP);
        Outcome retried = story.submit("bind-nai", new BindIdentity(NAI, "carol@example.com", "bob"));
        story.status("bob", AccountStatus.CLOSED);
        byte[] bytes = LedgerSnapshotTest.write(story.ledger);

        Ledger restored = LedgerSnapshotTest.read(bytes, LedgerLimits.DEFAULTS);

        for (String account : List.of("system", "alice", "bob", "ghost")) {
            assertThat(restored.identitiesOf(account)).isEqualTo(story.ledger.identitiesOf(account));
        }
        assertThat(restored.identitiesOf("alice")).containsExactly(new SubscriberIdentity(E164, MSISDN),
                new SubscriberIdentity(IMSI, IMSI_1));
        assertThat(restored.identityCount()).isEqualTo(4);
        assertThat(restored.accountForIdentity(NAI, "carol@example.com")).contains("bob");
        assertThat(restored.accountForIdentity(SIP_URI, SIP)).isEqualTo(Optional.empty());
        assertThat(LedgerSnapshotTest.write(restored)).isEqualTo(bytes);
        long now = story.now;
        assertThat(restored.apply(new Command("bind-nai", new BindIdentity(NAI, "carol@example.com", "bob")), now))
                .as("a retry after the restore").isEqualTo(retried);
        assertThat(restored.apply(new Command("take", new BindIdentity(E164, MSISDN, "bob")), now))
                .isEqualTo(new AccountNotActive("bob", AccountStatus.CLOSED));
        assertThat(restored.apply(new Command("take-2", new BindIdentity(NAI, "bob@example.com", "alice")), now))
                .isEqualTo(new IdentityTaken(NAI, "bob@example.com", "bob"));
        restored.verifyInvariants();
    }

    @Test
    void aSnapshotWithAMalformedOrDoublyBoundIdentityIsRefused() throws IOException {
        bind(E164, "491700000001", "alice");
        bind(E164, "491700000002", "bob");
        byte[] bytes = LedgerSnapshotTest.write(story.ledger);
        // The first occurrence of a value is in its account's section; later ones are in remembered outcomes.
        int second = indexOf(bytes, "491700000002");

        byte[] doubled = bytes.clone();
        doubled[second + 11] = '1';
        byte[] malformed = bytes.clone();
        malformed[second + 11] = 'x';

        assertThatThrownBy(() -> LedgerSnapshotTest.read(doubled, LedgerLimits.DEFAULTS)).isInstanceOf(IOException.class)
                .hasMessageContaining("bound to both");
        assertThatThrownBy(() -> LedgerSnapshotTest.read(malformed, LedgerLimits.DEFAULTS)).isInstanceOf(IOException.class)
                .hasMessageContaining("invalid identity");
    }

    private static int indexOf(byte[] bytes, String ascii) {
        byte[] needle = ascii.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError(ascii + " not in the snapshot");
    }
}
