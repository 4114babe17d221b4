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
