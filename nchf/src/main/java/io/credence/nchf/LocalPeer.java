package io.credence.nchf;

import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.transport.Peer;

import java.util.concurrent.CompletableFuture;

/**
 * The in-process "peer" Nchf requests arrive from. Server-initiated requests (RAR after a
 * top-up, ASR from {@code /v1/sessions/{id}/abort}) cannot reach an Nchf consumer this way (that
 * would be a ChargingNotify to its notifyUri, not built), so they fail at once instead of waiting
 * for a timeout.
 */
public final class LocalPeer implements Peer {
    /** Origin-Host of every CCR made from an Nchf request, so sessions show where they came from. */
    public static final String ORIGIN_HOST = "nchf.credence.local";
    public static final String ORIGIN_REALM = "credence.local";

    @Override
    public String originHost() {
        return ORIGIN_HOST;
    }

    @Override
    public String originRealm() {
        return ORIGIN_REALM;
    }

    @Override
    public String interfaceName() {
        return "nchf";
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public CompletableFuture<DiameterMessage> send(DiameterMessage request) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                "Nchf consumers are not sent server-initiated requests (command " + request.commandCode() + ")"));
    }
}
