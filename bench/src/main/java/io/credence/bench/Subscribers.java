package io.credence.bench;

import io.credence.ledger.AccountKind;
import io.credence.ledger.BucketSpec;
import io.credence.ledger.Command;
import io.credence.ledger.Ids;
import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.ServiceFilter;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The subscriber population every benchmark uses, so the figures are comparable: prepaid
 * subscribers with a money main balance and a data pack (a bucket of octets for rating group 10,
 * valid for 30 days), charged by reserving a data grant and committing part of it, the way a
 * PGW's CCR-Update reports used units and asks for the next grant.
 */
final class Subscribers {
    static final String OPERATOR = "operator";
    static final long DATA_RATING_GROUP = 10;
    static final ServiceRef DATA = ServiceRef.ratingGroup(DATA_RATING_GROUP);
    static final ServiceRef VOICE = ServiceRef.ratingGroup(1);
    /** Large enough that no run drains a subscriber, small enough that a million of them fit in a long. */
    static final long MONEY_BALANCE = 1_000_000_000L;
    static final long DATA_PACK_OCTETS = 100_000_000_000L;
    static final long DATA_PACK_VALIDITY_MILLIS = 30L * 24 * 3600_000L;
    static final int DATA_PACK_PRIORITY = 10;
    /** A typical Gy grant: 1 MiB asked, 700 KiB used before the next CCR-Update. */
    static final long GRANT_OCTETS = 1L << 20;
    static final long USED_OCTETS = 700L << 10;
    static final long GRANT_MONEY = 100;
    static final long USED_MONEY = 60;
    static final long RESERVATION_TTL_MILLIS = 30_000;

    private Subscribers() {}

    /**
     * {@code sub-} and eight digits, built afresh on every call: a request decoded from the wire
     * carries its own copy of the id, not the ledger's.
     */
    static String accountId(int index) {
        byte[] b = {'s', 'u', 'b', '-', '0', '0', '0', '0', '0', '0', '0', '0'};
        for (int i = b.length - 1, v = index; v > 0; i--, v /= 10) {
            b[i] = (byte) ('0' + v % 10);
        }
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** {@code prefix} and {@code n} in sixteen hex digits, built afresh like {@link #accountId}. */
    static String requestId(char prefix, long n) {
        byte[] b = new byte[17];
        b[0] = (byte) prefix;
        for (int i = 16; i > 0; i--, n >>>= 4) {
            b[i] = (byte) HEX[(int) (n & 0xF)];
        }
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** The commands that set up {@code count} subscribers (plus the operator), in order. */
    static List<Command> setUp(int index, long startMillis) {
        String id = accountId(index);
        return List.of(
                new Command("create-" + id, new CreateAccount(id, AccountKind.SUBSCRIBER, Map.of())),
                new Command("money-" + id, new TopUp(Ids.SYSTEM_ACCOUNT, id, Unit.MONEY, MONEY_BALANCE, null)),
                new Command("data-" + id, new TopUp(Ids.SYSTEM_ACCOUNT, id, Unit.BYTES, DATA_PACK_OCTETS,
                        dataPack(startMillis))));
    }

    static Command createOperator() {
        return new Command("create-" + OPERATOR, new CreateAccount(OPERATOR, AccountKind.OPERATOR, Map.of()));
    }

    /**
     * A new filter object per pack, as decoding a provisioning request or a journal record
     * produces one; the heap benchmark depends on this being realistic.
     */
    static BucketSpec dataPack(long startMillis) {
        return new BucketSpec(0, startMillis + DATA_PACK_VALIDITY_MILLIS, DATA_PACK_PRIORITY,
                ServiceFilter.ratingGroups(DATA_RATING_GROUP));
    }

    static Command reserveData(String requestId, String accountId) {
        return new Command(requestId, new Reserve(accountId, OPERATOR, Unit.BYTES, GRANT_OCTETS, DATA,
                RESERVATION_TTL_MILLIS));
    }

    static Command reserveMoney(String requestId, String accountId) {
        return new Command(requestId, new Reserve(accountId, OPERATOR, Unit.MONEY, GRANT_MONEY, VOICE,
                RESERVATION_TTL_MILLIS));
    }

    static Command commitData(String requestId, long reservationId) {
        return new Command(requestId, new Commit(reservationId, USED_OCTETS, false));
    }

    static Command commitMoney(String requestId, long reservationId) {
        return new Command(requestId, new Commit(reservationId, USED_MONEY, false));
    }

    /** Account indexes in a fixed pseudo-random order, so successive requests touch cold accounts. */
    static int[] accessOrder(int accounts, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = new int[length];
        for (int i = 0; i < length; i++) {
            order[i] = random.nextInt(accounts);
        }
        return order;
    }
}
