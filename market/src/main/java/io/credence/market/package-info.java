/**
 * The relay-service marketplace: {@code log} is the append-only Merkle log (RFC 6962 / 9162
 * hashing, proofs, signed tree heads, durable storage); {@code contract} holds the signed entries,
 * validators and the rules a contract must satisfy.
 */
package io.credence.market;
