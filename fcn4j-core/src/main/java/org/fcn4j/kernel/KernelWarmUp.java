package org.fcn4j.kernel;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Calls the Vector API kernels on small operands in a background thread until the JIT has compiled
 * them. Until C2 compiles a Vector API method, each vector operation runs as Java code that
 * allocates, some hundred times slower than the compiled instruction. The first training step of
 * the small unet-bench spent about half of its time in such code. The thread calls each kernel in
 * rounds and retires it once a round runs at compiled speed, or gives up when its time is spent.
 *
 * <p>The kernels of training start with the kernel support. Those that only evaluation runs
 * (pooling without indices, Winograd's transforms) are warmed up by the thread that first calls
 * one of them. Warmed up from the start as well, their compilation delayed the training kernels'
 * and made the first small training step 0.2 to 0.4 s slower.
 *
 * <p>The system property {@code fcn4j.warmup} set to {@code false} turns both off.
 */
final class KernelWarmUp implements Runnable {
    static final String PROPERTY = "fcn4j.warmup";

    /** The set of kernels a warm-up calls. */
    enum Phase { TRAINING, EVALUATION }

    /** Calls per round of one kernel. */
    private static final int ROUND = 16;

    /**
     * A round runs at compiled speed when it takes under this many nanoseconds per call. Compiled,
     * these calls take some 10 to 100 ns on a Zen 4 core, and some 10 to 100 us before.
     */
    private static final long COMPILED_NANOS_PER_CALL = 2_000;

    /**
     * The same bound for the stand-in kernels ({@link #STAND_IN_KERNELS}), in whose place scalar
     * code runs until they are compiled. The normalisation kernels' calls here cover 83 values twice.
     * C1's code of them allocates its vectors and already ran under 2 us per call. Retired then,
     * they ran as that code on whole planes until C2 was done: 147 KB per four calls on 4096
     * values, against none once compiled. C2's code takes an estimated 0.05 us per call here.
     */
    private static final long STAND_IN_COMPILED_NANOS_PER_CALL = 400;

    /**
     * The background warm-up gives up after this long, e.g. in a JVM whose C2 never compiles the
     * kernels. The evaluation warm-up, which holds up its caller, gives up after a third of it.
     */
    private static final long BUDGET_NANOS = 3_000_000_000L;

    private static final AtomicBoolean EVALUATION_STARTED = new AtomicBoolean();

    /** Set once the training warm-up has compiled the stand-in kernels, retired them or given up. */
    private static volatile boolean standInsCompiled;

    private final KernelSupport ks;
    private final Phase phase;
    private final boolean waitsForSecondStep;
    private int left = -1;

    KernelWarmUp(KernelSupport ks, Phase phase) {
        this(ks, phase, false);
    }

    private KernelWarmUp(KernelSupport ks, Phase phase, boolean waitsForSecondStep) {
        this.ks = ks;
        this.phase = phase;
        this.waitsForSecondStep = waitsForSecondStep;
    }

    /** Starts the warm-up thread of ks's training kernels, unless the system property turns it off. */
    static void start(KernelSupport ks) {
        start(ks, Phase.TRAINING);
    }

    /**
     * Warms the evaluation kernels up once per JVM, at the first call of one of them, in the
     * calling thread. The first evaluation pass pays for it (0.4 to 0.5 s on a Zen 4 core), and
     * no background thread takes a core from the passes that follow.
     */
    static void evaluationKernelCalled(KernelSupport ks) {
        if (!EVALUATION_STARTED.get() && EVALUATION_STARTED.compareAndSet(false, true) && enabled()) {
            new KernelWarmUp(ks, Phase.EVALUATION).run();
        }
    }

    private static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY));
    }

    /** True when {@link VectorOps} may call the vector stand-in kernels: they are compiled. */
    static boolean standInKernelsCompiled() {
        return standInsCompiled;
    }

    private static void start(KernelSupport ks, Phase phase) {
        if (!enabled()) {
            standInsCompiled = true;
            return;
        }
        Thread t = new Thread(new KernelWarmUp(ks, phase, phase == Phase.TRAINING), "fcn4j-kernel-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** Kernels not yet at compiled speed when {@link #run} returned; -1 before it ran. */
    int left() {
        return left;
    }

    @Override
    public void run() {
        Runnable[] kernels = phase == Phase.TRAINING ? trainingKernels() : evaluationKernels();
        boolean[] done = new boolean[kernels.length];
        int remaining = kernels.length;
        long spent = 0;
        long budget = phase == Phase.TRAINING ? BUDGET_NANOS : BUDGET_NANOS / 3;
        // The stand-in kernels come last, because the first step needs the products compiled
        // first. The background warm-up even waits for the second step to begin: the normalisation
        // kernels' warm-up and compilation took some 0.3 s of CPU time out of the first step.
        // Until then scalar code runs in their place.
        int later = phase == Phase.TRAINING ? kernels.length - STAND_IN_KERNELS : kernels.length;
        while (remaining > 0 && spent < budget) {
            boolean earlierDone = allDone(done, 0, later);
            if (earlierDone && waitsForSecondStep) {
                awaitNormRequest();
            }
            long round = System.nanoTime();
            for (int k = 0; k < kernels.length; k++) {
                if (done[k] || (k >= later && !earlierDone)) {
                    continue;
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < ROUND; i++) {
                    kernels[k].run();
                }
                boolean standIn = k >= later && ks.vectorBitSize() > Float.SIZE;
                long limit = standIn ? STAND_IN_COMPILED_NANOS_PER_CALL : COMPILED_NANOS_PER_CALL;
                if (System.nanoTime() - t0 < ROUND * limit) {
                    done[k] = true;
                    remaining--;
                }
            }
            spent += System.nanoTime() - round;
            if (phase == Phase.TRAINING && allDone(done, later, kernels.length)) {
                standInsCompiled = true;
            }
        }
        if (phase == Phase.TRAINING) {
            standInsCompiled = true;
        }
        left = remaining;
    }

    private static final Object NORM_LOCK = new Object();
    private static volatile boolean normBackwardSeen;
    private static volatile boolean normRequested;

    /** Records that the scalar stand-in of a normalisation layer's backward kernels has run. */
    static void normBackwardRan() {
        if (!normBackwardSeen) {
            normBackwardSeen = true;
        }
    }

    /**
     * Records that the scalar stand-in of the normalisation statistics has run. After a backward
     * pass this is the next training step, so the warm-up of the vector kernels may begin.
     */
    static void normStatsRan() {
        if (normBackwardSeen && !normRequested) {
            synchronized (NORM_LOCK) {
                normRequested = true;
                NORM_LOCK.notifyAll();
            }
        }
    }

    private static void awaitNormRequest() {
        synchronized (NORM_LOCK) {
            while (!normRequested) {
                try {
                    NORM_LOCK.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static boolean allDone(boolean[] done, int from, int to) {
        for (int k = from; k < to; k++) {
            if (!done[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The last kernels of {@link #trainingKernels}, for which {@link VectorOps} runs scalar code
     * until they are compiled: max pooling with taps and the normalisation layers'. The warm-up
     * of these waits for a second training step, which a normalisation layer's scalar stand-ins
     * report (in a model without one they stay scalar).
     */
    private static final int STAND_IN_KERNELS = 4;

    // Short operands, because the calls before compilation are the cost. Every branch of each
    // kernel is still taken: C2 compiles a branch never seen as a trap that the first real call
    // would hit, undoing the compilation.

    /** Returns the kernels of a training step, in the order it first needs them. */
    private Runnable[] trainingKernels() {
        int mr = ks.tileRows();
        int nr = ks.tileCols();
        int lanes = lanes();
        int kc = 2;
        float[] a = filled(kc * mr);                        // (kc, MR) panel
        float[] b = filled(kc * nr);                        // (kc, NR) panel
        float[] c = new float[mr * nr];                     // (MR, NR) tile
        int[] rowOff = {0, nr};

        // dotTile4x3 or dotTile4x6, whichever RunDot uses: 7 rows of 2 runs of 2 vectors, so that a
        // run both continues and ends.
        float[] rows = filled(7 * 4 * lanes);
        int[] rowStart = new int[7];
        for (int r = 0; r < rowStart.length; r++) {
            rowStart[r] = r * 4 * lanes;
        }
        int[] run = {0, 2 * lanes};
        float[] acc = new float[24 * lanes];
        boolean sixCols = RunDot.tileCols(ks) == 6;

        // Five vectors and a tail of 3 values, so that the loop over 4 vectors in sum runs too. With 2 vectors they never did, and the first real call of sum hit that branch. Its
        // recompilation then left it in C1 code, allocating its vectors, for about 0.5 s in one run
        // of the standard unet-bench in two. Peak memory went from 680 to 765 MB in those runs.
        float[] x = filled(5 * lanes + 3);
        float[] y = filled(5 * lanes + 3);
        float[] sink = new float[1];
        int n = x.length;
        double[] sums = new double[2];
        float[] dx = new float[n];

        // Max pooling with taps: two output rows of one int of taps each, then four rows that
        // share ints (the kernel's scalar branch).
        int group = ScalarKernelSupport.TAPS_PER_INT;
        float[] plane = filled(4 * 2 * group);              // 4 rows of 2 group values
        float[] pooled = new float[2 * group];
        int[] taps = new int[2];

        return new Runnable[] {
            () -> ks.gemmTileRows(kc, a, 0, b, rowOff, 0, 0, c, 0, nr),
            () -> ks.gemmTile(kc, a, 0, b, 0, nr, c, 0, nr),
            () -> {
                if (sixCols) {
                    ks.dotTile4x6(0, 2, 2 * lanes, rows, rowStart, 0, run, rows, rowStart, 0, run, acc);
                } else {
                    ks.dotTile4x3(0, 2, 2 * lanes, rows, rowStart, 0, run, rows, rowStart, 0, run, acc);
                }
            },
            () -> ks.scaleShift(n, 0.5f, 0.25f, x, 0, y, 0),
            () -> ks.axpy(n, 0.5f, x, 0, y, 0),
            () -> sink[0] = ks.sum(n, y, 0),
            // Not dot: no layer calls it, and its compilation took C2 some 40 ms of the first step.
            () -> {
                ks.maxPool2x2Taps(plane, 0, 2 * group, 2, group, pooled, 0, taps, 0);
                ks.maxPool2x2Taps(plane, 0, group, 4, group / 2, pooled, 0, taps, 0);
            },
            () -> ks.normStats(n, x, 0, 0.5, sums),
            () -> {
                ks.normBackwardSums(n, y, x, 0, 0.5f, true, 2f, -0.25f, sums);
                ks.normBackwardSums(n, y, x, 0, 0.5f, false, 1f, 0f, sums);
            },
            () -> {
                ks.normBackwardDx(n, y, x, 0, 0.5f, true, 2f, -0.25f, 1.5, 0.75, 0.125, -0.5, dx, false);
                ks.normBackwardDx(n, y, x, 0, 0.5f, false, 1f, 0f, 1.5, 0.75, 0.125, -0.5, dx, true);
            },
        };
    }

    /** Returns the vector loops that only evaluation runs. */
    private Runnable[] evaluationKernels() {
        int lanes = lanes();
        // Two vectors of tiles or outputs and a tail, and for pooling also a tail alone.
        int wide = 2 * lanes + 1;
        int narrow = Math.max(1, lanes / 2);
        float[] plane = filled(4 * 2 * wide);               // (4, 2 wide): 2 output rows
        float[] pooled = new float[2 * wide];
        float[] patches = filled(4 * (2 * wide + 2));       // (4, 2 wide + 2)
        float[] transformed = new float[16 * wide];         // (16, wide)
        float[] outputs = new float[4 * wide];              // (2, 2 wide)
        return new Runnable[] {
            () -> {
                ks.maxPool2x2(plane, 0, 2 * wide, 2, wide, pooled, 0);
                ks.maxPool2x2(plane, 0, 2 * narrow, 2, narrow, pooled, 0);
            },
            () -> ks.winogradInputTiles(patches, 0, 2 * wide + 2, wide, transformed, 0, wide),
            () -> {
                ks.winogradOutputTiles(transformed, 0, wide, wide, outputs, 0, 2 * wide, true);
                ks.winogradOutputTiles(transformed, 0, wide, wide, outputs, 0, 2 * wide, false);
            },
        };
    }

    private int lanes() {
        return ks.vectorBitSize() / Float.SIZE;
    }

    private static float[] filled(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i % 7) * 0.125f - 0.375f;
        }
        return v;
    }
}
