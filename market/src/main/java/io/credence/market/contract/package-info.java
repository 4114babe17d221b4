/**
 * Signed marketplace entries and the rules a relay contract must satisfy.
 *
 * <p>Providers publish {@link io.credence.market.contract.Offer}s, buyers publish
 * {@link io.credence.market.contract.Request}s, and a {@link io.credence.market.contract.Contract}
 * signed by both is checked by validators ({@link io.credence.market.contract.ContractRules},
 * {@link io.credence.market.contract.Validator}) and becomes effective once a
 * {@link io.credence.market.contract.Quorum} has co-signed it. Every entry has one canonical
 * encoding ({@link io.credence.market.contract.EntryCodec}), which is what is signed (Ed25519),
 * hashed (SHA-256) and appended to the Merkle log.
 *
 * <p>Pure logic: no clock, no files, no sockets, no threads. Time comes in as a parameter; keys,
 * storage and transport are the integrator's.
 */
package io.credence.market.contract;
