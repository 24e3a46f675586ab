package io.xray.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NearDuplicateFinderTest {

    private static List<String> pairs(long[] hashes, int threshold, boolean buckets) {
        List<String> found = new ArrayList<>();
        NearDuplicateFinder.PairSink sink = (i, j, d) -> found.add(i + "-" + j + ":" + d);
        if (buckets) {
            NearDuplicateFinder.buckets(hashes, threshold, sink);
        } else {
            NearDuplicateFinder.bruteForce(hashes, threshold, sink);
        }
        found.sort(null);
        return found;
    }

    @Test
    void buckets_shouldFindExactlyWhatBruteForceFinds() {
        Random random = new Random(11);
        long[] hashes = new long[3000];
        for (int i = 0; i < hashes.length; i++) {
            if (i > 0 && i % 7 == 0) {
                long flipped = hashes[i - 1];
                for (int k = random.nextInt(7); k > 0; k--) {
                    flipped ^= 1L << random.nextInt(64);
                }
                hashes[i] = flipped; // a near copy of the previous hash, 0 to 6 bits away
            } else {
                hashes[i] = random.nextLong();
            }
        }

        for (int threshold : new int[] {0, 2, 4, 6}) {
            List<String> expected = pairs(hashes, threshold, false);
            assertThat(pairs(hashes, threshold, true)).isEqualTo(expected);
            assertThat(expected).isNotEmpty();
        }
    }
}
