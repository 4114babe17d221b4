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
    CompletionStage<DiameterMessage> handle(DiameterMessage request, Peer peer);
}
