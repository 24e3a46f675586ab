package io.xray.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Reusable native-order direct buffers for batches handed to the engine. A direct buffer is
 * freed only when the garbage collector finds it unreachable, so allocating one per batch would
 * let native memory pile up between collections; a pool keeps one buffer per batch in flight.
 * Thread-safe.
 */
final class DirectBuffers {

    private final ConcurrentLinkedDeque<ByteBuffer> free = new ConcurrentLinkedDeque<>();

    /**
     * @param bytes the size needed
     * @return a buffer of at least {@code bytes} bytes, native byte order, position 0 and limit
     *     {@code bytes} (the engine reads from its start and checks that nothing is left over)
     */
    ByteBuffer take(int bytes) {
        ByteBuffer buffer = free.pollFirst();
        if (buffer == null || buffer.capacity() < bytes) {
            // A too-small buffer is dropped: batches rarely grow, and the next one will fit.
            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        buffer.clear().limit(bytes);
        return buffer;
    }

    /** @param buffer a buffer from {@link #take}, no longer in use */
    void give(ByteBuffer buffer) {
        free.offerFirst(buffer);
    }
}
