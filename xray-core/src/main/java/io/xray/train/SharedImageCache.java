package io.xray.train;

import io.xray.data.ImageRecord;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decoded images that several trainings on the same data share: a training decodes and resizes a
 * split's images (8-bit pixels, the preprocessing's shorter side) once, and every later training
 * given the same cache, the same records, decoder and resize size uses those pixels instead of
 * decoding the files again. A tuning run's trials share one
 * ({@link io.xray.tune.LocalTrialRunner}): without it each trial decoded the 5,216 images of the
 * full data anew (2-5 s, and about 330 MB of pixels plus the decoder's garbage per trial).
 *
 * <p>The cache holds the images of the last few (record list, decoder, resize) combinations
 * ({@value #ENTRIES}: the training and validation splits of two preprocessings), strongly, until
 * it is {@linkplain #clear() cleared} or no longer reachable; trainings may use it from several
 * threads at once (a second asking for the same images waits for the first's decoding).
 */
public final class SharedImageCache {

    private static final Logger LOG = LoggerFactory.getLogger(SharedImageCache.class);
    static final int ENTRIES = 4;

    private record Key(List<ImageRecord> records, ImageDecoder decoder, int resizeShorterSide) {}

    private final Map<Key, ImageCache> caches = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ImageCache> eldest) {
            return size() > ENTRIES;
        }
    };
    private int decodings;

    /** An empty cache. */
    public SharedImageCache() {}

    /**
     * @param what a name for the log, such as {@code "train"}
     * @param records the distinct records
     * @param decoder the decoder, with its limits (compared by identity)
     * @param preprocessing gives the size to resize to
     * @param threads decoding threads, when they must be decoded
     * @return the records' images, decoded now or by an earlier call
     */
    synchronized ImageCache get(String what, List<ImageRecord> records, ImageDecoder decoder,
            Preprocessing preprocessing, int threads) {
        Key key = new Key(List.copyOf(records), decoder, preprocessing.resizeShorterSide());
        ImageCache cache = caches.get(key);
        if (cache != null) {
            LOG.info("Reusing the {} {} images decoded for an earlier training in this run", cache.size(), what);
            return cache;
        }
        cache = ImageCache.build(what, key.records(), decoder, preprocessing, threads);
        decodings++;
        caches.put(key, cache);
        return cache;
    }

    /** @return how many lists of records this cache has decoded (each split of each preprocessing once) */
    public synchronized int decodings() {
        return decodings;
    }

    /** Forgets every image. */
    public synchronized void clear() {
        caches.clear();
    }

    /** @return the number of images held, over every entry */
    public synchronized int images() {
        int images = 0;
        for (ImageCache cache : new ArrayList<>(caches.values())) {
            images += cache.size();
        }
        return images;
    }
}
