package io.credence.server;

import io.credence.nchf.ChargingTerms;
import io.credence.nchf.nrf.ChfProfile;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The options of {@code credence serve} that make it a CHF a 5G core finds and trusts (a picocli mixin). */
public final class ChfOptions {
    @Option(names = "--nrf-url", paramLabel = "URL",
            description = "the NRF's apiRoot (http(s)://host:port): register there as a CHF (TS 29.510), send "
                    + "heartbeats, deregister on a clean stop")
    String nrfUrl;

    @Option(names = "--nf-instance-id", paramLabel = "UUID",
            description = "this CHF's NF instance id, default: one chosen at the first start and kept in DATA/nf-instance-id")
    String nfInstanceId;

    @Option(names = "--nf-address", paramLabel = "ADDR",
            description = "IPv4 address or FQDN the NRF gives consumers for this CHF, default --host")
    String nfAddress;

    @Option(names = "--nrf-heartbeat-seconds", defaultValue = "30",
            description = "heartbeat interval proposed to the NRF (its answer decides), default ${DEFAULT-VALUE}")
    int heartbeatSeconds;

    @Option(names = "--chf-supi-range", paramLabel = "START-END|pattern:REGEX",
            description = "SUPIs (IMSI digits) charged here, told to the NRF in chfInfo; repeat for more")
    List<String> supiRanges = new ArrayList<>();

    @Option(names = "--chf-gpsi-range", paramLabel = "START-END|pattern:REGEX",
            description = "GPSIs (MSISDN digits) charged here, told to the NRF in chfInfo; repeat for more")
    List<String> gpsiRanges = new ArrayList<>();

    @Option(names = "--chf-plmn-range", paramLabel = "START-END|pattern:REGEX",
            description = "PLMNs (MCC and MNC digits, such as 00101) served here, told to the NRF; repeat for more")
    List<String> plmnRanges = new ArrayList<>();

    @Option(names = "--nrf-token-keys", paramLabel = "FILE",
            description = "the NRF's public keys (a JWK Set, or PEM certificates or public keys): accept its OAuth2 access tokens on the Nchf API next to "
                    + "API keys; the file is read again when it changes")
    Path tokenKeys;

    @Option(names = "--quota-threshold-percent", defaultValue = "20",
            description = "Nchf grants carry a quota threshold at this share of the grant (0..99, 0: none): the "
                    + "consumer reports and gets its next grant before the quota runs out, default ${DEFAULT-VALUE}")
    int quotaThresholdPercent;

    @Option(names = "--quota-holding-seconds", defaultValue = "0",
            description = "Nchf grants carry this quotaHoldingTime: a rating group idle that long gives its quota back "
                    + "(0: none), default ${DEFAULT-VALUE}")
    int quotaHoldingSeconds;

    @Option(names = "--nchf-volume-limit-bytes", defaultValue = "0",
            description = "VOLUME_LIMIT trigger: the consumer closes a usage container every N bytes (0: none)")
    long volumeLimitBytes;

    @Option(names = "--nchf-time-limit-seconds", defaultValue = "0",
            description = "TIME_LIMIT trigger: the consumer closes a usage container every N seconds (0: none)")
    long timeLimitSeconds;

    @Option(names = "--nchf-failure-handling", defaultValue = "RETRY_AND_TERMINATE",
            description = "what an Nchf consumer does when this CHF does not answer: TERMINATE, CONTINUE or "
                    + "RETRY_AND_TERMINATE, default ${DEFAULT-VALUE}")
    String failureHandling;

    @Option(names = "--cdr-files", defaultValue = "on", paramLabel = "on|off",
            description = "write charges over Nchf and Gy/Ro as TS 32.298 CHF CDRs in TS 32.297 files under DATA/cdr, "
                    + "default ${DEFAULT-VALUE}")
    String cdrFiles;

    @Option(names = "--cdr-node-id", paramLabel = "ID",
            description = "the node ID in CDR file names (1..32 letters, digits, '-'), default chf- and the NF instance "
                    + "id's first 8 characters")
    String cdrNodeId;

    @Option(names = "--cdr-file-max-bytes", defaultValue = "16777216",
            description = "a CDR file is closed before it grows past this, default ${DEFAULT-VALUE}")
    long cdrFileMaxBytes;

    @Option(names = "--cdr-file-max-seconds", defaultValue = "900",
            description = "a CDR file is closed when it has been open this long, default ${DEFAULT-VALUE}")
    long cdrFileMaxSeconds;

    @Option(names = "--cdr-file-max-cdrs", defaultValue = "100000",
            description = "a CDR file is closed when it holds this many CDRs, default ${DEFAULT-VALUE}")
    long cdrFileMaxCdrs;

