package io.xray.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching, shared by {@link PredictionBatcher} and {@link ExplanationBatcher}: requests
 * enter a bounded queue; one worker thread takes the first waiting request, then keeps taking
 * requests for up to {@code maxWait} or until their sizes add up to {@code maxBatchSize}, and hands
 * them to the batch function in one call. A request that would overflow the batch opens the next
 * one; a request larger than {@code maxBatchSize} forms a batch alone (the batch function may split
 * it). Requests whose future is already done (timed out by the server) are skipped.
 *
 * <p>Failures stay with their batch: when the batch function throws, or returns other than one
 * result per request, every request of that batch fails with that exception and the worker goes on
 * with the next batch. After {@link #close(Duration)}, queued requests still run until the drain
 * time is up; those left then fail with {@link Rejected}.
 *
 * <p>The worker thread starts in the constructor: subclasses pass all they need in the batch
 * function and add no state of their own. Logs go to the subclass's logger.
 *
 * @param <R> a request
 * @param <T> the result of one request
 */
class MicroBatcher<R, T> implements AutoCloseable {

    /** Thrown by {@link #submit} when the queue is full or the batcher is closed. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message, null, false, false);
        }
    }

    private record Job<R, T>(R request, int size, CompletableFuture<T> result) {
    }

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String kind;
    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final ToIntFunction<R> size;
    private final Function<List<R>, List<T>> batchFunction;
    private final BlockingQueue<Job<R, T>> queue;
    private final Thread thread;
    private final AtomicInteger largestBatch = new AtomicInteger();
    private volatile boolean accepting = true;
    private volatile boolean running = true;
    /** A request taken from the queue that did not fit the batch being gathered; the next batch starts with it. */
    private volatile Job<R, T> carried;

    /**
     * @param threadName the worker thread's name
     * @param kind what is batched, for the queue-full message ("prediction", "explanation")
     * @param size the size of a request against {@code maxBatchSize} (its images, say); at least 1
     * @param batchFunction the requests of one batch, in order, to their results, in the same order;
     *     called from the worker thread only
     */
    MicroBatcher(String threadName, String kind, int maxBatchSize, Duration maxWait, int queueCapacity,
                 ToIntFunction<R> size, Function<List<R>, List<T>> batchFunction) {
        this.kind = kind;
        this.maxBatchSize = maxBatchSize;
        this.maxWaitNanos = maxWait.toNanos();
        this.size = size;
        this.batchFunction = batchFunction;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = new Thread(this::loop, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * @param request one request
     * @return its future result
     * @throws Rejected when the queue is full or the batcher no longer accepts work
     */
    CompletableFuture<T> submit(R request) throws Rejected {
        if (!accepting) {
            throw new Rejected("server is shutting down");
        }
        Job<R, T> job = new Job<>(request, size.applyAsInt(request), new CompletableFuture<>());
        if (!queue.offer(job)) {
            throw new Rejected(kind + " queue is full (" + (queue.size() + queue.remainingCapacity()) + " requests waiting)");
        }
        // Closed meanwhile: the worker may have stopped without seeing the job, so take it back.
        if (!accepting && queue.remove(job)) {
            throw new Rejected("server is shutting down");
        }
        return job.result();
    }

    /** @return requests waiting for the worker */
    int queueDepth() {
        return queue.size() + (carried != null ? 1 : 0);
    }

    /**
     * @return the largest batch, in request sizes, handed to the batch function, counting a lone
     *     request larger than {@code maxBatchSize} as {@code maxBatchSize}
     */
    int largestBatch() {
        return largestBatch.get();
    }

    private void loop() {
        List<Job<R, T>> batch = new ArrayList<>();
        while (running || carried != null || !queue.isEmpty()) {
            try {
                gather(batch);
                run(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    break; // close() ran out of drain time
                }
                continue; // a stray interrupt: keep what was gathered and gather on
            } catch (RuntimeException | Error e) {
                log.error("{} thread failure", thread.getName(), e);
            }
            batch.clear();
        }
        // Anything left when the thread stops is answered rather than abandoned.
        if (carried != null) {
            batch.add(carried);
            carried = null;
        }
        queue.drainTo(batch);
        batch.forEach(job -> job.result().completeExceptionally(new Rejected("server stopped before the model ran")));
    }

    /** Adds to {@code batch} a first request (when it has none), then more while they fit and {@code maxWait} lasts. */
    private void gather(List<Job<R, T>> batch) throws InterruptedException {
        if (batch.isEmpty()) {
            Job<R, T> first = carried != null ? carried : queue.poll(50, TimeUnit.MILLISECONDS);
            carried = null;
            if (first == null) {
                return;
            }
            batch.add(first);
        }
        int total = batch.stream().mapToInt(Job::size).sum();
        long deadline = System.nanoTime() + maxWaitNanos;
        while (total < maxBatchSize) {
            long left = deadline - System.nanoTime();
            Job<R, T> next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            if (total + next.size() > maxBatchSize) {
                carried = next;
                break;
            }
            batch.add(next);
            total += next.size();
        }
    }

    private void run(List<Job<R, T>> batch) {
        batch.removeIf(job -> job.result().isDone());
        if (batch.isEmpty()) {
            return;
        }
        List<R> requests = batch.stream().map(Job::request).toList();
        largestBatch.accumulateAndGet(Math.min(maxBatchSize, batch.stream().mapToInt(Job::size).sum()), Math::max);
        List<T> results;
        try {
            results = batchFunction.apply(requests);
            if (results == null || results.size() != requests.size()) {
                throw new IllegalStateException("model returned " + (results == null ? "null" : results.size() + " results")
                        + " for a batch of " + requests.size() + " requests");
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(job -> job.result().completeExceptionally(e));
            if (e instanceof Error) {
                throw e; // for the loop to log
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
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
            log.warn("{} thread still busy after {} ms; abandoning it", thread.getName(), drain.toMillis());
            thread.interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
