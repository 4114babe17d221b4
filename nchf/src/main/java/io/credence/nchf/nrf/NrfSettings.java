package io.credence.nchf.nrf;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how this CHF registers.
 *
 * @param apiRoot        the NRF's apiRoot ({@code http://nrf.example:8000}); NFManagement is under it
 * @param profile        what is registered
 * @param requestTimeout how long one request to the NRF may take
 * @param retryMax       the longest wait between attempts while the NRF does not answer (the
 *                       first waits 1 s, each next one twice as long, up to this)
 */
public record NrfSettings(URI apiRoot, ChfProfile profile, Duration requestTimeout, Duration retryMax) {
    public static final Duration REQUEST_TIMEOUT_DEFAULT = Duration.ofSeconds(5);
    public static final Duration RETRY_MAX_DEFAULT = Duration.ofSeconds(30);

    public NrfSettings {
        Objects.requireNonNull(profile, "profile");
        String scheme = apiRoot.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || apiRoot.getHost() == null) {
            throw new IllegalArgumentException("the NRF's address must be an http(s)://host[:port] URL, was " + apiRoot);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero() || retryMax.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("requestTimeout must be positive and retryMax at least 1 s");
        }
    }

    public NrfSettings(URI apiRoot, ChfProfile profile) {
        this(apiRoot, profile, REQUEST_TIMEOUT_DEFAULT, RETRY_MAX_DEFAULT);
    }

    /** {@code {apiRoot}/nnrf-nfm/v1/nf-instances/{nfInstanceID}}: the profile's resource. */
    public URI instanceUri() {
        String root = apiRoot.toString().replaceAll("/+$", "");
        return URI.create(root + "/nnrf-nfm/v1/nf-instances/" + profile.instanceId());
    }
}
