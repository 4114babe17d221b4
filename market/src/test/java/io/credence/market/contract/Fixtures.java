package io.credence.market.contract;

import java.util.Arrays;
import java.util.Map;

/** A provider, a buyer, an offer and a contract that fits it; tests change one thing at a time. */
final class Fixtures {
    static final long T0 = 1_700_000_000_000L;
    static final long HOUR = 3_600_000L;
    static final String PROVIDER = "prov-1";
    static final String BUYER = "buyer-1";
    static final String OPERATOR = "operator-1";

    static final Ed25519.KeyPair PROVIDER_KEY = key(1);
    static final Ed25519.KeyPair BUYER_KEY = key(2);
    static final Ed25519.KeyPair OPERATOR_KEY = key(3);
    static final Ed25519.KeyPair STRANGER_KEY = key(99);

    static final KeyDirectory KEYS = KeyDirectory.of(Map.of(
            PROVIDER, PROVIDER_KEY.publicKey(),
            BUYER, BUYER_KEY.publicKey(),
            OPERATOR, OPERATOR_KEY.publicKey()));

    /** Ten minutes into the offer's hour, one minute after the contract was made. */
    static final long NOW = T0 + 11 * 60_000L;

    private Fixtures() {}

    static Ed25519.KeyPair key(int n) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) n);
        return Ed25519.fromSeed(seed);
    }

    /** 5 GB of data for an hour at 50 minor units per MB, level 4, relayed by terminal term-P. */
    static Offer offer() {
        return new Offer("offer-1", "relay", PROVIDER, "term-P", T0, T0 + HOUR, 4, 50, ChargingStandard.PER_MB,
                ResourceType.DATA_BYTES, 5_000_000_000L);
    }

    static Signed<Offer> signedOffer() {
        return Signed.sign(offer(), PROVIDER, PROVIDER_KEY);
    }

    static Draft draft() {
        return new Draft();
    }

    static Signed<Contract> signedByBoth(Contract contract) {
        return Signed.sign(contract, PROVIDER, PROVIDER_KEY).cosign(BUYER, BUYER_KEY);
    }

    /** A contract under construction: by default 2.5 GB of {@link #offer()}, fee computed. */
    static final class Draft {
        String contractId = "contract-1";
        byte[] offerHash = offer().hash();
        String providerId = PROVIDER;
        String buyerId = BUYER;
        BuyerType buyerType = BuyerType.PERSONAL;
        String resourceUsingNode = BUYER;
        ResourceType resourceType = ResourceType.DATA_BYTES;
        long amount = 2_500_000_000L;
        long periodStartMillis = T0 + 10 * 60_000L;
        long periodEndMillis = T0 + 40 * 60_000L;
        int serviceLevel = 4;
        ChargingStandard chargingStandard = ChargingStandard.PER_MB;
        long pricePerUnitMinor = 50;
        Long feeMinor; // null: the expected fee
        Payment payment = Payment.MONEY;
        long createdAtMillis = T0 + 10 * 60_000L;

        Contract build() {
            long fee = feeMinor != null ? feeMinor : Fees.expected(chargingStandard, amount,
                    periodEndMillis - periodStartMillis, pricePerUnitMinor);
            return new Contract(contractId, offerHash, providerId, buyerId, buyerType, resourceUsingNode, resourceType,
                    amount, periodStartMillis, periodEndMillis, serviceLevel, chargingStandard, pricePerUnitMinor, fee,
                    payment, createdAtMillis);
        }

        Signed<Contract> signed() {
            return signedByBoth(build());
        }
    }
}
