package io.xray.train;

import io.xray.XrayException;
import io.xray.image.Preprocessing;
import io.xray.image.TrainingAugmentation;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Assembles an epoch's training batches from cached pixels on a background thread, one batch
 * ahead of the training loop: while the network trains on batch k, batch k + 1 is augmented and
 * normalised. Batch k's random numbers come from a generator seeded by (seed, epoch, k) alone, so
 * the batches are the same whichever thread makes them and whether or not the run was resumed.
 */
final class BatchLoader implements AutoCloseable {

    /** One assembled batch, plain Java arrays (no native memory crosses threads). */
    record Batch(float[] chw, float[] labels, int count) {}

    private final ImageCache cache;
    private final Preprocessing preprocessing;
    private final TrainingAugmentation augmentation;
    private final ExecutorService worker;
    private final Runnable beforeBatch;

    BatchLoader(ImageCache cache, Preprocessing preprocessing, TrainingAugmentation augmentation) {
        this(cache, preprocessing, augmentation, null);
    }

    /** @param beforeBatch runs on the loader thread before each batch is assembled (a test seam); may be null */
    BatchLoader(ImageCache cache, Preprocessing preprocessing, TrainingAugmentation augmentation, Runnable beforeBatch) {
        this.beforeBatch = beforeBatch;
        this.cache = cache;
        this.preprocessing = preprocessing;
        this.augmentation = augmentation;
        this.worker = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "xray-batch-prefetch");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Iterates over one epoch's batches, prefetching the next while the caller trains. */
    final class Epoch {
        private final int[] order;
        private final int batchSize;
        private final int batches;
        private final long seed;
        private final int epoch;
        private Future<Batch> next;
        private int produced;
        private double waitSeconds;

        private Epoch(int[] order, int batchSize, long seed, int epoch) {
            this.order = order;
            this.batchSize = batchSize;
            this.seed = seed;
            this.epoch = epoch;
            // A last batch of one image cannot train BatchNorm; it is dropped.
            int full = order.length / batchSize;
            int rest = order.length % batchSize;
            this.batches = full + (rest >= 2 ? 1 : 0);
            if (batches > 0) {
                next = worker.submit(() -> assemble(0));
            }
        }

        int batches() {
            return batches;
        }

        boolean hasNext() {
            return produced < batches;
        }

        /** @return the next batch, waiting for it if it is not ready (time counted as data time) */
        Batch next() {
            long start = System.nanoTime();
            try {
                Batch batch = next.get();
                int following = ++produced;
                next = following < batches ? worker.submit(() -> assemble(following)) : null;
                waitSeconds += (System.nanoTime() - start) / 1e9;
                return batch;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new XrayException("interrupted while preparing a batch", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new XrayException("cannot prepare a batch: " + e.getCause(), e.getCause());
            }
        }

        /** @return seconds the training loop spent waiting for batches */
        double waitSeconds() {
            return waitSeconds;
        }

        private Batch assemble(int batchIndex) {
            if (beforeBatch != null) {
                beforeBatch.run();
            }
            int start = batchIndex * batchSize;
            int count = Math.min(batchSize, order.length - start);
            int size = preprocessing.cropSize();
            int plane = 3 * size * size;
            float[] chw = new float[count * plane];
            float[] labels = new float[count];
            Random random = new Random(Seeds.mix(seed, epoch, batchIndex + 1L));
            for (int i = 0; i < count; i++) {
                int index = order[start + i];
                float[] image = augmentation == null
                        ? preprocessing.normalize(preprocessing.centreCrop(cache.image(index)))
                        : augmentation.toChw(cache.image(index), random);
                System.arraycopy(image, 0, chw, i * plane, plane);
                labels[i] = cache.label(index);
            }
            return new Batch(chw, labels, count);
        }
    }

    /**
     * @param order indices into the cache, in the epoch's order
     * @param batchSize images per batch
     * @param seed the run's seed
     * @param epoch the 1-based epoch
     * @return the epoch's batches; the first is already being prepared
     */
    Epoch epoch(int[] order, int batchSize, long seed, int epoch) {
        return new Epoch(order, batchSize, seed, epoch);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
