package io.xray.tune;

import java.util.List;
import java.util.Map;
import java.util.Random;

/** Uniform draws on each parameter's scale, from (seed, trial) alone. */
final class RandomSearch implements Suggester {

    private final SearchSpace space;
    private final long seed;

    RandomSearch(SearchSpace space, long seed) {
        this.space = space;
        this.seed = seed;
    }

    @Override
    public Map<String, String> suggest(int trial, List<Observation> observed, List<Map<String, String>> pending) {
        Random random = new Random(Suggester.mix(seed, trial, 0x52414E44L));
        double[] u = new double[space.parameters().size()];
        for (int i = 0; i < u.length; i++) {
            u[i] = random.nextDouble();
        }
        return space.valuesAt(u);
    }
}
