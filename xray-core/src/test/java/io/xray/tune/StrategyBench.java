package io.xray.tune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * In-process companion of {@code bench/tune-compare}: the median over seeds of the best value found
 * after 10, 20 and 40 trials, for the Bayesian and random strategies on Branin, Hartmann-6 and a
 * noisy learning-rate x batch-size function (the same definitions as {@code bench/tune_functions.py},
 * the noise drawn by Java). A quick check while changing the Bayesian strategy; the figures that
 * count are the bench script's, which runs every trial as a process.
 *
 * <p>usage: {@code java -cp ... io.xray.tune.StrategyBench [SEEDS] [FIRST-SEED]} (20 seeds from 1 by
 * default; other seeds, say {@code 200 101}, check that a figure is not the luck of the bench's seeds)
 */
public final class StrategyBench {

    private static final int[] AT = {10, 20, 40};

    private StrategyBench() {}

    public static void main(String[] args) {
        int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int first = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        run("branin", TestFunctions.braninSpace(), TestFunctions::branin, null, first, seeds);
        run("hartmann6", hartmannSpace(), StrategyBench::hartmann6, null, first, seeds);
        run("noisy", noisySpace(), StrategyBench::noisyTrue, 0.01, first, seeds);
    }

    private static void run(String name, SearchSpace space, ToDoubleFunction<Map<String, String>> f, Double noise,
            int first, int seeds) {
        for (SearchStrategy strategy : List.of(SearchStrategy.bayesian(), SearchStrategy.random())) {
            double[][] best = new double[AT.length][seeds];
            long start = System.nanoTime();
            for (int s = 0; s < seeds; s++) {
                long seed = first + s;
                Suggester suggester = strategy.create(space, seed);
                Random noiseRandom = new Random(999 + seed);
                List<Suggester.Observation> observed = new ArrayList<>();
                double bestObserved = Double.POSITIVE_INFINITY;
                double bestTrue = Double.POSITIVE_INFINITY;
                for (int t = 0; t < AT[AT.length - 1]; t++) {
                    Map<String, String> values = suggester.suggest(t, observed, List.of());
                    double truth = f.applyAsDouble(values);
                    double y = noise == null ? truth : truth + noise * noiseRandom.nextGaussian();
                    if (y < bestObserved) {
                        bestObserved = y;
                        bestTrue = truth;
                    }
                    observed.add(new Suggester.Observation(values, -y));
                    for (int a = 0; a < AT.length; a++) {
                        if (t + 1 == AT[a]) {
                            best[a][s] = bestTrue;
                        }
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%-10s %-10s after 10 %.4f  after 20 %.4f  after 40 %.4f  (%.1f s)%n", name, strategy,
                    median(best[0]), median(best[1]), median(best[2]), (System.nanoTime() - start) / 1e9);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static SearchSpace hartmannSpace() {
        List<Parameter> parameters = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            parameters.add(ContinuousParameter.linear("x" + i, 0, 1));
        }
        return SearchSpace.of(parameters.toArray(new Parameter[0]));
    }

    private static final double[][] A = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8},
        {17, 8, 0.05, 10, 0.1, 14}};
    private static final double[][] P = {{1312, 1696, 5569, 124, 8283, 5886}, {2329, 4135, 8307, 3736, 1004, 9991},
        {2348, 1451, 3522, 2883, 3047, 6650}, {4047, 8828, 8732, 5743, 1091, 381}};
    private static final double[] ALPHA = {1.0, 1.2, 3.0, 3.2};

    static double hartmann6(Map<String, String> values) {
        double total = 0;
        for (int i = 0; i < 4; i++) {
            double inner = 0;
            for (int j = 0; j < 6; j++) {
                double x = Double.parseDouble(values.get("x" + (j + 1)));
                inner += A[i][j] * (x - P[i][j] * 1e-4) * (x - P[i][j] * 1e-4);
            }
            total -= ALPHA[i] * Math.exp(-inner);
        }
        return total;
    }

    static SearchSpace noisySpace() {
        return SearchSpace.of(ContinuousParameter.log("lr", 1e-4, 0.1), CategoricalParameter.of("batch", "32", "64", "128"));
    }

    static double noisyTrue(Map<String, String> values) {
        double lr = Math.log10(Double.parseDouble(values.get("lr")));
        String batch = values.get("batch");
        double centre = switch (batch) { case "32" -> -3.0; case "64" -> -2.7; default -> -2.4; };
        double offset = switch (batch) { case "32" -> 0.02; case "64" -> 0.0; default -> 0.01; };
        return 0.1 + 0.05 * (lr - centre) * (lr - centre) + offset;
    }
}
