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

    /** Records nothing: for servers run without usage records, and for tests that do not look at them. */
    UsageSink NONE = r -> {};
}
