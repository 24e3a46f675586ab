package io.xray.tune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The Bayesian strategy against random search on Branin's function, in-process, over a few seeds. */
class StrategyQualityTest {

    private static double bestAfter(SearchStrategy strategy, long seed, int trials) {
        SearchSpace space = TestFunctions.braninSpace();
        Suggester suggester = strategy.create(space, seed);
        List<Suggester.Observation> observed = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < trials; i++) {
            var values = suggester.suggest(i, observed, List.of());
            double y = TestFunctions.branin(values);
            best = Math.min(best, y);
            observed.add(new Suggester.Observation(values, -y));
        }
        return best;
    }

    @Test
    void bayesian_shouldBeatRandomOnBraninOverSeeds() {
        int seeds = 5;
        double bayesian = 0;
        double random = 0;
        int wins = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            double b = bestAfter(SearchStrategy.bayesian(), seed, 25);
            double r = bestAfter(SearchStrategy.random(), seed, 25);
            bayesian += b / seeds;
            random += r / seeds;
            wins += b < r ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "Branin, 25 trials, %d seeds: mean best Bayesian %.4f, random %.4f (minimum 0.3979);"
                + " Bayesian better on %d seeds%n", seeds, bayesian, random, wins);
        assertThat(bayesian).isLessThan(0.8 * random);
        assertThat(wins).isGreaterThanOrEqualTo(3);
    }

    @Test
    void bayesian_shouldNotRepeatAnEarlierTrial_whenTheBestIsOnABound() {
        // better the larger the rate: the model keeps pointing at the bound 0.1, where candidates coincide
        SearchSpace space = SearchSpace.of(ContinuousParameter.log("learning-rate", 1e-4, 0.1),
                CategoricalParameter.of("batch-size", "32", "64", "128"));
        Suggester suggester = SearchStrategy.bayesian().create(space, 3);
        List<Suggester.Observation> observed = new ArrayList<>();
        java.util.Set<java.util.Map<String, String>> seen = new java.util.HashSet<>();
        for (int i = 0; i < 15; i++) {
            var values = suggester.suggest(i, observed, List.of());
            assertThat(seen.add(values)).as("trial %d repeats %s", i + 1, values).isTrue();
            double value = Math.log10(Double.parseDouble(values.get("learning-rate"))) + ("64".equals(values.get("batch-size")) ? 0.1 : 0);
            observed.add(new Suggester.Observation(values, value));
        }
    }
}
