package io.credence.records;

/** PLACEHOLDER until the records module lands. */
public interface UsageSink {
    void accept(UsageRecord record);

    UsageSink NONE = r -> {};
}
