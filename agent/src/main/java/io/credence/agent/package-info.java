/**
 * The device quota agent a terminal with a cloud SIM embeds: {@link io.credence.agent.DeviceAgent}
 * meters the terminal's data use against a grant held locally, keeps every accepted byte in a
 * SQLite file until the server has acknowledged it, and speaks the device protocol
 * ({@link io.credence.agent.DeviceApi}) over the JDK's HTTP client. {@link io.credence.agent.AgentMain}
 * runs it from the command line in front of a simulated terminal.
 *
 * <p>Depends on the JDK and sqlite-jdbc only, never on another Credence module: it ships inside
 * terminals. JSON is read and written by a small strict codec of its own
 * ({@code JsonReader}/{@code JsonWriter}) for the same reason.
 *
 * <p>Protocol readings this module relies on, where the protocol leaves room:
 * <ul>
 *   <li>a grant's {@code bytes} is what the server still holds for the SIM; the agent counts its
 *       use of a grant from the moment the grant arrives;</li>
 *   <li>the {@code grant} member of a report answer is informational: the agent keeps its local
 *       grant until its own final report is acknowledged, and expiry is judged locally;</li>
 *   <li>a grant's validity is measured from the answer's {@code Date} header when there is one
 *       (terminal clocks are often wrong), less one second for the header's resolution;</li>
 *   <li>401 on a request carrying the device token means the token was replaced: the agent drops
 *       it and registers again (its pending reports keep their numbers);</li>
 *   <li>429, 502, 503 and 504 are "busy" like a connection failure; every other 4xx/5xx on a
 *       report keeps the report and retries it (a report is never dropped);</li>
 *   <li>{@code returnedBytes} may be absent from a non-final report's answer.</li>
 * </ul>
 */
package io.credence.agent;
