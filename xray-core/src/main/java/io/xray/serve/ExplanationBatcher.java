package io.xray.serve;

import io.xray.model.Explanation;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching of explanation requests, as {@link PredictionBatcher} batches predictions: one
 * thread takes the first waiting image, gathers more for up to {@code maxWait} or until
 * {@code maxBatchSize}, and explains them with one {@link InferenceModel#explainAll} call (one
 * forward and one backward pass). Its own queue and thread, so explanations, which cost a backward
 * pass each, never hold predictions up behind them.
 */
final class ExplanationBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExplanationBatcher.class);

    private record Job(BufferedImage image, CompletableFuture<Explanation> result) {}

    private final InferenceModel model;
    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final BlockingQueue<Job> queue;
    private final Thread thread;
    private final java.util.concurrent.atomic.AtomicInteger largestBatch = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean accepting = true;
    private volatile boolean running = true;

    ExplanationBatcher(InferenceModel model, int maxBatchSize, Duration maxWait, int queueCapacity) {
        this.model = model;
        this.maxBatchSize = maxBatchSize;
        this.maxWaitNanos = maxWait.toNanos();
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = new Thread(this::loop, "xray-explain");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * @param image the decoded request image
     * @return the future explanation
     * @throws PredictionBatcher.Rejected when the queue is full or the batcher no longer accepts work
     */
    CompletableFuture<Explanation> submit(BufferedImage image) throws PredictionBatcher.Rejected {
        if (!accepting) {
            throw new PredictionBatcher.Rejected("server is shutting down");
        }
        Job job = new Job(image, new CompletableFuture<>());
        if (!queue.offer(job)) {
            throw new PredictionBatcher.Rejected("explanation queue is full ("
                    + (queue.size() + queue.remainingCapacity()) + " requests waiting)");
        }
        return job.result();
    }

    /** @return the largest batch the model has explained at once */
    int largestBatch() {
        return largestBatch.get();
    }

    private void loop() {
        while (running || !queue.isEmpty()) {
            try {
                Job first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Job> batch = new ArrayList<>();
                batch.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxBatchSize) {
                    long left = deadline - System.nanoTime();
                    Job next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                run(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException | Error e) {
                LOG.error("explanation thread failure", e);
            }
        }
        Job left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new PredictionBatcher.Rejected("server stopped before the model ran"));
        }
    }

    private void run(List<Job> batch) {
        batch.removeIf(job -> job.result().isDone());
        if (batch.isEmpty()) {
            return;
        }
        List<BufferedImage> images = new ArrayList<>(batch.size());
        for (Job job : batch) {
            images.add(job.image());
        }
        largestBatch.accumulateAndGet(images.size(), Math::max);
        List<Explanation> explanations;
        try {
            explanations = model.explainAll(images);
            if (explanations == null || explanations.size() != images.size()) {
                throw new IllegalStateException("model returned " + (explanations == null ? "null" : explanations.size()
                        + " explanations") + " for " + images.size() + " images");
            }
        } catch (RuntimeException e) {
            batch.forEach(job -> job.result().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(explanations.get(i));
        }
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
            LOG.warn("explanation thread still busy after {} ms; abandoning it", drain.toMillis());
            thread.interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
