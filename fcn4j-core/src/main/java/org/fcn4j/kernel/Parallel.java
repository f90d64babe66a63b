package org.fcn4j.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The compute pool: one set of threads shared by all kernels, sized by {@link #setThreads(int)},
 * else the system property {@code fcn4j.threads}, else the environment variable
 * {@code FCN4J_THREADS}, else the number of available processors.
 *
 * <p>Work is split into contiguous, equal chunks fixed by the thread count alone, never by timing,
 * so a kernel whose chunks write disjoint outputs gives identical results from run to run. Data
 * loading uses its own threads, not this pool.
 */
public final class Parallel {
    /** Runs the half-open index range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static volatile int threads = defaultThreads();
    private static final ThreadLocal<boolean[]> IN_CHUNK = ThreadLocal.withInitial(() -> new boolean[1]);
    private static volatile ForkJoinPool pool;

    private Parallel() {
    }

    private static int defaultThreads() {
        String value = System.getProperty("fcn4j.threads");
        String source = "system property fcn4j.threads";
        if (value == null || value.isBlank()) {
            value = System.getenv("FCN4J_THREADS");
            source = "environment variable FCN4J_THREADS";
        }
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(source + " must be a positive integer, got '" + value + "'");
    }

    /** The number of compute threads (the calling thread counts as one). */
    public static int threads() {
        return threads;
    }

    /** Sets the number of compute threads; call before heavy work starts. */
    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + n);
        }
        if (n != threads) {
            threads = n;
            ForkJoinPool old = pool;
            pool = null;
            if (old != null) {
                old.shutdown();
            }
        }
    }

    private static ForkJoinPool pool() {
        ForkJoinPool p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                p = pool;
                if (p == null) {
                    p = new ForkJoinPool(Math.max(1, threads - 1), fjp -> {
                        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(fjp);
                        t.setName("fcn4j-compute-" + t.getPoolIndex());
                        t.setDaemon(true);
                        return t;
                    }, null, false);
                    pool = p;
                }
            }
        }
        return p;
    }

    /**
     * Splits [0, n) into at most {@link #threads()} contiguous chunks and runs them in parallel,
     * the calling thread taking the first. Returns when all chunks are done. Nested calls from
     * inside a chunk run serially.
     */
    public static void forRange(int n, RangeBody body) {
        int chunks = Math.min(threads, n);
        if (chunks <= 1 || IN_CHUNK.get()[0]) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        forChunks(n, chunks, body);
    }

    /** Runs tasks 0 .. count - 1, spread over the pool in contiguous groups. */
    public static void forEach(int count, java.util.function.IntConsumer task) {
        forRange(count, (start, end) -> {
            for (int i = start; i < end; i++) {
                task.accept(i);
            }
        });
    }

    // Marks every thread running a chunk, the caller included, so that a nested forRange there runs
    // serially. The other threads are busy with their own chunks, so forking again would only make
    // this chunk wait for them.
    private static void runChunk(RangeBody body, int start, int end) {
        boolean[] inChunk = IN_CHUNK.get();
        boolean outer = inChunk[0];
        inChunk[0] = true;
        try {
            body.run(start, end);
        } finally {
            inChunk[0] = outer;
        }
    }

    private static void forChunks(int n, int chunks, RangeBody body) {
        ForkJoinPool p = pool();
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        // Failures are caught where they happen: join() would rethrow a copy whose message starts
        // with the class name of the original.
        Throwable[] failures = new Throwable[chunks];
        for (int c = 1; c < chunks; c++) {
            int chunk = c;
            int start = (int) ((long) n * c / chunks);
            int end = (int) ((long) n * (c + 1) / chunks);
            tasks[c - 1] = p.submit(() -> {
                try {
                    runChunk(body, start, end);
                } catch (RuntimeException | Error e) {
                    failures[chunk] = e;
                }
            });
        }
        try {
            runChunk(body, 0, (int) ((long) n / chunks));
        } catch (RuntimeException | Error e) {
            failures[0] = e;
        }
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }

        // The first failing chunk in index order, so the reported error does not depend on timing.
        for (Throwable failure : failures) {
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure instanceof Error err) {
                throw err;
            }
        }
    }
}
