package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The batching, failure and shutdown rules that predictions and explanations share. */
@Timeout(30)
class MicroBatcherTest {

    /**
     * A batch function over strings (a request's size is its length) that upper-cases them and
     * records every batch; every call first waits, ignoring interrupts like a busy model, until
     * {@link #open}. A batch holding "bad" throws, "short" returns one result too few, "boom" throws
     * an {@link AssertionError}.
     */
    static final class Model implements Function<List<String>, List<String>> {
        final List<List<String>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch gate = new CountDownLatch(1);

        @Override
        public List<String> apply(List<String> requests) {
            entered.countDown();
            boolean interrupted = false;
            while (gate.getCount() > 0) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            batches.add(requests);
            if (requests.contains("bad")) {
                throw new IllegalArgumentException("bad request");
            }
            if (requests.contains("boom")) {
                throw new AssertionError("boom");
            }
            List<String> results = requests.stream().map(String::toUpperCase).toList();
            return requests.contains("short") ? results.subList(1, results.size()) : results;
        }

        void open() {
            gate.countDown();
        }
    }

    private static MicroBatcher<String, String> batcher(Model model, int maxBatchSize, Duration maxWait, int capacity) {
        return new MicroBatcher<>("test-batcher", "test", maxBatchSize, maxWait, capacity, String::length, model);
    }

    /** Submits {@code request} and waits until the model has it, so that the next requests queue up. */
    private static CompletableFuture<String> busyWith(MicroBatcher<String, String> batcher, Model model, String request)
            throws Exception {
        CompletableFuture<String> future = batcher.submit(request);
        assertThat(model.entered.await(10, TimeUnit.SECONDS)).as("the worker called the model").isTrue();
        return future;
    }

    private static String get(CompletableFuture<String> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<String> future) {
        return assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .actual().getCause();
    }

    @Test
    void batches_shouldStayWithinMaxBatchSize_carryingTheRequestThatWouldOverflowToTheNext() throws Exception {
        Model model = new Model();
        try (MicroBatcher<String, String> batcher = batcher(model, 4, Duration.ofMillis(100), 16)) {
            CompletableFuture<String> a = busyWith(batcher, model, "a");
            List<String> requests = List.of("bbb", "cc", "d", "eeeeee");
            List<CompletableFuture<String>> queued = new ArrayList<>();
            for (String request : requests) {
                queued.add(batcher.submit(request));
            }
            assertThat(batcher.queueDepth()).isEqualTo(4);
            model.open();

            assertThat(get(a)).isEqualTo("A");
            for (int i = 0; i < requests.size(); i++) {
                assertThat(get(queued.get(i))).isEqualTo(requests.get(i).toUpperCase());
            }
            assertThat(model.batches).containsExactly(
                    List.of("a"), List.of("bbb"), List.of("cc", "d"), List.of("eeeeee"));
            assertThat(batcher.largestBatch()).as("a lone oversized request counts as a full batch").isEqualTo(4);
            assertThat(batcher.queueDepth()).isZero();
        }
    }

