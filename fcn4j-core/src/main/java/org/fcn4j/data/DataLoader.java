package org.fcn4j.data;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Turns a {@link Dataset} into batches: shuffled from an explicit seed, augmented by a
 * {@link JointTransform}, normalised, and loaded ahead of the consumer by loader threads that are
 * separate from the compute pool ({@link org.fcn4j.kernel.Parallel}).
 *
 * <p>Reproducibility: the sample order of epoch {@code e} is a function of (seed, e) alone, and the
 * augmentation of the sample at dataset index {@code i} in epoch {@code e} draws from a generator
 * seeded by (seed, e, i). Batches are assembled in order into their own slots, so the batch order
 * and contents are the same for any number of loader threads, and a run resumed at epoch {@code e},
 * batch {@code b} ({@link #epoch(int, int)}) receives exactly the batches of the uninterrupted run.
 *
 * <p>Use:
 * <pre>{@code
 * try (DataLoader loader = new DataLoader(train, DataLoader.Options.of(32).shuffled(seed).withWorkers(2))) {
 *     for (int epoch = 0; epoch < epochs; epoch++) {
 *         for (Batch b : loader.epoch(epoch)) {
 *             // b.inputs(): (N, C, H, W); b.targets(): (N, H, W) or (N, C_t, H, W)
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: iterate one epoch at a time from one thread. Loader threads are daemons
 * started on first use; {@link #close()} stops them.
 */
public final class DataLoader implements AutoCloseable {
    private static final AtomicInteger LOADER_IDS = new AtomicInteger();

    /**
     * Loader settings; build with {@link #of(int)} and the {@code with...} methods.
     *
     * @param batchSize       samples per batch, at least 1
     * @param shuffle         whether each epoch visits the samples in a seeded random order (default false)
     * @param dropLast        whether a last batch smaller than batchSize is skipped (default false)
     * @param seed            root seed of shuffling and augmentation (default 0)
     * @param workers         loader threads; 0 loads in the iterating thread (default 0)
     * @param prefetch        batches loaded ahead of the consumer when workers > 0, at least 1 (default 2 per worker)
     * @param transform       joint augmentation applied to each sample, or null for none (default null)
     * @param inputNormalizer applied to each input after the transform, or null (default null)
     * @param targetNormalizer applied to field targets after the transform, or null (default null);
     *                        must be null for class-map datasets; ignored target values become NaN
     */
    public record Options(int batchSize, boolean shuffle, boolean dropLast, long seed, int workers, int prefetch,
            JointTransform transform, Normalizer inputNormalizer, Normalizer targetNormalizer) {
        public Options {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
            }
            if (workers < 0) {
                throw new IllegalArgumentException("workers must be 0 (load in the calling thread) or more, got "
                        + workers);
            }
            if (prefetch < 1) {
                throw new IllegalArgumentException("prefetch must be at least 1 batch, got " + prefetch);
            }
        }

        /** Sequential order, no drop, seed 0, no loader threads, no transform or normalisation. */
        public static Options of(int batchSize) {
            return new Options(batchSize, false, false, 0L, 0, 2, null, null, null);
        }

        /** Shuffles every epoch from {@code seed}, which also seeds the augmentation. */
        public Options shuffled(long seed) {
            return new Options(batchSize, true, dropLast, seed, workers, prefetch, transform, inputNormalizer,
                    targetNormalizer);
        }

        /** Sets the seed of augmentation (and of shuffling, if on) without changing the shuffle flag. */
        public Options withSeed(long seed) {
            return new Options(batchSize, shuffle, dropLast, seed, workers, prefetch, transform, inputNormalizer,
                    targetNormalizer);
        }

        public Options withDropLast(boolean dropLast) {
            return new Options(batchSize, shuffle, dropLast, seed, workers, prefetch, transform, inputNormalizer,
                    targetNormalizer);
        }

        /** Loads with {@code workers} threads, keeping 2 batches per worker in flight. */
        public Options withWorkers(int workers) {
            return new Options(batchSize, shuffle, dropLast, seed, workers, Math.max(1, 2 * workers), transform,
                    inputNormalizer, targetNormalizer);
        }

        public Options withPrefetch(int prefetch) {
            return new Options(batchSize, shuffle, dropLast, seed, workers, prefetch, transform, inputNormalizer,
                    targetNormalizer);
        }

        public Options withTransform(JointTransform transform) {
            return new Options(batchSize, shuffle, dropLast, seed, workers, prefetch, transform, inputNormalizer,
                    targetNormalizer);
        }

        public Options withInputNormalizer(Normalizer normalizer) {
            return new Options(batchSize, shuffle, dropLast, seed, workers, prefetch, transform, normalizer,
                    targetNormalizer);
        }

        public Options withTargetNormalizer(Normalizer normalizer) {
            return new Options(batchSize, shuffle, dropLast, seed, workers, prefetch, transform, inputNormalizer,
                    normalizer);
        }
    }

    private final Dataset dataset;
    private final Options options;
    private ExecutorService pool;
    private Epoch current;

    public DataLoader(Dataset dataset, Options options) {
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("the dataset is empty; a loader needs at least one sample");
        }
        if (options.targetNormalizer() != null && dataset.targetKind() == TargetKind.CLASS_MAP) {
            throw new IllegalArgumentException("a target normalizer was given for a class-map dataset; class maps "
                    + "are never normalised, pass null");
        }
        if (options.dropLast() && dataset.size() < options.batchSize()) {
            throw new IllegalArgumentException("dropLast with batch size " + options.batchSize() + " and only "
                    + dataset.size() + " samples leaves no batch; lower the batch size or set dropLast false");
        }
        this.dataset = dataset;
        this.options = options;
    }

    public Dataset dataset() {
        return dataset;
    }

    public Options options() {
        return options;
    }

    /** Returns the number of batches in every epoch. */
    public int batchesPerEpoch() {
        int n = dataset.size();
        int b = options.batchSize();
        return options.dropLast() ? n / b : (n + b - 1) / b;
    }

    /** Returns the dataset indices in the order epoch {@code epoch} visits them: a function of (seed, epoch) only. */
    public int[] order(int epoch) {
        int[] order = new int[dataset.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (options.shuffle()) {
            new Generator(Seeds.derive(options.seed(), 1, epoch)).shuffle(order);
        }
        return order;
    }

    /** Returns sample {@code index} as epoch {@code epoch} delivers it: transformed, then normalised. */
    public Sample sample(int epoch, int index) {
        Sample s = dataset.get(index);
        if (options.transform() != null) {
            s = options.transform().apply(s, new Generator(Seeds.derive(options.seed(), 2, epoch, index)));
        }
        Tensor input = options.inputNormalizer() == null ? s.input() : options.inputNormalizer().transform(s.input());
        Tensor target = options.targetNormalizer() == null ? s.target()
                : options.targetNormalizer().transformTarget(s.target());
        return input == s.input() && target == s.target() ? s : new Sample(input, target);
    }

    /** Builds batch {@code batch} of epoch {@code epoch} in the calling thread. */
    public Batch batch(int epoch, int batch) {
        return assemble(epoch, order(epoch), batch);
    }

    /** Iterates over all batches of an epoch. */
    public Epoch epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /**
     * Iterates over the batches of an epoch from batch {@code firstBatch} on, to resume an
     * interrupted epoch. Starting a new epoch cancels the loading of the previous one.
     */
    public Epoch epoch(int epoch, int firstBatch) {
        if (firstBatch < 0 || firstBatch > batchesPerEpoch()) {
            throw new IllegalArgumentException("firstBatch " + firstBatch + " is outside [0, " + batchesPerEpoch()
                    + "]");
        }
        if (current != null) {
            current.close();
        }
        current = new Epoch(epoch, firstBatch);
        return current;
    }

    /** Stops the loader threads; the loader can still build batches in the calling thread. */
    @Override
    public void close() {
        if (current != null) {
            current.close();
            current = null;
        }
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
    }

    private ExecutorService pool() {
        if (pool == null) {
            int id = LOADER_IDS.getAndIncrement();
            AtomicInteger threadIds = new AtomicInteger();
            pool = Executors.newFixedThreadPool(options.workers(), r -> {
                Thread t = new Thread(r, "fcn4j-loader-" + id + "-" + threadIds.getAndIncrement());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    private Batch assemble(int epoch, int[] order, int batch) {
        int b = options.batchSize();
        int start = batch * b;
        int end = Math.min(order.length, start + b);
        if (start >= end || batch < 0) {
            throw new IndexOutOfBoundsException("batch " + batch + " is outside [0, " + batchesPerEpoch() + ")");
        }
        int n = end - start;
        int[] indices = Arrays.copyOfRange(order, start, end);

        // Steps: load the first sample to learn the shapes, then copy every sample into its row.
        Sample first = sample(epoch, indices[0]);
        int[] inShape = first.input().shape();
        int[] tShape = first.target().shape();
        int inSize = first.input().numel();
        int tSize = first.target().numel();
        float[] inputs = new float[Math.multiplyExact(n, inSize)];   // (N, C, H, W)
        float[] targets = new float[Math.multiplyExact(n, tSize)];   // (N, H, W) or (N, C_t, H, W)
        for (int k = 0; k < n; k++) {
            Sample s = k == 0 ? first : sample(epoch, indices[k]);
            if (!Arrays.equals(s.input().shape(), inShape) || !Arrays.equals(s.target().shape(), tShape)) {
                throw new IllegalStateException("sample " + indices[k] + " has input " + Shape.str(s.input().shape())
                        + " and target " + Shape.str(s.target().shape()) + ", but sample " + indices[0]
                        + " in the same batch has " + Shape.str(inShape) + " and " + Shape.str(tShape)
                        + "; batch samples of one size only (add a crop or resize transform, or use batch size 1)");
            }
            System.arraycopy(s.input().data(), 0, inputs, k * inSize, inSize);
            System.arraycopy(s.target().data(), 0, targets, k * tSize, tSize);
        }
        return new Batch(Tensor.of(inputs, prepend(n, inShape)), Tensor.of(targets, prepend(n, tShape)), indices);
    }

    private static int[] prepend(int n, int[] shape) {
        int[] out = new int[shape.length + 1];
        out[0] = n;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    /**
     * The batches of one epoch, in order. With loader threads, up to {@code prefetch} batches are
     * built ahead; {@link #close()} (or starting another epoch) cancels them.
     */
    public final class Epoch implements Iterator<Batch>, Iterable<Batch>, AutoCloseable {
        private final int epoch;
        private final int[] order;
        private final int count;
        private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
        private int nextToReturn;
        private int nextToSubmit;
        private boolean closed;

        private Epoch(int epoch, int firstBatch) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.count = batchesPerEpoch();
            this.nextToReturn = firstBatch;
            this.nextToSubmit = firstBatch;
        }

        /** Returns the epoch number this iterator delivers. */
        public int number() {
            return epoch;
        }

        @Override
        public Iterator<Batch> iterator() {
            return this;
        }

        @Override
        public boolean hasNext() {
            return !closed && nextToReturn < count;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException(closed ? "this epoch was closed" : "epoch " + epoch + " has only "
                        + count + " batches");
            }
            if (options.workers() == 0) {
                return assemble(epoch, order, nextToReturn++);
            }
            while (nextToSubmit < count && inFlight.size() < options.prefetch()) {
                int b = nextToSubmit++;
                inFlight.add(pool().submit(() -> assemble(epoch, order, b)));
            }
            Future<Batch> head = inFlight.poll();
            nextToReturn++;
            try {
                Batch batch = head.get();
                if (nextToSubmit < count) {
                    int b = nextToSubmit++;
                    inFlight.add(pool().submit(() -> assemble(epoch, order, b)));
                }
                return batch;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while waiting for batch " + (nextToReturn - 1)
                        + " of epoch " + epoch, e);
            } catch (ExecutionException e) {
                close();
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("loading batch " + (nextToReturn - 1) + " of epoch " + epoch
                        + " failed", e.getCause());
            }
        }

        /** Cancels batches loaded ahead; further calls to {@link #hasNext()} return false. */
        @Override
        public void close() {
            closed = true;
            for (Future<Batch> f : inFlight) {
                f.cancel(true);
            }
            inFlight.clear();
        }
    }
}
