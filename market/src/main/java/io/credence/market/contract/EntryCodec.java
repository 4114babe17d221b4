package io.credence.market.contract;

import java.util.ArrayList;
import java.util.List;

/**
 * Entries and signed entries to canonical bytes and back (see {@link Canonical} for the field
 * encodings). Every encoding starts with the same two bytes:
 *
 * <pre>
 *   0        1        2
 *   +--------+--------+------------------------------------------+
 *   | format | kind   | fields of the kind, in the order below   |
 *   | 0x01   | tag    |                                          |
 *   +--------+--------+------------------------------------------+
 *
 *   tag  kind                   fields
 *   0x01 PROVIDER_REGISTRATION  text providerId, text serviceId, fixed[32] publicKey,
 *                               i64 registeredAtMillis
 *   0x02 OFFER                  text offerId, text serviceId, text providerId, text terminalId,
 *                               i64 periodStartMillis, i64 periodEndMillis, i32 serviceLevel,
 *                               i64 pricePerUnitMinor, code chargingStandard, code resourceType,
 *                               i64 amount
 *   0x03 WITHDRAWAL             text offerId, text providerId, i64 atMillis
 *   0x04 REQUEST                text requestId, text buyerId, code buyerType, code resourceType,
 *                               i64 amount, i64 periodStartMillis, i64 periodEndMillis,
 *                               i32 serviceLevelMin, i64 maxPricePerUnitMinor
 *   0x05 REQUEST_ANSWER         text requestId, text providerId, optional text offerId
 *   0x06 CONTRACT               text contractId, fixed[32] offerHash, text providerId,
 *                               text buyerId, code buyerType, optional text resourceUsingNode,
 *                               code resourceType, i64 amount, i64 periodStartMillis,
 *                               i64 periodEndMillis, i32 serviceLevel, code chargingStandard,
 *                               i64 pricePerUnitMinor, i64 feeMinor,
 *                               payment (u8 1 = money | u8 2 = units, code unitKind),
 *                               i64 createdAtMillis
 *   0x07 VALIDATION             fixed[32] contractHash, text validatorId, bool approved,
 *                               text reason (up to REASON_BYTES_MAX)
 *   0x08 EXECUTION_RESULT       text contractId, code termination, i64 endedAtMillis,
 *                               i64 actualDurationMillis, i64 feePaidMinor
 *   0x09 ALLOCATION             text contractId, text baseStationId, bool allocated, text reason,
 *                               i64 atMillis
 *
 *   every id text is at most ID_BYTES_MAX bytes; a whole entry at most ENTRY_BYTES_MAX
 * </pre>
 *
 * A signed entry wraps the entry's bytes unchanged, so the signatures can be checked against
 * them without re-encoding:
 *
 * <pre>
 *   +--------+--------+-------------+-------------+-------+------------------------------+
 *   | format | 0x80   | u16 length  | entry bytes | u8 n  | n x (text signerId,          |
 *   | 0x01   | SIGNED | of entry    | (as above)  |       |  fixed[32] publicKey,        |
 *   |        |        |             |             |       |  fixed[64] signature)        |
 *   +--------+--------+-------------+-------------+-------+------------------------------+
 *   signatures in {@link Signed}'s canonical order; n at most SIGNATURES_MAX
 * </pre>
 */
public final class EntryCodec {
    /** The tag of a signed envelope; outside the entry tags, so an envelope is never taken for an entry. */
    public static final int SIGNED_TAG = 0x80;

    private EntryCodec() {}

