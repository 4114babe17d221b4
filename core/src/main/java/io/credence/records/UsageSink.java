package io.credence.records;

/**
 * Where committed usage goes. The charging code calls {@link #accept} once per committed usage,
 * after the ledger has committed it; a sink must not change the ledger and must not block for long.
 * Retries of a commit may call it again with the same {@link UsageRecord#recordId()}: sinks and
 * readers de-duplicate by that id rather than the charging code trying to remember what it sent.
 */
@FunctionalInterface
public interface UsageSink {
    void accept(UsageRecord record);

    /**
     * The records of one batch of charges, in order; a sink that writes files overrides this to
     * write them together.
     */
    default void acceptAll(java.util.List<UsageRecord> records) {
        for (UsageRecord record : records) {
            accept(record);
        }
    }

    /** Records nothing: for servers run without usage records, and for tests that do not look at them. */
    UsageSink NONE = r -> {};
}
