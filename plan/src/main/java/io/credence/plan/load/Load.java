package io.credence.plan.load;

import java.util.List;

/**
 * What the capacity model is asked about: the service classes offered to the layers and how
 * often maintenance refreshes the resource database.
 *
 * @param maintenancePeriodSeconds mean time between maintenance runs (U), which return the pools of
 *                                 abandoned sessions
 */
public record Load(double maintenancePeriodSeconds, List<ServiceClass> classes) {
    public Load {
        classes = List.copyOf(classes);
    }
}
