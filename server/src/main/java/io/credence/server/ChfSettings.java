package io.credence.server;

import io.credence.nchf.ChargingNotifications;
import io.credence.nchf.ChargingTerms;
import io.credence.nchf.nrf.ChfProfile;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * The server as a 5G charging function (CHF) beyond the Nchf API itself: its NF instance id, its
 * registration at an NRF, and the NRF's keys for access tokens.
 *
 * @param nfInstanceId     the NF instance id to use, or null: the one kept in the data directory
 * @param nrf              the NRF's apiRoot to register at, or null: not registered
 * @param nfAddress        the IPv4 address or FQDN the NRF hands to consumers, or null: {@code --host}
 * @param supiRanges       chfInfo.supiRangeList
 * @param gpsiRanges       chfInfo.gpsiRangeList
 * @param plmnRanges       chfInfo.plmnRangeList
 * @param heartbeatSeconds the heartbeat interval proposed to the NRF
 * @param tokenKeys        the NRF's public keys (JWK Set) for access tokens on the SBI, or null: API keys only
 * @param notifications    how ChargingNotify is sent to consumers: bounds and retries
 * @param terms            thresholds, holding time, limits and failure handling of Nchf grants
 * @param cdrs             the CHF CDR files
 */
public record ChfSettings(UUID nfInstanceId, URI nrf, String nfAddress, List<ChfProfile.Range> supiRanges,
                          List<ChfProfile.Range> gpsiRanges, List<ChfProfile.Range> plmnRanges, int heartbeatSeconds,
                          Path tokenKeys, ChargingNotifications.Settings notifications, ChargingTerms terms,
                          CdrSettings cdrs) {
    public static final int HEARTBEAT_SECONDS_DEFAULT = 30;
    /** Not registered anywhere; API keys only. */
    public static final ChfSettings NONE = new ChfSettings(null, null, null, List.of(), List.of(), List.of(),
            HEARTBEAT_SECONDS_DEFAULT, null, ChargingNotifications.Settings.DEFAULTS, ChargingTerms.DEFAULTS, CdrSettings.DEFAULTS);

    public ChfSettings {
        supiRanges = List.copyOf(supiRanges);
        gpsiRanges = List.copyOf(gpsiRanges);
        plmnRanges = List.copyOf(plmnRanges);
        java.util.Objects.requireNonNull(notifications, "notifications (ChargingNotifications.Settings.DEFAULTS)");
        java.util.Objects.requireNonNull(terms, "terms (ChargingTerms.DEFAULTS)");
        java.util.Objects.requireNonNull(cdrs, "cdrs (CdrSettings.DEFAULTS)");
    }

    /** Without notification settings: the defaults. */
    public ChfSettings(UUID nfInstanceId, URI nrf, String nfAddress, List<ChfProfile.Range> supiRanges,
                       List<ChfProfile.Range> gpsiRanges, List<ChfProfile.Range> plmnRanges, int heartbeatSeconds,
                       Path tokenKeys) {
        this(nfInstanceId, nrf, nfAddress, supiRanges, gpsiRanges, plmnRanges, heartbeatSeconds, tokenKeys,
                ChargingNotifications.Settings.DEFAULTS, ChargingTerms.DEFAULTS, CdrSettings.DEFAULTS);
    }

    public ChfSettings withNotifications(ChargingNotifications.Settings settings) {
        return new ChfSettings(nfInstanceId, nrf, nfAddress, supiRanges, gpsiRanges, plmnRanges, heartbeatSeconds,
                tokenKeys, settings, terms, cdrs);
    }

    public ChfSettings withTerms(ChargingTerms grantTerms) {
        return new ChfSettings(nfInstanceId, nrf, nfAddress, supiRanges, gpsiRanges, plmnRanges, heartbeatSeconds,
                tokenKeys, notifications, grantTerms, cdrs);
    }

    public ChfSettings withCdrs(CdrSettings settings) {
        return new ChfSettings(nfInstanceId, nrf, nfAddress, supiRanges, gpsiRanges, plmnRanges, heartbeatSeconds,
                tokenKeys, notifications, terms, settings);
    }

    public ChfSettings withNrf(URI apiRoot, String address) {
        return new ChfSettings(nfInstanceId, apiRoot, address, supiRanges, gpsiRanges, plmnRanges, heartbeatSeconds,
                tokenKeys, notifications, terms, cdrs);
    }

    public ChfSettings withTokenKeys(Path jwks) {
        return new ChfSettings(nfInstanceId, nrf, nfAddress, supiRanges, gpsiRanges, plmnRanges, heartbeatSeconds,
                jwks, notifications, terms, cdrs);
    }

    public ChfSettings withHeartbeatSeconds(int seconds) {
        return new ChfSettings(nfInstanceId, nrf, nfAddress, supiRanges, gpsiRanges, plmnRanges, seconds,
                tokenKeys, notifications, terms, cdrs);
    }

    public ChfSettings withRanges(List<ChfProfile.Range> supi, List<ChfProfile.Range> gpsi, List<ChfProfile.Range> plmn) {
        return new ChfSettings(nfInstanceId, nrf, nfAddress, supi, gpsi, plmn, heartbeatSeconds, tokenKeys,
                notifications, terms, cdrs);
    }
}
