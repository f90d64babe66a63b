package org.fcn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    void fillSetsEveryElement() {
        // Below the split, at it and past it with a length that 3 threads do not divide.
        int[] lengths = {0, 7, Parallel.PARALLEL_FILL_MIN - 1, Parallel.PARALLEL_FILL_MIN,
            3 * Parallel.PARALLEL_FILL_MIN + 2};
        for (int n : lengths) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = i + 1;
            }
            Parallel.fill(a, -0f);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(a[i]), "length " + n + ", index " + i);
            }
        }
    }

    @Test
    void fillOfARangeLeavesTheRest() {
        int n = 3 * Parallel.PARALLEL_FILL_MIN + 10;
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        Parallel.fill(a, 5, n - 5, 2f);
        for (int i = 0; i < n; i++) {
            assertEquals(i < 5 || i >= n - 5 ? 1f : 2f, a[i], "index " + i);
        }
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

    @Test
    void firstFailingChunkWinsAndWorkersRecover() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(9, (s, end) -> {
            if (s > 0) {
                throw new IllegalStateException("chunk starting at " + s + " failed");
            }
        }));
        assertEquals("chunk starting at 3 failed", e.getMessage());

        AtomicIntegerArray hits = new AtomicIntegerArray(9);
        Parallel.forRange(9, (start, end) -> {
            for (int i = start; i < end; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < 9; i++) {
            assertEquals(1, hits.get(i), "index " + i + " after a failure");
        }
    }

    @Test
    void manyLoopsWithPausesCoverEveryIndex() throws InterruptedException {
        // Pauses longer than the polling time make the workers park, so both hand-overs run.
        long[] sums = new long[3];
        for (int loop = 0; loop < 2000; loop++) {
            if (loop % 200 == 0) {
                Thread.sleep(2);
            }
            Parallel.forRange(3, (start, end) -> {
                for (int i = start; i < end; i++) {
                    sums[i]++;
                }
            });
        }
        assertArrayEquals(new long[] {2000, 2000, 2000}, sums);
    }

    @Test
    void concurrentCallersEachRunTheirWholeRange() throws Exception {
        int loops = 500;
        AtomicIntegerArray[] hits = {new AtomicIntegerArray(12), new AtomicIntegerArray(12)};
        Thread[] callers = new Thread[2];
        Throwable[] failures = new Throwable[2];
        for (int c = 0; c < 2; c++) {
            AtomicIntegerArray mine = hits[c];
            int caller = c;
            callers[c] = new Thread(() -> {
                try {
                    for (int loop = 0; loop < loops; loop++) {
                        Parallel.forRange(12, (start, end) -> {
                            for (int i = start; i < end; i++) {
                                mine.incrementAndGet(i);
                            }
                        });
                    }
                } catch (Throwable t) {
                    failures[caller] = t;
                }
            });
            callers[c].start();
        }
        for (Thread t : callers) {
            t.join(30_000);
            assertFalse(t.isAlive(), "a caller did not finish within 30 s");
        }
        for (int c = 0; c < 2; c++) {
            assertNull(failures[c], "caller " + c);
            for (int i = 0; i < 12; i++) {
                assertEquals(loops, hits[c].get(i), "caller " + c + ", index " + i);
            }
        }
    }

    @Test
    void threadCountChangeStopsOldWorkers() throws InterruptedException {
        ConcurrentLinkedQueue<Thread> workers = new ConcurrentLinkedQueue<>();
        Parallel.forRange(3, (start, end) -> {
            if (start > 0) {
                workers.add(Thread.currentThread());
            }
        });
        assertEquals(2, workers.size(), "3 threads: the caller and 2 workers");
        Parallel.setThreads(2);
        for (Thread w : workers) {
            w.join(5_000);
            assertFalse(w.isAlive(), w.getName() + " still runs after the thread count changed");
        }
        AtomicIntegerArray hits = new AtomicIntegerArray(4);
        Parallel.forRange(4, (start, end) -> {
            for (int i = start; i < end; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < 4; i++) {
            assertEquals(1, hits.get(i), "index " + i + " with the new workers");
        }
    }

    @Test
    void resizeDuringLoopsLosesNoChunk() throws Exception {
        // One thread runs loops while this one changes the thread count back and forth. Every loop
        // must still cover its range once, on the old workers, the new ones or alone.
        int loops = 3000;
        AtomicIntegerArray hits = new AtomicIntegerArray(6);
        Throwable[] failure = new Throwable[1];
        Thread caller = new Thread(() -> {
            try {
                for (int loop = 0; loop < loops; loop++) {
                    Parallel.forRange(6, (start, end) -> {
                        for (int i = start; i < end; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                }
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        caller.start();
        for (int change = 0; caller.isAlive() && change < 200; change++) {
            Parallel.setThreads(change % 2 == 0 ? 2 : 3);
            Thread.sleep(1);
        }
        caller.join(30_000);
        assertFalse(caller.isAlive(), "the loops did not finish within 30 s");
        assertNull(failure[0], "the loops failed");
        for (int i = 0; i < 6; i++) {
            assertEquals(loops, hits.get(i), "index " + i);
        }
    }

    @Test
    void busyTeamRunsSameChunksInOrder() throws Exception {
        // A loop holds the workers while its caller's chunk waits on a latch, and another thread's
        // loop meanwhile must run the chunks of 3 threads itself, in index order.
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> Parallel.forRange(3, (start, end) -> {
            if (start == 0) {
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }));
        holder.start();
        assertTrue(holding.await(10, TimeUnit.SECONDS), "the holding loop did not start");

        List<String> chunks = new ArrayList<>();
        String caller = Thread.currentThread().getName();
        Parallel.forRange(10, (start, end) -> chunks.add(start + "-" + end
                + (Thread.currentThread().getName().equals(caller) ? "" : " on another thread")));
        release.countDown();
        holder.join(10_000);

        assertEquals(List.of("0-3", "3-6", "6-10"), chunks);
        assertFalse(holder.isAlive(), "the holding loop did not finish");
    }
}
