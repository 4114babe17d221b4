/**
 * The capacity model of layered admission: the charging process as a generalized stochastic
 * Petri net ({@code net}), solved as a continuous-time Markov chain ({@code chain}) or simulated
 * ({@code sim}); {@code model} builds the net from a catalog's layers and pools and a load
 * description, and reads back what operators ask: acceptance, utilisation, throughput, revenue.
 */
package io.credence.plan;