    /** The settings, or a {@link CommandLine.ParameterException} naming the option at fault. */
    ChfSettings settings(CommandLine commandLine, String host) {
        UUID id = null;
        if (nfInstanceId != null) {
            try {
                id = UUID.fromString(nfInstanceId);
            } catch (IllegalArgumentException notUuid) {
                throw refused(commandLine, "--nf-instance-id must be a UUID, was '" + nfInstanceId + "'");
            }
        }
        if (heartbeatSeconds < 1 || heartbeatSeconds > 3600) {
            throw refused(commandLine, "--nrf-heartbeat-seconds must be 1..3600, was " + heartbeatSeconds);
        }
        if (quotaThresholdPercent < 0 || quotaThresholdPercent > 99) {
            throw refused(commandLine, "--quota-threshold-percent must be 0..99, was " + quotaThresholdPercent);
        }
        if (quotaHoldingSeconds < 0 || quotaHoldingSeconds > 86_400) {
            throw refused(commandLine, "--quota-holding-seconds must be 0..86400, was " + quotaHoldingSeconds);
        }
        if (volumeLimitBytes < 0) {
            throw refused(commandLine, "--nchf-volume-limit-bytes must be >= 0, was " + volumeLimitBytes);
        }
        if (timeLimitSeconds < 0 || timeLimitSeconds > 0xFFFF_FFFFL) {
            throw refused(commandLine, "--nchf-time-limit-seconds must be 0..4294967295, was " + timeLimitSeconds);
        }
        if (!List.of("TERMINATE", "CONTINUE", "RETRY_AND_TERMINATE").contains(failureHandling)) {
            throw refused(commandLine, "--nchf-failure-handling must be TERMINATE, CONTINUE or RETRY_AND_TERMINATE, was '"
                    + failureHandling + "'");
        }
        if (!cdrFiles.equals("on") && !cdrFiles.equals("off")) {
            throw refused(commandLine, "--cdr-files must be on or off, was '" + cdrFiles + "'");
        }
        if (cdrNodeId != null && !cdrNodeId.matches("[A-Za-z0-9-]{1,32}")) {
            throw refused(commandLine, "--cdr-node-id must be 1..32 letters, digits or '-', was '" + cdrNodeId + "'");
        }
        if (cdrFileMaxBytes < 1L << 17 || cdrFileMaxBytes > 0xFFFF_FFFFL) {
            throw refused(commandLine, "--cdr-file-max-bytes must be 131072..4294967295, was " + cdrFileMaxBytes);
        }
        if (cdrFileMaxSeconds < 1 || cdrFileMaxSeconds > 86_400) {
            throw refused(commandLine, "--cdr-file-max-seconds must be 1..86400, was " + cdrFileMaxSeconds);
        }
        if (cdrFileMaxCdrs < 1 || cdrFileMaxCdrs > 0xFFFF_FFFFL) {
            throw refused(commandLine, "--cdr-file-max-cdrs must be 1..4294967295, was " + cdrFileMaxCdrs);
        }
        if (tokenKeys != null && !Files.isReadable(tokenKeys)) {
            throw refused(commandLine, "--nrf-token-keys: cannot read " + tokenKeys);
        }
        ChfSettings settings = new ChfSettings(id, null, null, List.of(), List.of(), List.of(), heartbeatSeconds, tokenKeys)
                .withTerms(new ChargingTerms(quotaThresholdPercent, quotaHoldingSeconds, volumeLimitBytes,
                        timeLimitSeconds, failureHandling, false))
                .withCdrs(new CdrSettings(cdrFiles.equals("on"), cdrNodeId, cdrFileMaxBytes,
                        java.time.Duration.ofSeconds(cdrFileMaxSeconds), cdrFileMaxCdrs))
                .withRanges(ranges(commandLine, "--chf-supi-range", supiRanges, 5, 15),
                        ranges(commandLine, "--chf-gpsi-range", gpsiRanges, 5, 15),
                        ranges(commandLine, "--chf-plmn-range", plmnRanges, 5, 6));
        if (nrfUrl == null) {
            if (nfAddress != null) {
                throw refused(commandLine, "--nf-address needs --nrf-url");
            }
            return settings;
        }
        URI nrf;
        try {
            nrf = new URI(nrfUrl);
        } catch (URISyntaxException bad) {
            throw refused(commandLine, "--nrf-url is not a URL: " + bad.getMessage());
        }
        if (!("http".equals(nrf.getScheme()) || "https".equals(nrf.getScheme())) || nrf.getHost() == null) {
            throw refused(commandLine, "--nrf-url must be http(s)://host[:port], was '" + nrfUrl + "'");
        }
        String address = nfAddress != null ? nfAddress : host;
        if (nfAddress == null && isWildcard(host)) {
            throw refused(commandLine, "--nrf-url needs --nf-address: --host " + host
                    + " listens everywhere, so it is no address a consumer could be given");
        }
        if (!ChfProfile.isIpv4(address) && !address.matches("[A-Za-z0-9.-]+\\.[A-Za-z]{2,63}\\.?")) {
            throw refused(commandLine, (nfAddress != null ? "--nf-address" : "--host") + " must be an IPv4 address or an"
                    + " FQDN to be registered at the NRF, was '" + address + "'" + (nfAddress != null ? ""
                    : "; name one with --nf-address"));
        }
        return settings.withNrf(nrf, address);
    }

    private static boolean isWildcard(String host) {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static List<ChfProfile.Range> ranges(CommandLine commandLine, String option, List<String> values,
                                                 int digitsMin, int digitsMax) {
        List<ChfProfile.Range> ranges = new ArrayList<>();
        for (String value : values) {
            try {
                ranges.add(ChfProfile.Range.parse(value, digitsMin, digitsMax));
            } catch (IllegalArgumentException bad) {
                throw refused(commandLine, option + ": " + bad.getMessage());
            }
        }
        return ranges;
    }

    private static CommandLine.ParameterException refused(CommandLine commandLine, String message) {
        return new CommandLine.ParameterException(commandLine, message);
    }
}
