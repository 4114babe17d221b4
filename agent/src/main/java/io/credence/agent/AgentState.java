package io.credence.agent;

/**
 * Where the agent stands with the server, as the last reporting cycle left it.
 *
 * <pre>
 * cycle outcome                                              next state
 * -------------------------------------------------------    -----------
 * no device token and registration refused (401, 409)        REGISTERING
 * the server refused the device token (401)                  REGISTERING (registers again next cycle)
 * any request without a usable answer (connection, timeout,
 *   429/502/503/504, malformed answer) or refused otherwise  OFFLINE
 * grant refused with quota-exhausted                         EXHAUSTED
 * reports sent, grant held (or drained)                      ACTIVE
 * stop() or close()                                          STOPPED
 * </pre>
 *
 * use() depends only on the locally held grant, never on the state: an OFFLINE device keeps using
 * what it was granted, an EXHAUSTED one holds no grant.
 */
public enum AgentState {
    REGISTERING, ACTIVE, OFFLINE, EXHAUSTED, STOPPED
}