    public static byte[] encode(Entry entry) {
        Canonical.Writer out = new Canonical.Writer(ContractLimits.ENTRY_BYTES_MAX);
        out.u8(Canonical.FORMAT_VERSION).code(entry.kind());
        switch (entry) {
            case ProviderRegistration r -> out.text("providerId", r.providerId(), ContractLimits.ID_BYTES_MAX)
                    .text("serviceId", r.serviceId(), ContractLimits.ID_BYTES_MAX)
                    .fixed("publicKey", r.publicKey(), Ed25519.PUBLIC_KEY_BYTES)
                    .i64(r.registeredAtMillis());
            case Offer o -> out.text("offerId", o.offerId(), ContractLimits.ID_BYTES_MAX)
                    .text("serviceId", o.serviceId(), ContractLimits.ID_BYTES_MAX)
                    .text("providerId", o.providerId(), ContractLimits.ID_BYTES_MAX)
                    .text("terminalId", o.terminalId(), ContractLimits.ID_BYTES_MAX)
                    .i64(o.periodStartMillis()).i64(o.periodEndMillis()).i32(o.serviceLevel())
                    .i64(o.pricePerUnitMinor()).code(o.chargingStandard()).code(o.resourceType()).i64(o.amount());
            case Withdrawal w -> out.text("offerId", w.offerId(), ContractLimits.ID_BYTES_MAX)
                    .text("providerId", w.providerId(), ContractLimits.ID_BYTES_MAX).i64(w.atMillis());
            case Request r -> out.text("requestId", r.requestId(), ContractLimits.ID_BYTES_MAX)
                    .text("buyerId", r.buyerId(), ContractLimits.ID_BYTES_MAX)
                    .code(r.buyerType()).code(r.resourceType()).i64(r.amount())
                    .i64(r.periodStartMillis()).i64(r.periodEndMillis()).i32(r.serviceLevelMin())
                    .i64(r.maxPricePerUnitMinor());
            case RequestAnswer a -> out.text("requestId", a.requestId(), ContractLimits.ID_BYTES_MAX)
                    .text("providerId", a.providerId(), ContractLimits.ID_BYTES_MAX)
                    .optionalText("offerId", a.offerId(), ContractLimits.ID_BYTES_MAX);
            case Contract c -> writeContract(out, c);
            case Validation v -> out.fixed("contractHash", v.contractHash(), Canonical.SHA256_BYTES)
                    .text("validatorId", v.validatorId(), ContractLimits.ID_BYTES_MAX)
                    .bool(v.approved()).text("reason", v.reason(), ContractLimits.REASON_BYTES_MAX);
            case ExecutionResult e -> out.text("contractId", e.contractId(), ContractLimits.ID_BYTES_MAX)
                    .code(e.termination()).i64(e.endedAtMillis()).i64(e.actualDurationMillis()).i64(e.feePaidMinor());
            case Allocation a -> out.text("contractId", a.contractId(), ContractLimits.ID_BYTES_MAX)
                    .text("baseStationId", a.baseStationId(), ContractLimits.ID_BYTES_MAX).bool(a.allocated())
                    .text("reason", a.reason(), ContractLimits.REASON_BYTES_MAX).i64(a.atMillis());
        }
        return out.toByteArray();
    }

    private static void writeContract(Canonical.Writer out, Contract c) {
        out.text("contractId", c.contractId(), ContractLimits.ID_BYTES_MAX)
                .fixed("offerHash", c.offerHash(), Canonical.SHA256_BYTES)
                .text("providerId", c.providerId(), ContractLimits.ID_BYTES_MAX)
                .text("buyerId", c.buyerId(), ContractLimits.ID_BYTES_MAX)
                .code(c.buyerType())
                .optionalText("resourceUsingNode", c.resourceUsingNode(), ContractLimits.ID_BYTES_MAX)
                .code(c.resourceType()).i64(c.amount()).i64(c.periodStartMillis()).i64(c.periodEndMillis())
                .i32(c.serviceLevel()).code(c.chargingStandard()).i64(c.pricePerUnitMinor()).i64(c.feeMinor());
        switch (c.payment()) {
            case Payment.Money money -> out.u8(money.code());
            case Payment.Units units -> out.u8(units.code()).code(units.unitKind());
        }
        out.i64(c.createdAtMillis());
    }

