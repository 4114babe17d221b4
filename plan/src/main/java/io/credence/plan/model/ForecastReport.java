package io.credence.plan.model;

import io.credence.plan.model.Forecast.ClassForecast;
import io.credence.plan.model.Forecast.LayerForecast;
import io.credence.plan.model.Forecast.PoolForecast;
import io.credence.plan.model.Forecast.Value;

import java.util.List;
import java.util.Locale;

/** Forecasts and sweeps as the text tables {@code credence plan} prints. */
public final class ForecastReport {
    private ForecastReport() {}

    public static String render(Forecast forecast) {
        StringBuilder out = new StringBuilder();
        boolean exact = forecast.method() == Forecast.Method.EXACT;
        out.append(exact ? "Exact: steady state of the Markov chain derived from the stochastic Petri net\n"
                : "Simulated: seeded discrete-event simulation of the stochastic Petri net; ± is the 99 % confidence half-width\n");
        for (LayerForecast layer : forecast.layers()) {
            out.append('\n').append(layer.layer().jsonName()).append(" layer");
            if (exact) {
                out.append(String.format(Locale.ROOT, ": %,d tangible states, %,d vanishing markings eliminated"
                        + " (explored in %.2f s, solved in %.2f s)", layer.tangibleStates(), layer.vanishingMarkings(),
                        layer.exploreMillis() / 1000.0, layer.solveMillis() / 1000.0));
            } else {
                out.append(String.format(Locale.ROOT, " (simulated in %.2f s)", layer.solveMillis() / 1000.0));
            }
            out.append("; acceptance ").append(fmt(layer.acceptance(), 6)).append('\n');
            out.append(String.format(Locale.ROOT, "  %-16s %10s %22s %22s %20s %20s %22s %10s%n", "class", "offered/s",
                    "acceptance", "blocking", "mean in service", "settlements/h", "revenue/h", "W s"));
            for (ClassForecast c : layer.classes()) {
                out.append(String.format(Locale.ROOT, "  %-16s %10.4f %22s %22s %20s %20s %22s %10.3f%n", c.name(),
                        c.offeredPerSecond(), fmt(c.acceptance(), 6), fmt(c.blocking(), 6), fmt(c.inService(), 3),
                        fmt(c.settlementsPerHour(), 1), fmt(c.revenuePerHour(), 1), c.meanTimeInService()));
            }
            out.append(String.format(Locale.ROOT, "  %-16s %20s %24s %22s%n", "pool", "capacity", "mean used",
                    "utilisation"));
            for (PoolForecast p : layer.pools()) {
                out.append(String.format(Locale.ROOT, "  %-16s %,20d %24s %22s%n", p.pool().jsonName(), p.capacity(),
                        fmt(p.meanUsed(), 1), fmt(p.utilisation(), 6)));
            }
        }
        return out.toString();
    }

    /** One sweep point: the swept value and its forecast, or why the catalog cannot take that value. */
    public record Point(long value, Forecast forecast, String invalid) {}

    /** A row per value: every class's acceptance, every pool's utilisation and the revenue per hour of all classes. */
    public static String renderSweep(Sweep sweep, List<Point> points) {
        StringBuilder out = new StringBuilder("Sweep of " + sweep.parameter() + "\n");
        Forecast first = points.stream().map(Point::forecast).filter(f -> f != null).findFirst().orElse(null);
        if (first == null) {
            points.forEach(p -> out.append(String.format(Locale.ROOT, "%,16d  %s%n", p.value(), p.invalid())));
            return out.toString();
        }
        out.append(String.format(Locale.ROOT, "%16s", sweep.parameter().substring(sweep.parameter().lastIndexOf('.') + 1)));
        for (LayerForecast l : first.layers()) {
            l.classes().forEach(c -> out.append(String.format(Locale.ROOT, " %20s", "accept " + c.name())));
            l.pools().forEach(p -> out.append(String.format(Locale.ROOT, " %20s", "util " + l.layer().jsonName() + "."
                    + p.pool().jsonName())));
        }
        out.append(String.format(Locale.ROOT, " %18s%n", "revenue/h"));
        for (Point point : points) {
            out.append(String.format(Locale.ROOT, "%,16d", point.value()));
            if (point.forecast() == null) {
                out.append("  ").append(point.invalid()).append('\n');
                continue;
            }
            double revenue = 0;
            for (LayerForecast l : point.forecast().layers()) {
                for (ClassForecast c : l.classes()) {
                    out.append(String.format(Locale.ROOT, " %20s", fmt(c.acceptance(), 6)));
                    revenue += c.revenuePerHour().value();
                }
                l.pools().forEach(p -> out.append(String.format(Locale.ROOT, " %20s", fmt(p.utilisation(), 6))));
            }
            out.append(String.format(Locale.ROOT, " %,18.1f%n", revenue));
        }
        return out.toString();
    }

    static String fmt(Value v, int decimals) {
        String value = String.format(Locale.ROOT, "%,." + decimals + "f", v.value());
        return v.halfWidth() == 0 ? value : value + " ± " + String.format(Locale.ROOT, "%,." + decimals + "f", v.halfWidth());
    }
}
