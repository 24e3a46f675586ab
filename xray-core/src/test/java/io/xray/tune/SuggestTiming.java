package io.xray.tune;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints how long the Bayesian strategy takes to suggest a point after 25, 50 and 100 trials, on
 * the seed notebook's space (log learning rate x categorical batch size) and on a 6-dimensional
 * one. Not a test: run it with {@code java -cp ... io.xray.tune.SuggestTiming}.
 */
public final class SuggestTiming {

    private SuggestTiming() {}

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        List<SearchSpace> spaces = List.of(
                SearchSpace.of(ContinuousParameter.log("learning-rate", 1e-4, 0.1),
                        CategoricalParameter.of("batch-size", "32", "64", "128")),
                SearchSpace.of(ContinuousParameter.linear("a", 0, 1), ContinuousParameter.linear("b", 0, 1),
                        ContinuousParameter.linear("c", 0, 1), ContinuousParameter.linear("d", 0, 1),
                        ContinuousParameter.linear("e", 0, 1), ContinuousParameter.linear("f", 0, 1)));
        for (SearchSpace space : spaces) {
            Suggester random = SearchStrategy.random().create(space, 1);
            Suggester bayesian = SearchStrategy.bayesian().create(space, 1);
            for (int n : new int[] {25, 50, 100}) {
                List<Suggester.Observation> observed = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Map<String, String> values = random.suggest(i, List.of(), List.of());
                    double[] u = space.unitOf(values);
                    double y = 0;
                    for (double v : u) {
                        y -= (v - 0.3) * (v - 0.3);
                    }
                    observed.add(new Suggester.Observation(values, y + 0.01 * Math.sin(17 * i)));
                }
                for (int r = 0; r < 10; r++) {
                    bayesian.suggest(n + 100 + r, observed, List.of());
                }
                int repeats = 10;
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                long cpu = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                for (int r = 0; r < repeats; r++) {
                    bayesian.suggest(n + r, observed, List.of());
                }
                double ms = (System.nanoTime() - start) / 1e6 / repeats;
                double cpuMs = (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / repeats;
                System.out.printf(Locale.ROOT,
                        "%d parameters (%d inputs), %d trials: %.1f ms per suggestion (%.1f ms of CPU)%n",
                        space.parameters().size(), space.featureCount(), n, ms, cpuMs);
            }
        }
    }
}
