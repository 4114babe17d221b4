package io.credence.cluster;

import java.util.ArrayList;
import java.util.List;

/** A contract log replica in memory for the in-JVM groups; kept across a node's restart like a file. */
final class MemoryContractLog implements ContractLogReplica {
    private final List<byte[]> leaves = new ArrayList<>();

    @Override
    public synchronized long size() {
        return leaves.size();
    }

    @Override
    public synchronized byte[] entry(long index) {
        return leaves.get((int) index).clone();
    }

    @Override
    public synchronized void append(List<byte[]> entries) {
        entries.forEach(e -> leaves.add(e.clone()));
    }

    synchronized List<String> leaves() {
        return leaves.stream().map(String::new).toList();
    }
}