    /**
     * Decodes one entry, refusing anything that is not exactly its canonical encoding.
     *
     * @throws CanonicalFormatException naming the field and what was wrong
     */
    public static Entry decode(byte[] bytes) {
        if (bytes.length > ContractLimits.ENTRY_BYTES_MAX) {
            throw new CanonicalFormatException("entry of " + bytes.length + " bytes exceeds "
                    + ContractLimits.ENTRY_BYTES_MAX);
        }
        Canonical.Reader in = new Canonical.Reader(bytes);
        readVersion(in);
        int tagAt = in.position();
        int tag = in.u8("kind tag");
        EntryKind kind = null;
        for (EntryKind candidate : EntryKind.values()) {
            if (candidate.code() == tag) {
                kind = candidate;
            }
        }
        if (kind == null) {
            throw new CanonicalFormatException("unknown kind tag 0x" + Integer.toHexString(tag) + " at byte " + tagAt);
        }
        Entry entry;
        try {
            entry = readFields(kind, in);
        } catch (IllegalArgumentException e) {
            // Well-formed bytes, but a value the record refuses (a service level of 9, a period
            // that ends before it starts): still not an entry, so the same answer as bad bytes.
            throw new CanonicalFormatException(kind + ": " + e.getMessage());
        }
        in.end(kind.toString());
        return entry;
    }

    /** Decodes an entry that must be of {@code type}. */
    public static <E extends Entry> E decode(byte[] bytes, Class<E> type) {
        Entry entry = decode(bytes);
        if (!type.isInstance(entry)) {
            throw new CanonicalFormatException("expected " + type.getSimpleName() + ", found " + entry.kind());
        }
        return type.cast(entry);
    }

    private static void readVersion(Canonical.Reader in) {
        int version = in.u8("format version");
        if (version != Canonical.FORMAT_VERSION) {
            throw new CanonicalFormatException("unsupported format version " + version + " (this reader knows "
                    + Canonical.FORMAT_VERSION + ")");
        }
    }

    private static String id(Canonical.Reader in, String field) {
        return in.text(field, ContractLimits.ID_BYTES_MAX);
    }

    private static Entry readFields(EntryKind kind, Canonical.Reader in) {
        return switch (kind) {
            case PROVIDER_REGISTRATION -> new ProviderRegistration(id(in, "providerId"), id(in, "serviceId"),
                    in.fixed("publicKey", Ed25519.PUBLIC_KEY_BYTES), in.i64("registeredAtMillis"));
            case OFFER -> new Offer(id(in, "offerId"), id(in, "serviceId"), id(in, "providerId"), id(in, "terminalId"),
                    in.i64("periodStartMillis"), in.i64("periodEndMillis"), in.i32("serviceLevel"),
                    in.i64("pricePerUnitMinor"), in.code("chargingStandard", ChargingStandard.values()),
                    in.code("resourceType", ResourceType.values()), in.i64("amount"));
            case WITHDRAWAL -> new Withdrawal(id(in, "offerId"), id(in, "providerId"), in.i64("atMillis"));
            case REQUEST -> new Request(id(in, "requestId"), id(in, "buyerId"), in.code("buyerType", BuyerType.values()),
                    in.code("resourceType", ResourceType.values()), in.i64("amount"), in.i64("periodStartMillis"),
                    in.i64("periodEndMillis"), in.i32("serviceLevelMin"), in.i64("maxPricePerUnitMinor"));
            case REQUEST_ANSWER -> new RequestAnswer(id(in, "requestId"), id(in, "providerId"),
                    in.optionalText("offerId", ContractLimits.ID_BYTES_MAX));
            case CONTRACT -> readContract(in);
            case VALIDATION -> new Validation(in.fixed("contractHash", Canonical.SHA256_BYTES), id(in, "validatorId"),
                    in.bool("approved"), in.text("reason", ContractLimits.REASON_BYTES_MAX));
            case EXECUTION_RESULT -> new ExecutionResult(id(in, "contractId"),
                    in.code("termination", Termination.values()), in.i64("endedAtMillis"),
                    in.i64("actualDurationMillis"), in.i64("feePaidMinor"));
            case ALLOCATION -> new Allocation(id(in, "contractId"), id(in, "baseStationId"), in.bool("allocated"),
                    in.text("reason", ContractLimits.REASON_BYTES_MAX), in.i64("atMillis"));
        };
    }

