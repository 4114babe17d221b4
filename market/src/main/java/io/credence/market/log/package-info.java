/**
 * The contract ledger's append-only, tamper-evident Merkle log, in the style of RFC 6962 / 9162.
 *
 * <ul>
 *   <li>{@link io.credence.market.log.MerkleHashes}: leaf and node hashes (SHA-256, domain-separated).</li>
 *   <li>{@link io.credence.market.log.MerkleTree}: the in-memory tree; roots and proofs for any
 *       earlier size in O(log n) hashes.</li>
 *   <li>{@link io.credence.market.log.Proofs}: verification of inclusion and consistency proofs,
 *       for input from anywhere.</li>
 *   <li>{@link io.credence.market.log.MerkleLog}: the durable log (one file, group commit,
 *       crash recovery) that signs {@link io.credence.market.log.SignedTreeHead}s with its
 *       {@link io.credence.market.log.LogKey}.</li>
 *   <li>{@link io.credence.market.log.LogVerifier}: offline audit of a downloaded copy.</li>
 * </ul>
 *
 * Entries are opaque byte arrays here; what they mean (offers, contracts, validations, results)
 * belongs to {@code io.credence.market.contract}.
 */
package io.credence.market.log;
