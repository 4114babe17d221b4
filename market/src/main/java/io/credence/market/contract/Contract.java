package io.credence.market.contract;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What provider and buyer agree on, copied from an {@link Offer} (named by its hash, so the offer
 * cannot be swapped afterwards). Both parties sign it; it is effective once a {@link Quorum} of
 * validators has co-signed it. The constructor checks each field on its own; whether the fields
 * fit each other, the offer and the parties is {@link ContractRules}' job, because a validator
 * must be able to decode a bad contract in order to refuse it with reasons.
 *
 * @param offerHash         SHA-256 of the offer's canonical encoding
 * @param resourceUsingNode the terminal that receives the resource; may be null so an operator
 *                          contract without one can be represented and refused
 * @param amount            in the unit of {@code resourceType}: kbit/s or bytes
 * @param feeMinor          the fee for the whole contract in money minor units (see {@link Fees})
 */
public record Contract(String contractId, byte[] offerHash, String providerId, String buyerId, BuyerType buyerType,
                       String resourceUsingNode, ResourceType resourceType, long amount, long periodStartMillis,
                       long periodEndMillis, int serviceLevel, ChargingStandard chargingStandard,
                       long pricePerUnitMinor, long feeMinor, Payment payment, long createdAtMillis) implements Entry {
    public Contract {
        Canonical.requireId("contractId", contractId);
        offerHash = Canonical.requireBytes("offerHash", offerHash, Canonical.SHA256_BYTES);
        Canonical.requireId("providerId", providerId);
        Canonical.requireId("buyerId", buyerId);
        Objects.requireNonNull(buyerType, "buyerType");
        Canonical.requireOptionalId("resourceUsingNode", resourceUsingNode);
        EntryChecks.amount("amount", amount);
        EntryChecks.period("contract period", periodStartMillis, periodEndMillis);
        EntryChecks.serviceLevel("serviceLevel", serviceLevel);
        EntryChecks.standardFits(chargingStandard, resourceType);
        EntryChecks.price("pricePerUnitMinor", pricePerUnitMinor);
        Canonical.requireRange("feeMinor", feeMinor, 0, ContractLimits.FEE_MINOR_MAX);
        Objects.requireNonNull(payment, "payment");
        EntryChecks.instant("createdAtMillis", createdAtMillis);
    }

    @Override
    public EntryKind kind() {
        return EntryKind.CONTRACT;
    }

    @Override
    public byte[] offerHash() {
        return offerHash.clone();
    }

    public long durationMillis() {
        return periodEndMillis - periodStartMillis;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Contract that && contractId.equals(that.contractId)
                && Arrays.equals(offerHash, that.offerHash) && providerId.equals(that.providerId)
                && buyerId.equals(that.buyerId) && buyerType == that.buyerType
                && Objects.equals(resourceUsingNode, that.resourceUsingNode) && resourceType == that.resourceType
                && amount == that.amount && periodStartMillis == that.periodStartMillis
                && periodEndMillis == that.periodEndMillis && serviceLevel == that.serviceLevel
                && chargingStandard == that.chargingStandard && pricePerUnitMinor == that.pricePerUnitMinor
                && feeMinor == that.feeMinor && payment.equals(that.payment)
                && createdAtMillis == that.createdAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(contractId, Arrays.hashCode(offerHash), providerId, buyerId, buyerType, resourceUsingNode,
                resourceType, amount, periodStartMillis, periodEndMillis, serviceLevel, chargingStandard,
                pricePerUnitMinor, feeMinor, payment, createdAtMillis);
    }

    @Override
    public String toString() {
        return "Contract[contractId=" + contractId + ", offerHash=" + HexFormat.of().formatHex(offerHash)
                + ", providerId=" + providerId + ", buyerId=" + buyerId + ", buyerType=" + buyerType
                + ", resourceUsingNode=" + resourceUsingNode + ", resourceType=" + resourceType + ", amount=" + amount
                + ", period=" + periodStartMillis + ".." + periodEndMillis + ", serviceLevel=" + serviceLevel
                + ", chargingStandard=" + chargingStandard + ", pricePerUnitMinor=" + pricePerUnitMinor
                + ", feeMinor=" + feeMinor + ", payment=" + payment + ", createdAtMillis=" + createdAtMillis + "]";
    }
}
