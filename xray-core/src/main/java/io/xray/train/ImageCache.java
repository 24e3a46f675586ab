package io.xray.train;

import io.xray.XrayException;
import io.xray.data.ImageRecord;
import io.xray.image.GrayImage;
import io.xray.image.Grayscale;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every image of a split decoded once, converted to 8-bit grayscale and resized to the
 * preprocessing's shorter side, kept in memory (one byte per pixel). Epochs then augment or
 * centre-crop these pixels instead of decoding JPEG files again.
 */
final class ImageCache {

    private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);

    private final List<ImageRecord> records;
    private final List<GrayImage> images;
    private final Map<Path, Integer> indexByPath;

    private ImageCache(List<ImageRecord> records, List<GrayImage> images) {
        this.records = records;
        this.images = images;
        this.indexByPath = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            indexByPath.putIfAbsent(records.get(i).path(), i);
        }
    }

    /**
     * Decodes and resizes records on several threads.
     *
     * @param what a name for the log, such as {@code "train"}
     * @param records the distinct records to cache
     * @param decoder the decoder, with its limits
     * @param preprocessing gives the size to resize to
     * @param threads decoding threads
     */
    static ImageCache build(
            String what, List<ImageRecord> records, ImageDecoder decoder, Preprocessing preprocessing, int threads) {
        long start = System.nanoTime();
        List<GrayImage> images = new ArrayList<>(records.size());
        AtomicInteger done = new AtomicInteger();
        int step = Math.max(1, records.size() / 10);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), runnable -> {
            Thread thread = new Thread(runnable, "xray-image-cache");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<GrayImage>> futures = new ArrayList<>(records.size());
            for (ImageRecord record : records) {
                futures.add(pool.submit(() -> {
                    GrayImage resized = preprocessing.resize(Grayscale.of(decoder.decode(record.path())));
                    int count = done.incrementAndGet();
                    if (records.size() >= 500 && (count % step == 0 || count == records.size())) {
                        LOG.info("Caching {} images: {}/{}", what, count, records.size());
                    }
                    return resized;
                }));
            }
            for (Future<GrayImage> future : futures) {
                images.add(future.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XrayException("interrupted while caching " + what + " images", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new XrayException("cannot cache " + what + " images: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        long bytes = images.stream().mapToLong(image -> image.pixels().length).sum();
        LOG.info(
                "Cached {} {} images ({} MB of 8-bit pixels) in {} s",
                images.size(),
                what,
                bytes / (1 << 20),
                String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        return new ImageCache(List.copyOf(records), List.copyOf(images));
    }

    int size() {
        return images.size();
    }

    GrayImage image(int index) {
        return images.get(index);
    }

    ImageRecord record(int index) {
        return records.get(index);
    }

    int label(int index) {
        return records.get(index).label().index();
    }

    int[] labels() {
        int[] labels = new int[records.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = label(i);
        }
        return labels;
    }

    int indexOf(ImageRecord record) {
        Integer index = indexByPath.get(record.path());
        if (index == null) {
            throw new IllegalArgumentException("not cached: " + record.path());
        }
        return index;
    }

    /**
     * @param index an image's index
     * @param preprocessing the crop and normalisation
     * @return that image's centre crop, normalised, CHW
     */
    float[] centreCrop(int index, Preprocessing preprocessing) {
        GrayImage image = images.get(index);
        return preprocessing.normalize(preprocessing.centreCrop(image));
    }
}
