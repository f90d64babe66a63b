package org.fcn4j.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

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
    private static volatile Team team;

    /**
     * How long a worker polls for its next chunk before it parks, and the caller for the workers'
     * chunks. A parked thread took 20 to 40 microseconds to resume, as long as the chunks of a
     * small U-Net's lighter layers. The gaps between the parallel loops of a training step are
     * mostly a few microseconds. On the small unet-bench, polling for 20 to 100 microseconds gave
     * the same step times. Polling for 300 made the first step slower, because it takes CPU time
     * from the JIT compilers.
     */
    static final long SPIN_NANOS = 50_000;

    /**
     * How long a thread polls after its last wait had to park. Polling the full time there made the
     * first training step of the small unet-bench some 30 ms slower, with the JIT compilers short
     * of CPU time.
     */
    static final long SHORT_SPIN_NANOS = 5_000;

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
            Team old = team;
            team = null;
            if (old != null) {
                old.stop();
            }
        }
    }

    private static Team team() {
        Team t = team;
        if (t == null) {
            synchronized (Parallel.class) {
                t = team;
                if (t == null) {
                    t = new Team(threads - 1);
                    team = t;
                }
            }
        }
        return t;
    }

    /** Length (256 KB of floats) from which {@link #fill} splits an array over the threads. */
    static final int PARALLEL_FILL_MIN = 1 << 16;

    /**
     * Sets every element of a to value, as {@link java.util.Arrays#fill(float[], float)} does, with
     * long arrays split over the threads. The zero-fills of the gradient and activation buffers ran
     * on the calling thread alone while the other thread waited: by JFR samples about 5 ms of a
     * small unet-bench training step of 120.
     */
    public static void fill(float[] a, float value) {
        fill(a, 0, a.length, value);
    }

    /** As {@link #fill(float[], float)} for the elements [from, to) of a. */
    public static void fill(float[] a, int from, int to, float value) {
        int n = to - from;
        if (n < PARALLEL_FILL_MIN) {
            java.util.Arrays.fill(a, from, to, value);
            return;
        }
        forRange(n, (start, end) -> java.util.Arrays.fill(a, from + start, from + end, value));
    }

    /**
     * Splits [0, n) into at most {@link #threads()} contiguous chunks and runs them in parallel,
     * the calling thread taking the first. Returns when all chunks are done. Nested calls from
     * inside a chunk run serially, and so does a call made while another thread's loop has the
     * workers.
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

    private static void forChunks(int n, int requested, RangeBody body) {
        Team t = team();
        if (!t.busy.compareAndSet(false, true)) {
            // Another thread's loop has the workers, so this one runs the same chunks alone, in
            // order, rather than wait. Chunk-wise sums then come out as in a parallel call.
            for (int c = 0; c < requested; c++) {
                runChunk(body, chunkStart(n, c, requested), chunkStart(n, c + 1, requested));
            }
            return;
        }
        // The team may be one for a thread count set since the caller read it.
        int chunks = Math.min(requested, t.workers.length + 1);
        try {
            for (int c = 1; c < chunks; c++) {
                t.workers[c - 1].post(body, chunkStart(n, c, chunks), chunkStart(n, c + 1, chunks));
            }
            Throwable first = null;
            try {
                runChunk(body, 0, chunkStart(n, 1, chunks));
            } catch (RuntimeException | Error e) {
                first = e;
            }
            for (int c = 1; c < chunks; c++) {
                Throwable failure = t.workers[c - 1].await();
                if (first == null) {
                    first = failure;
                }
            }

            // The first failing chunk in index order, so the reported error does not depend on timing.
            if (first instanceof RuntimeException re) {
                throw re;
            }
            if (first instanceof Error err) {
                throw err;
            }
        } finally {
            t.busy.set(false);
        }
    }

    // First index of chunk c of [0, n) split into the given number of chunks.
    private static int chunkStart(int n, int c, int chunks) {
        return (int) ((long) n * c / chunks);
    }

    /** The worker threads for one thread count: threads - 1 of them, because the caller runs a chunk too. */
    private static final class Team {
        final Worker[] workers;
        final AtomicBoolean busy = new AtomicBoolean();
        volatile boolean stopped;
        // Set by the first worker that leaves, which keeps busy set from then on, so that no caller can
        // post a chunk to a worker that has left.
        volatile boolean closed;

        Team(int size) {
            workers = new Worker[size];
            for (int i = 0; i < size; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        void stop() {
            stopped = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        }
    }

    /**
     * A thread that runs one chunk at a time. The caller writes the chunk's fields, then counts it
     * in {@code posted}. The worker runs it and counts it in {@code finished}. These volatile
     * counters order the plain fields between the two threads.
     */
    private static final class Worker extends Thread {
        private final Team team;
        private RangeBody body;
        private int start;
        private int end;
        private Throwable failure;
        private volatile long posted;
        private volatile long finished;
        private volatile boolean parked;
        private volatile Thread waiter;
        // How long the worker polls for its next chunk, and the caller for this worker's chunk.
        // Each is short after a wait that had to park: then the other thread is slow (for example
        // still interpreted, at start-up), and polling would only take CPU time from the JIT.
        private long chunkPoll = SPIN_NANOS;
        private long joinPoll = SPIN_NANOS;

        Worker(Team team, int index) {
            super("fcn4j-compute-" + index);
            this.team = team;
            setDaemon(true);
        }

        // Called by the team's caller only, after the previous chunk has finished.
        void post(RangeBody body, int start, int end) {
            this.body = body;
            this.start = start;
            this.end = end;
            this.failure = null;
            posted = posted + 1;
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        // Waits until the last posted chunk has finished and returns what it threw, or null.
        Throwable await() {
            long target = posted;
            long deadline = System.nanoTime() + joinPoll;
            joinPoll = SPIN_NANOS;
            while (finished != target) {
                if (System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                    continue;
                }
                joinPoll = SHORT_SPIN_NANOS;
                waiter = Thread.currentThread();
                if (finished != target) {
                    LockSupport.parkNanos(this, 1_000_000);
                }
                waiter = null;
            }
            return failure;
        }

        @Override
        public void run() {
            long done = 0;
            while (awaitChunk(done)) {
                done++;
                try {
                    runChunk(body, start, end);
                } catch (RuntimeException | Error e) {
                    failure = e;
                }
                body = null;
                finished = done;
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }

        // Polls, then parks, until chunk done + 1 is posted (true) or the team stops (false).
        private boolean awaitChunk(long done) {
            long deadline = System.nanoTime() + chunkPoll;
            chunkPoll = SPIN_NANOS;
            while (posted == done) {
                if (team.stopped && (team.closed || team.busy.compareAndSet(false, true))) {
                    // No caller has the team, so no chunk is posted or running.
                    team.closed = true;
                    return false;
                }
                if (System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                    continue;
                }
                chunkPoll = SHORT_SPIN_NANOS;
                parked = true;
                if (posted == done && !team.stopped) {
                    LockSupport.park(this);
                    Thread.interrupted(); // An interrupt would end every later park at once.
                }
                parked = false;
                deadline = System.nanoTime() + SPIN_NANOS;
            }
            return true;
        }
    }
}
