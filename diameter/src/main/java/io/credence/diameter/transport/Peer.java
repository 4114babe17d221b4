package io.credence.diameter.transport;

import io.credence.diameter.codec.DiameterMessage;

import java.util.concurrent.CompletableFuture;

/**
 * A connected peer after a successful capabilities exchange, as the application sees it: who it
 * is, and a way to send it requests (Re-Auth, Abort-Session) and get their answers.
 */
public interface Peer {
    String originHost();

    String originRealm();

    boolean isOpen();

    /** The interface requests from this peer arrive by, as usage records name it. */
    /**
     * A peer's connection as an operator sees it.
     *
     * @param watchdog     OKAY, or SUSPECT while a Device-Watchdog-Request is unanswered (RFC 3539)
     * @param inFlight     application requests received and not yet answered
     */
    record PeerStatus(String originHost, String originRealm, String remoteAddress, boolean open,
                      long connectedAtMillis, long lastReceivedMillis, String watchdog, long requestsReceived,
                      long answersSent, long inFlight) {}

    /** This peer's connection, for the operator's view; a peer that is not a connection knows little. */
    default PeerStatus status() {
        return new PeerStatus(originHost(), originRealm(), "", isOpen(), 0, 0, "OKAY", 0, 0, 0);
    }

    default String interfaceName() {
        return "diameter";
    }

    /**
     * Sends a request; the hop-by-hop identifier is assigned here. The future fails when the
     * connection closes or no answer arrives within the request timeout.
     */
    CompletableFuture<DiameterMessage> send(DiameterMessage request);

    /**
     * Runs {@code task} on the connection's own thread (its event loop), where its answers are
     * written: an application answering a batch hands it back with one task.
     */
    default void execute(Runnable task) {
        task.run();
    }
}
