package org.fcn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The compute pool: fixed chunks, every index run once, nested calls serial, failures passed on. */
class ParallelTest {
    private int saved;

    @BeforeEach
    void setThreads() {
        saved = Parallel.threads();
        Parallel.setThreads(3);
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(saved);
    }

    @Test
    void chunksAreFixedAndCoverTheRange() {
        ConcurrentLinkedQueue<String> chunks = new ConcurrentLinkedQueue<>();
        AtomicIntegerArray hits = new AtomicIntegerArray(10);
        Parallel.forRange(10, (start, end) -> {
            chunks.add(start + "-" + end);
            for (int i = start; i < end; i++) {
                hits.incrementAndGet(i);
            }
        });
        assertArrayEquals(new String[] {"0-3", "3-6", "6-10"}, chunks.stream().sorted().toArray(String[]::new));
        for (int i = 0; i < 10; i++) {
            assertEquals(1, hits.get(i), "index " + i);
        }
    }

    @Test
    void nestedCallsRunSeriallyOnEveryChunk() {
        // Each chunk, the caller's own included, must run its nested range in one piece on its own thread.
        ConcurrentLinkedQueue<String> nested = new ConcurrentLinkedQueue<>();
        Parallel.forRange(3, (start, end) -> {
            String outer = Thread.currentThread().getName();
            Parallel.forRange(8, (s, e) -> nested.add(s + "-" + e + (Thread.currentThread().getName().equals(outer)
                    ? "" : " on another thread")));
        });
        assertArrayEquals(new String[] {"0-8", "0-8", "0-8"}, nested.toArray(String[]::new));

        ConcurrentLinkedQueue<String> after = new ConcurrentLinkedQueue<>();
        Parallel.forRange(3, (start, end) -> after.add(start + "-" + end));
        assertEquals(3, after.size(), "after the nested calls, the caller splits work again");
    }

    @Test
    void failureInAChunkIsRethrown() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(9, (s, end) -> {
            if (s == 3) {
                throw new IllegalStateException("chunk starting at 3 failed");
            }
        }));
        assertEquals("chunk starting at 3 failed", e.getMessage());
    }

    @Test
    void invalidThreadCountIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertEquals("thread count must be at least 1, got 0", e.getMessage());
    }
}
