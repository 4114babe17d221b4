package io.credence.diameter.transport;

import io.credence.diameter.codec.DiameterMessage;

import java.util.concurrent.CompletionStage;

/**
 * What the transport hands application requests to (credit control). The answer may complete on
 * any thread; the connection writes it on its own event loop. A handler never throws: every
 * failure is an answer with a Result-Code.
 */
@FunctionalInterface
public interface ApplicationHandler {
    /** Called on the connection's event loop, in arrival order. */
    CompletionStage<DiameterMessage> handle(DiameterMessage request, Peer peer);

    /**
     * Called on the connection's event loop once the requests one read brought were handed to
     * {@link #handle}: a handler that batches hands its batch on now.
     */
    default void readComplete(Peer peer) {
    }
}
