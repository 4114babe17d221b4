package io.credence.market.contract;

/**
 * Something a party states and signs, kept on the Merkle log. Every entry has exactly one
 * canonical encoding ({@link EntryCodec}); its hash and every signature are over those bytes.
 */
public sealed interface Entry permits ProviderRegistration, Offer, Withdrawal, Request, RequestAnswer, Contract,
        Validation, ExecutionResult, Allocation {

    EntryKind kind();

    /** The canonical bytes: what is signed, hashed and logged. */
    default byte[] encode() {
        return EntryCodec.encode(this);
    }

    /** SHA-256 of {@link #encode()}. */
    default byte[] hash() {
        return Canonical.sha256(encode());
    }

    /** Decodes canonical bytes of any kind; see {@link EntryCodec#decode(byte[])}. */
    static Entry decode(byte[] bytes) {
        return EntryCodec.decode(bytes);
    }
}
