package io.xray.tune;

import java.util.List;
import java.util.Map;

/** A strategy bound to a space and a seed: suggests trial values from earlier results. */
interface Suggester {

    /**
     * An earlier trial's values and score.
     *
     * @param values its values
     * @param value its objective oriented so that larger is better (finite)
     */
    record Observation(Map<String, String> values, double value) {}

    /**
     * @param trial the 0-based index of the trial to suggest
     * @param observed finished trials the suggestion may use, in trial order
     * @param pending trials started but not yet finished (or not yet usable), in trial order
     * @return the trial's values, one per parameter, in the space's order
     */
    Map<String, String> suggest(int trial, List<Observation> observed, List<Map<String, String>> pending);

    /**
     * @param seed a seed
     * @param parts further values
     * @return a well-mixed 64-bit value of them (SplitMix64 steps)
     */
    static long mix(long seed, long... parts) {
        long z = splitMix(seed);
        for (long part : parts) {
            z = splitMix(z ^ part);
        }
        return z;
    }

    private static long splitMix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
