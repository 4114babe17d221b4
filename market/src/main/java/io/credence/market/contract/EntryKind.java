package io.credence.market.contract;

/**
 * The kind tag, second byte of every entry's encoding. Because it is inside the signed bytes, a
 * signature on one kind can never be passed off as a signature on another.
 * Wire codes are fixed: new kinds are appended, never renumbered.
 */
public enum EntryKind implements WireCode {
    PROVIDER_REGISTRATION(1),
    OFFER(2),
    WITHDRAWAL(3),
    REQUEST(4),
    REQUEST_ANSWER(5),
    CONTRACT(6),
    VALIDATION(7),
    EXECUTION_RESULT(8),
    ALLOCATION(9);

    private final int code;

    EntryKind(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }
}
