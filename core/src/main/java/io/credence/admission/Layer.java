package io.credence.admission;

import java.util.Locale;
import java.util.Optional;

/**
 * The three admission layers, lowest first. A request names the one layer it belongs to (a
 * bearer for a PDU session, a service such as streaming, an application such as a game server)
 * and only that layer's ranges, thresholds and pools apply to it.
 */
public enum Layer {
    BEARER,
    SERVICE,
    APPLICATION;

    /** The name in catalog files, API bodies and error fields: {@code bearer}, {@code service}, {@code application}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Layer> ofJsonName(String name) {
        for (Layer layer : values()) {
            if (layer.jsonName().equals(name)) {
                return Optional.of(layer);
            }
        }
        return Optional.empty();
    }
}
