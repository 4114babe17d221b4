package io.credence.server;

import io.credence.http.AccessTokens;
import io.credence.journal.EngineGate;
import io.credence.nchf.ChargingNotifications;
import io.credence.nchf.nrf.ChfProfile;
import io.credence.nchf.nrf.NrfRegistration;
import io.credence.nchf.nrf.NrfSettings;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The server's place in a 5G core: its NF instance id, the access tokens it accepts, the
 * notifications it sends consumers, and its registration at the NRF. Prepared before the HTTP
 * port opens (the token check sits in front of it); registered once the port answers;
 * deregistered first when the server stops.
 */
final class FiveGCore implements AutoCloseable {
    private final ChfSettings settings;
    private final UUID instanceId;
    private final AccessTokens tokens;
    private final ChargingNotifications notifications;
    private volatile NrfRegistration registration;

    private FiveGCore(ChfSettings settings, UUID instanceId, AccessTokens tokens, ChargingNotifications notifications) {
        this.settings = settings;
        this.instanceId = instanceId;
        this.tokens = tokens;
        this.notifications = notifications;
    }

    /** @param id this CHF's NF instance id ({@link io.credence.nchf.nrf.NfInstanceId}) */
    static FiveGCore prepare(ServerConfig config, UUID id, EngineGate engine) throws IOException {
        ChfSettings chf = config.chf();
        AccessTokens tokens = chf.tokenKeys() == null ? null
                : new AccessTokens(chf.tokenKeys(), id.toString(), System::currentTimeMillis);
        return new FiveGCore(chf, id, tokens, new ChargingNotifications(engine, chf.notifications()));
    }

    /** ChargingNotify to Nchf consumers. */
    ChargingNotifications notifications() {
        return notifications;
    }

    /** Starts registering at the NRF, if one is configured; does not wait for it. */
    void register(int httpPort, boolean tls) throws IOException {
        if (settings.nrf() == null) {
            return;
        }
        ChfProfile profile = new ChfProfile(instanceId, settings.nfAddress(), httpPort, tls ? "https" : "http",
                settings.supiRanges(), settings.gpsiRanges(), settings.plmnRanges(), settings.heartbeatSeconds());
        registration = NrfRegistration.start(new NrfSettings(settings.nrf(), profile));
    }

    UUID instanceId() {
        return instanceId;
    }

    /** The token check in front of the SBI, or null when only API keys are accepted. */
    AccessTokens tokens() {
        return tokens;
    }

    /** The {@code chf} section of {@code /health}. */
    Map<String, Object> health() {
        Map<String, Object> chf = new LinkedHashMap<>();
        chf.put("nfInstanceId", instanceId.toString());
        NrfRegistration nrf = registration;
        if (nrf != null) {
            chf.put("nrf", nrf.status());
        }
        if (tokens != null) {
            chf.put("accessTokenKeys", tokens.keyCount());
        }
        chf.put("notifications", notifications.status());
        return Map.of("chf", chf);
    }

    @Override
    public void close() throws InterruptedException {
        try {
            NrfRegistration nrf = registration;
            if (nrf != null) {
                nrf.close();
            }
        } finally {
            notifications.close();
        }
    }
}
