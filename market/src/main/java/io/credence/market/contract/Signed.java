package io.credence.market.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An entry and the signatures over its canonical bytes. Signatures are kept in
 * {@link Signature#CANONICAL_ORDER} whatever order they were added in, so the same signed entry
 * always encodes to the same bytes. This record checks no signature: that takes keys from
 * outside (a {@link KeyDirectory}, a {@link Quorum}), see {@link ContractRules}.
 */
public record Signed<E extends Entry>(E entry, List<Signature> signatures) {
    public Signed {
        Objects.requireNonNull(entry, "entry");
        List<Signature> sorted = new ArrayList<>(signatures); // also refuses null elements below
        sorted.sort(Signature.CANONICAL_ORDER);
        if (sorted.size() > ContractLimits.SIGNATURES_MAX) {
            throw new IllegalArgumentException(sorted.size() + " signatures, more than " + ContractLimits.SIGNATURES_MAX);
        }
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).equals(sorted.get(i - 1))) {
                throw new IllegalArgumentException("duplicate signature by " + sorted.get(i).signerId());
            }
        }
        signatures = List.copyOf(sorted);
    }

    /** {@code entry} signed by {@code signerId} alone. */
    public static <E extends Entry> Signed<E> sign(E entry, String signerId, Ed25519.KeyPair key) {
        return new Signed<>(entry, List.of(Signature.sign(signerId, key, entry.encode())));
    }

    /** This entry with one more signature, by {@code signerId}. */
    public Signed<E> cosign(String signerId, Ed25519.KeyPair key) {
        return with(Signature.sign(signerId, key, entry.encode()));
    }

    /** This entry with {@code signature} added as it is (for signatures made elsewhere). */
    public Signed<E> with(Signature signature) {
        List<Signature> more = new ArrayList<>(signatures);
        more.add(signature);
        return new Signed<>(entry, more);
    }

    /** The signatures claiming to be by {@code signerId}, in canonical order. */
    public List<Signature> by(String signerId) {
        return signatures.stream().filter(s -> s.signerId().equals(signerId)).toList();
    }

    /** The canonical bytes of the envelope; see {@link EntryCodec}. */
    public byte[] encode() {
        return EntryCodec.encodeSigned(this);
    }

    /** Decodes an envelope of any kind of entry. */
    public static Signed<Entry> decode(byte[] bytes) {
        return EntryCodec.decodeSigned(bytes);
    }

    /** Decodes an envelope whose entry must be of {@code type}. */
    public static <E extends Entry> Signed<E> decode(byte[] bytes, Class<E> type) {
        Signed<Entry> signed = EntryCodec.decodeSigned(bytes);
        if (!type.isInstance(signed.entry())) {
            throw new CanonicalFormatException("expected a signed " + type.getSimpleName() + ", found "
                    + signed.entry().kind());
        }
        return new Signed<>(type.cast(signed.entry()), signed.signatures());
    }
}