    @Test
    void failingBatch_shouldFailItsOwnRequestsOnly_andTheWorkerServeTheNext() throws Exception {
        Model model = new Model();
        try (MicroBatcher<String, String> batcher = batcher(model, 4, Duration.ofMillis(100), 16)) {
            CompletableFuture<String> a = busyWith(batcher, model, "a");
            CompletableFuture<String> bad = batcher.submit("bad");
            CompletableFuture<String> sameBatch = batcher.submit("x");
            CompletableFuture<String> tooFewResults = batcher.submit("short");
            CompletableFuture<String> error = batcher.submit("boom");
            CompletableFuture<String> after = batcher.submit("y");
            model.open();

            assertThat(get(a)).isEqualTo("A");
            assertThat(failure(bad)).isInstanceOf(IllegalArgumentException.class).hasMessage("bad request");
            assertThat(failure(sameBatch)).isInstanceOf(IllegalArgumentException.class);
            assertThat(failure(tooFewResults)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("model returned 0 results for a batch of 1 requests");
            assertThat(failure(error)).isInstanceOf(AssertionError.class).hasMessage("boom");
            assertThat(get(after)).isEqualTo("Y");
            assertThat(model.batches).containsExactly(
                    List.of("a"), List.of("bad", "x"), List.of("short"), List.of("boom"), List.of("y"));
        }
    }

    @Test
    void requestDoneBeforeItsBatchRuns_shouldBeSkipped() throws Exception {
        Model model = new Model();
        try (MicroBatcher<String, String> batcher = batcher(model, 4, Duration.ofMillis(1), 16)) {
            CompletableFuture<String> a = busyWith(batcher, model, "a");
            batcher.submit("b").completeExceptionally(new TimeoutException("timed out by the server"));
            CompletableFuture<String> c = batcher.submit("c");
            model.open();

            assertThat(get(a)).isEqualTo("A");
            assertThat(get(c)).isEqualTo("C");
            assertThat(model.batches).containsExactly(List.of("a"), List.of("c"));
        }
    }

    @Test
    void fullQueue_shouldRejectNamingWhatIsQueued() throws Exception {
        Model model = new Model();
        try (MicroBatcher<String, String> batcher = batcher(model, 1, Duration.ofMillis(1), 1)) {
            CompletableFuture<String> a = busyWith(batcher, model, "a");
            CompletableFuture<String> b = batcher.submit("b");

            assertThatThrownBy(() -> batcher.submit("c")).isInstanceOf(MicroBatcher.Rejected.class)
                    .hasMessage("test queue is full (1 requests waiting)");
            model.open();
            assertThat(get(a)).isEqualTo("A");
            assertThat(get(b)).isEqualTo("B");
        }
    }

    @Test
    void close_shouldRefuseNewRequestsAndRunQueuedOnesWithinTheDrainTime() throws Exception {
        Model model = new Model();
        MicroBatcher<String, String> batcher = batcher(model, 1, Duration.ofMillis(1), 16);
        CompletableFuture<String> a = busyWith(batcher, model, "a");
        CompletableFuture<String> b = batcher.submit("b");
        Thread closer = new Thread(() -> batcher.close(Duration.ofSeconds(20)));
        closer.start();
        while (closer.getState() != Thread.State.TIMED_WAITING) { // joining the worker
            Thread.sleep(1);
        }

        assertThatThrownBy(() -> batcher.submit("c")).isInstanceOf(MicroBatcher.Rejected.class)
                .hasMessage("server is shutting down");
        model.open();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(get(a)).isEqualTo("A");
        assertThat(get(b)).isEqualTo("B");
    }

    @Test
    void close_whenTheDrainTimeRunsOut_shouldFailTheQueuedRequestsWithRejected() throws Exception {
        Model model = new Model();
        MicroBatcher<String, String> batcher = batcher(model, 1, Duration.ofMillis(1), 16);
        CompletableFuture<String> a = busyWith(batcher, model, "a");
        CompletableFuture<String> b = batcher.submit("b");
        long start = System.nanoTime();
        batcher.close(Duration.ofMillis(200));

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        model.open();
        assertThat(get(a)).as("the model call under way still answers").isEqualTo("A");
        assertThat(failure(b)).isInstanceOf(MicroBatcher.Rejected.class)
                .hasMessage("server stopped before the model ran");
        assertThat(model.batches).containsExactly(List.of("a"));
    }

    @Test
    void close_whileABatchIsGathering_shouldFailItsRequestsRatherThanAbandonThem() throws Exception {
        Model model = new Model();
        model.open();
        MicroBatcher<String, String> batcher = batcher(model, 4, Duration.ofSeconds(20), 16);
        CompletableFuture<String> a = batcher.submit("a");
        while (batcher.queueDepth() > 0) { // taken by the worker, which now waits for more
            Thread.sleep(1);
        }
        batcher.close(Duration.ofMillis(100));

        assertThat(failure(a)).isInstanceOf(MicroBatcher.Rejected.class)
                .hasMessage("server stopped before the model ran");
        assertThat(model.batches).isEmpty();
    }
}
