package io.xray.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching: requests enter a bounded queue; one model thread takes the first waiting
 * request, then keeps taking requests for up to {@code maxWait} or until {@code maxBatchSize}
 * images are gathered, and runs them through the model as one batch. A request larger than
 * {@code maxBatchSize} runs alone, in chunks. Requests whose future is already done (timed out by
 * the server) are skipped without touching the model.
 */
final class PredictionBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PredictionBatcher.class);

    /** Thrown by {@link #submit} when the queue is full or the batcher is closed. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message, null, false, false);
        }
    }

    private record Job(float[][] images, CompletableFuture<double[]> result) {
    }

    private final InferenceModel model;
    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final BlockingQueue<Job> queue;
    private final IntConsumer batchSizeListener;
    private final Thread thread;
    private final AtomicInteger largestBatch = new AtomicInteger();
    private volatile boolean accepting = true;
    private volatile boolean running = true;
    private volatile Job carried;

    PredictionBatcher(InferenceModel model, int maxBatchSize, Duration maxWait, int queueCapacity,
                      IntConsumer batchSizeListener) {
        this.model = model;
        this.maxBatchSize = maxBatchSize;
        this.maxWaitNanos = maxWait.toNanos();
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.batchSizeListener = batchSizeListener;
        this.thread = new Thread(this::loop, "xray-model");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * @param images preprocessed images of one request
     * @return the future probabilities, one per image
     * @throws Rejected when the queue is full or the batcher no longer accepts work
     */
    CompletableFuture<double[]> submit(float[][] images) throws Rejected {
        if (!accepting) {
            throw new Rejected("server is shutting down");
        }
        Job job = new Job(images, new CompletableFuture<>());
        if (!queue.offer(job)) {
            throw new Rejected("prediction queue is full (" + (queue.size() + queue.remainingCapacity()) + " requests waiting)");
        }
        return job.result();
    }

    /** @return requests waiting for the model */
    int queueDepth() {
        return queue.size() + (carried != null ? 1 : 0);
    }

    /** @return the largest batch (in images) the model has been called with */
    int largestBatch() {
        return largestBatch.get();
    }

    private void loop() {
        while (running || carried != null || !queue.isEmpty()) {
            try {
                Job first = carried != null ? carried : queue.poll(50, TimeUnit.MILLISECONDS);
                carried = null;
                if (first == null) {
                    continue;
                }
                List<Job> batch = new ArrayList<>();
                batch.add(first);
                int images = first.images().length;
                long deadline = System.nanoTime() + maxWaitNanos;
                while (images < maxBatchSize) {
                    long left = deadline - System.nanoTime();
                    Job next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    if (images + next.images().length > maxBatchSize) {
                        carried = next;
                        break;
                    }
                    batch.add(next);
                    images += next.images().length;
                }
                run(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException | Error e) {
                LOG.error("model thread failure", e);
            }
        }
        // Anything left when the thread stops is answered rather than abandoned.
        Job left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new Rejected("server stopped before the model ran"));
        }
    }

    private void run(List<Job> batch) {
        batch.removeIf(job -> job.result().isDone());
        if (batch.isEmpty()) {
            return;
        }
        if (batch.size() == 1 && batch.get(0).images().length > maxBatchSize) {
            runChunked(batch.get(0));
            return;
        }
        int total = 0;
        for (Job job : batch) {
            total += job.images().length;
        }
        float[][] all = new float[total][];
        int offset = 0;
        for (Job job : batch) {
            System.arraycopy(job.images(), 0, all, offset, job.images().length);
            offset += job.images().length;
        }
        double[] probabilities;
        try {
            probabilities = forward(all);
        } catch (RuntimeException e) {
            batch.forEach(job -> job.result().completeExceptionally(e));
            return;
        }
        offset = 0;
        for (Job job : batch) {
            double[] slice = new double[job.images().length];
            System.arraycopy(probabilities, offset, slice, 0, slice.length);
            offset += slice.length;
            job.result().complete(slice);
        }
    }

    private void runChunked(Job job) {
        double[] out = new double[job.images().length];
        try {
            for (int from = 0; from < out.length; from += maxBatchSize) {
                int to = Math.min(out.length, from + maxBatchSize);
                float[][] chunk = new float[to - from][];
                System.arraycopy(job.images(), from, chunk, 0, chunk.length);
                System.arraycopy(forward(chunk), 0, out, from, chunk.length);
            }
        } catch (RuntimeException e) {
            job.result().completeExceptionally(e);
            return;
        }
        job.result().complete(out);
    }

    private double[] forward(float[][] images) {
        batchSizeListener.accept(images.length);
        largestBatch.accumulateAndGet(images.length, Math::max);
        double[] probabilities = model.predictProbabilities(images);
        if (probabilities == null || probabilities.length != images.length) {
            throw new IllegalStateException("model returned " + (probabilities == null ? "null" : probabilities.length
                    + " probabilities") + " for " + images.length + " images");
        }
        return probabilities;
    }

    /** Stops accepting work; waits up to {@code drain} for queued work to finish, then stops the thread. */
    void close(Duration drain) {
        accepting = false;
        running = false;
        try {
            thread.join(Math.max(1, drain.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("model thread still busy after {} ms; abandoning it", drain.toMillis());
            thread.interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
