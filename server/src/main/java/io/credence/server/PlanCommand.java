package io.credence.server;

import io.credence.admission.AdmissionPolicy;
import io.credence.plan.chain.NotConverged;
import io.credence.plan.chart.LineChart;
import io.credence.plan.load.Load;
import io.credence.plan.load.LoadException;
import io.credence.plan.load.LoadFile;
import io.credence.plan.model.CapacityModel;
import io.credence.plan.model.Forecast;
import io.credence.plan.model.ForecastReport;
import io.credence.plan.model.LayerModel;
import io.credence.plan.model.Planner;
import io.credence.plan.model.Sweep;
import io.credence.plan.net.StateSpaceTooLarge;
import io.credence.rating.CatalogException;
import io.credence.server.catalog.CatalogFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code credence plan}: what acceptance, pool utilisation, settlements and revenue follow from
 * the catalog's admission layers under a load, before a threshold or a pool is changed.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Capacity model of layered admission: the charging process as a stochastic Petri net, solved "
                + "exactly as a Markov chain (or simulated), per layer and service class."})
final class PlanCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--catalog", required = true, paramLabel = "FILE", description = "the catalog with the admission layers")
    Path catalog;

    @Option(names = "--load", required = true, paramLabel = "LOAD.yaml",
            description = "the load: per service class arrival rate, mean holding time, QoS parameters, price")
    Path load;

    @Option(names = "--states-max", defaultValue = "" + Planner.STATES_MAX_DEFAULT, paramLabel = "N",
            description = "most tangible states a layer's chain may have, default ${DEFAULT-VALUE}")
    int statesMax;

    @Option(names = "--simulate", description = "simulate (seeded discrete-event simulation, 99 % intervals) instead of solving")
    boolean simulate;

    @Option(names = "--seed", defaultValue = "1", description = "simulation seed, default ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--batches", defaultValue = "30", description = "simulation batches (batch means), default ${DEFAULT-VALUE}")
    int batches;

    @Option(names = "--batch-seconds", paramLabel = "S",
            description = "model time per simulation batch; default 20 mean holding times (or maintenance periods) of the slowest class")
    Double batchSeconds;

    @Option(names = "--sweep", paramLabel = "NAME=FROM..TO",
            description = "move one catalog figure: LAYER.pools.POOL or LAYER.PARAMETER.(min|max|threshold.value|"
                    + "threshold.fillPercent), e.g. bearer.pools.bandwidthKbps=1000000..10000000")
    String sweep;

    @Option(names = "--steps", defaultValue = "11", description = "sweep points, default ${DEFAULT-VALUE}")
    int steps;

    @Option(names = "--chart", paramLabel = "FILE.png", description = "with --sweep: also draw the curves as a PNG")
    Path chart;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        if (statesMax < 1 || statesMax > 50_000_000) {
            throw bad("--states-max must be 1..50000000, was " + statesMax);
        }
        if (chart != null && sweep == null) {
            throw bad("--chart draws a sweep: give --sweep too");
        }
        AdmissionPolicy policy;
        try {
            policy = CatalogFile.readAll(catalog).admission();
        } catch (CatalogFile.Invalid invalid) {
            throw bad("--catalog: " + invalid.getMessage());
        }
        if (policy == null) {
            throw bad("--catalog: " + catalog + " has no admission section, so there are no layers to plan");
        }
        Load loaded;
        try {
            loaded = LoadFile.read(load);
        } catch (LoadException invalid) {
            throw bad("--load: " + load + ": " + invalid.getMessage());
        } catch (IOException unreadable) {
            throw bad("--load: cannot read " + load + ": " + unreadable.getMessage());
        }
        if (sweep == null) {
            out.print(ForecastReport.render(forecast(policy, loaded)));
            return 0;
        }
        Sweep swept;
        try {
            swept = Sweep.parse(sweep, steps);
        } catch (IllegalArgumentException invalid) {
            throw bad("--sweep: " + invalid.getMessage());
        }
        List<ForecastReport.Point> points = new ArrayList<>();
        for (long value : swept.values()) {
            try {
                points.add(new ForecastReport.Point(value, forecast(swept.apply(policy, value), loaded), null));
            } catch (CatalogException invalid) {
                points.add(new ForecastReport.Point(value, null, invalid.getMessage()));
            }
        }
        out.print(ForecastReport.renderSweep(swept, points));
        if (chart != null) {
            drawChart(swept, points);
            out.println("chart: " + chart);
        }
        return 0;
    }

    private Forecast forecast(AdmissionPolicy policy, Load loaded) {
        List<LayerModel> layers;
        try {
            layers = CapacityModel.build(policy, loaded);
        } catch (LoadException invalid) {
            throw bad("--load: " + load + ": " + invalid.getMessage());
        }
        if (simulate) {
            Planner.SimulationPlan plan = Planner.SimulationPlan.around(layers, loaded.maintenancePeriodSeconds(), seed);
            if (batches < 2 || batches > 10_000) {
                throw bad("--batches must be 2..10000, was " + batches);
            }
            if (batchSeconds != null && !(batchSeconds > 0)) {
                throw bad("--batch-seconds must be above 0, was " + batchSeconds);
            }
            double batch = batchSeconds == null ? plan.batchSeconds() : batchSeconds;
            return Planner.simulate(layers, new Planner.SimulationPlan(seed, batches, batch, batch));
        }
        try {
            return Planner.exact(layers, statesMax);
        } catch (StateSpaceTooLarge tooLarge) {
            throw bad("the model is too large to solve exactly: " + tooLarge.getMessage() + " (--states-max "
                    + statesMax + "); raise --states-max, or add --simulate for a seeded simulation with 99 % intervals");
        } catch (NotConverged slow) {
            throw bad("the chain is too slow-mixing to solve iteratively (" + slow.getMessage() + "): classes whose "
                    + "rates differ by orders of magnitude share a pool; add --simulate for a seeded simulation with "
                    + "99 % intervals");
        } catch (IllegalStateException unsolvable) {
            // the vanishing markings' bounds, or a net the exact method cannot take (named in the message)
            throw bad("the model cannot be solved exactly: " + unsolvable.getMessage()
                    + "; add --simulate for a seeded simulation with 99 % intervals");
        }
    }

    private void drawChart(Sweep swept, List<ForecastReport.Point> points) throws IOException {
        List<ForecastReport.Point> valid = points.stream().filter(p -> p.forecast() != null).toList();
        if (valid.size() < 2) {
            throw bad("--chart: fewer than two sweep points are valid catalogs, nothing to draw");
        }
        double[] x = valid.stream().mapToDouble(ForecastReport.Point::value).toArray();
        List<LineChart.Series> series = new ArrayList<>();
        Forecast first = valid.getFirst().forecast();
        for (int l = 0; l < first.layers().size(); l++) {
            Forecast.LayerForecast layer = first.layers().get(l);
            for (int c = 0; c < layer.classes().size(); c++) {
                int li = l;
                int ci = c;
                series.add(new LineChart.Series("acceptance " + layer.classes().get(c).name(), valid.stream()
                        .mapToDouble(p -> p.forecast().layers().get(li).classes().get(ci).acceptance().value()).toArray(),
                        false));
            }
            for (int p = 0; p < layer.pools().size(); p++) {
                int li = l;
                int pi = p;
                series.add(new LineChart.Series("utilisation " + layer.layer().jsonName() + "."
                        + layer.pools().get(p).pool().jsonName(), valid.stream()
                        .mapToDouble(pt -> pt.forecast().layers().get(li).pools().get(pi).utilisation().value()).toArray(),
                        true));
            }
        }
        LineChart.write(chart, "Acceptance and utilisation as " + swept.parameter() + " moves", swept.parameter(),
                "probability / share", x, series, 1.0);
    }

    private CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
