package io.credence.charging;

import io.credence.admission.EffectiveUsage;

/**
 * What a billed admission's meter reports at its end, as the client sent it: the command keeps
 * these four figures and the engine works out the effective usage from them (the same way at
 * every replay).
 */
public record AdmissionUsage(long bytesMetered, long bytesDropped, long activeSeconds, long wallSeconds) {
    public AdmissionUsage {
        effective(bytesMetered, bytesDropped, activeSeconds, wallSeconds); // refuses figures that contradict
    }

    public EffectiveUsage effective() {
        return effective(bytesMetered, bytesDropped, activeSeconds, wallSeconds);
    }

    private static EffectiveUsage effective(long metered, long dropped, long active, long wall) {
        return EffectiveUsage.of(metered, dropped, active, wall);
    }
}
