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
        if (chunks <= 1 || Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == pool) {
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

    private static void forChunks(int n, int chunks, RangeBody body) {
        ForkJoinPool p = pool();
        @SuppressWarnings("unchecked")
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) n * c / chunks);
            int end = (int) ((long) n * (c + 1) / chunks);
            tasks[c - 1] = p.submit(() -> body.run(start, end));
        }
        Throwable failure = null;
        try {
            body.run(0, (int) ((long) n / chunks));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : tasks) {
            try {
                t.join();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }
}
