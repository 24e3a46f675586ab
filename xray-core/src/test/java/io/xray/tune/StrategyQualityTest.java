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
}