    private static Contract readContract(Canonical.Reader in) {
        String contractId = id(in, "contractId");
        byte[] offerHash = in.fixed("offerHash", Canonical.SHA256_BYTES);
        String providerId = id(in, "providerId");
        String buyerId = id(in, "buyerId");
        BuyerType buyerType = in.code("buyerType", BuyerType.values());
        String resourceUsingNode = in.optionalText("resourceUsingNode", ContractLimits.ID_BYTES_MAX);
        ResourceType resourceType = in.code("resourceType", ResourceType.values());
        long amount = in.i64("amount");
        long periodStartMillis = in.i64("periodStartMillis");
        long periodEndMillis = in.i64("periodEndMillis");
        int serviceLevel = in.i32("serviceLevel");
        ChargingStandard chargingStandard = in.code("chargingStandard", ChargingStandard.values());
        long pricePerUnitMinor = in.i64("pricePerUnitMinor");
        long feeMinor = in.i64("feeMinor");
        Payment payment = readPayment(in);
        long createdAtMillis = in.i64("createdAtMillis");
        return new Contract(contractId, offerHash, providerId, buyerId, buyerType, resourceUsingNode, resourceType,
                amount, periodStartMillis, periodEndMillis, serviceLevel, chargingStandard, pricePerUnitMinor,
                feeMinor, payment, createdAtMillis);
    }

    private static Payment readPayment(Canonical.Reader in) {
        int at = in.position();
        int code = in.u8("payment");
        if (code == Payment.Money.CODE) {
            return Payment.MONEY;
        }
        if (code == Payment.Units.CODE) {
            return new Payment.Units(in.code("payment unitKind", UnitKind.values()));
        }
        throw new CanonicalFormatException("payment: unknown code " + code + " at byte " + at);
    }

    static byte[] encodeSigned(Signed<?> signed) {
        byte[] entry = signed.entry().encode();
        Canonical.Writer out = new Canonical.Writer(ContractLimits.SIGNED_BYTES_MAX);
        out.u8(Canonical.FORMAT_VERSION).u8(SIGNED_TAG).u16(entry.length).raw(entry).u8(signed.signatures().size());
        for (Signature signature : signed.signatures()) {
            out.text("signerId", signature.signerId(), ContractLimits.ID_BYTES_MAX)
                    .fixed("publicKey", signature.publicKey(), Ed25519.PUBLIC_KEY_BYTES)
                    .fixed("signature", signature.signature(), Ed25519.SIGNATURE_BYTES);
        }
        return out.toByteArray();
    }

    static Signed<Entry> decodeSigned(byte[] bytes) {
        if (bytes.length > ContractLimits.SIGNED_BYTES_MAX) {
            throw new CanonicalFormatException("signed entry of " + bytes.length + " bytes exceeds "
                    + ContractLimits.SIGNED_BYTES_MAX);
        }
        Canonical.Reader in = new Canonical.Reader(bytes);
        readVersion(in);
        int tagAt = in.position();
        int tag = in.u8("kind tag");
        if (tag != SIGNED_TAG) {
            throw new CanonicalFormatException("expected the signed-entry tag 0x80, found 0x" + Integer.toHexString(tag)
                    + " at byte " + tagAt);
        }
        int entryLength = in.u16("entry length");
        if (entryLength > ContractLimits.ENTRY_BYTES_MAX) {
            throw new CanonicalFormatException("entry length " + entryLength + " exceeds " + ContractLimits.ENTRY_BYTES_MAX);
        }
        Entry entry = decode(in.fixed("entry", entryLength));
        int count = in.u8("signature count");
        if (count > ContractLimits.SIGNATURES_MAX) {
            throw new CanonicalFormatException("signature count " + count + " exceeds " + ContractLimits.SIGNATURES_MAX);
        }
        List<Signature> signatures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String field = "signature " + i;
            String signerId = in.text(field + " signerId", ContractLimits.ID_BYTES_MAX);
            if (signerId.isEmpty()) {
                throw new CanonicalFormatException(field + ": signerId must not be empty");
            }
            signatures.add(new Signature(signerId, in.fixed(field + " publicKey", Ed25519.PUBLIC_KEY_BYTES),
                    in.fixed(field + " signature", Ed25519.SIGNATURE_BYTES)));
            if (i > 0 && Signature.CANONICAL_ORDER.compare(signatures.get(i - 1), signatures.get(i)) >= 0) {
                // Signed sorts on construction; accepting another order would give two encodings.
                throw new CanonicalFormatException(field + " is out of canonical order or a duplicate");
            }
        }
        in.end("signed " + entry.kind());
        return new Signed<>(entry, signatures);
    }
}
