package io.xray.data;

import io.xray.XrayException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a function over a list on a small pool of threads, keeping the order of the results, and
 * logs progress at INFO every {@value #LOG_EVERY_ITEMS} items or {@value #LOG_EVERY_SECONDS}
 * seconds, whichever comes first.
 */
final class ParallelWork {
    private static final Logger LOG = LoggerFactory.getLogger(ParallelWork.class);
    static final int LOG_EVERY_ITEMS = 1000;
    static final int LOG_EVERY_SECONDS = 10;
    private static final AtomicInteger POOLS = new AtomicInteger();

    private ParallelWork() {}

    /** @return the default number of threads: the number of processors */
    static int defaultParallelism() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param items what to work on
     * @param function the work; must be thread-safe and should not throw (return a failure value)
     * @param parallelism the number of threads
     * @param what a short description for the progress log, such as "hashing and decoding"
     * @return the results, in the order of {@code items}
     */
    static <T, R> List<R> map(List<T> items, Function<T, R> function, int parallelism, String what) {
        int total = items.size();
        long start = System.nanoTime();
        AtomicInteger done = new AtomicInteger();
        AtomicLong lastLog = new AtomicLong(start);
        Function<T, R> tracked = item -> {
            R result = function.apply(item);
            int count = done.incrementAndGet();
            long now = System.nanoTime();
            long last = lastLog.get();
            boolean due = count % LOG_EVERY_ITEMS == 0 || now - last >= LOG_EVERY_SECONDS * 1_000_000_000L;
            if (due && count < total && lastLog.compareAndSet(last, now)) {
                LOG.info("{}: {}/{} files ({}%), {} s", what, count, total, 100L * count / total,
                        String.format("%.1f", (now - start) / 1e9));
            }
            return result;
        };
        List<R> results = new ArrayList<>(total);
        if (parallelism <= 1 || total < 2) {
            for (T item : items) {
                results.add(tracked.apply(item));
            }
        } else {
            int poolId = POOLS.incrementAndGet();
            AtomicInteger threadId = new AtomicInteger();
            ThreadFactory factory = runnable -> {
                Thread thread = new Thread(runnable, "xray-data-" + poolId + "-" + threadId.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            };
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, total), factory);
            try {
                List<Future<R>> futures = new ArrayList<>(total);
                for (T item : items) {
                    futures.add(pool.submit(() -> tracked.apply(item)));
                }
                for (Future<R> future : futures) {
                    results.add(future.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new XrayException(what + " was interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new XrayException(what + " failed: " + cause, cause);
            } finally {
                pool.shutdownNow();
            }
        }
        LOG.info("{}: {} files in {} s", what, total, String.format("%.1f", (System.nanoTime() - start) / 1e9));
        return results;
    }
}
