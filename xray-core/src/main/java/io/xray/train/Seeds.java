package io.xray.train;

/**
 * Derives independent seeds from the run's seed and positions in the run (epoch, batch), so that
 * the random state of any point of training is a function of where it is, and a resumed run draws
 * exactly the numbers an uninterrupted one would, without saving any generator's internals.
 */
final class Seeds {

    private Seeds() {}

    /**
     * @param seed the run's seed
     * @param parts positions, such as the epoch and the batch
     * @return a well-mixed 64-bit seed (SplitMix64 finaliser applied after each part)
     */
    static long mix(long seed, long... parts) {
        long h = splitMix(seed);
        for (long part : parts) {
            h = splitMix(h ^ splitMix(part + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
