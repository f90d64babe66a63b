package org.fcn4j.data;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

/**
 * The denoising course's synthetic microscopy images: 1 x 64 x 64 "cells" under positive clutter,
 * generated lazily and deterministically from (seed, index).
 *
 * <p>Clean image: a Poisson(8) number of cells, each a disc of radius uniform in [5, 10] pixels
 * at a uniform centre, with the smooth radial profile {@code a * cos^2(pi d / (2 r))} (d the
 * distance to the centre, amplitude a uniform in [0.5, 1]); overlapping cells add up.
 *
 * <p>Clutter (one draw): a Poisson(1.2) number of filled rectangles of intensity uniform in
 * [0.5, 1.5], and a Poisson(1.2) number of noisy rectangles whose pixels are an intensity uniform
 * in [0.5, 1.5] times |N(0, 1)|. Sides are uniform in [5, 28] pixels and rectangles lie inside
 * the image. Clutter is never negative, and each pixel is covered by some rectangle with
 * probability at most about 0.3 (below one half: at the centre, each rectangle covers it with
 * probability about 0.14, and 1 - exp(-2.4 * 0.14) = 0.29), so the pixel-wise median of
 * cells-plus-clutter draws is the clean image.
 *
 * <p>Tasks ({@link Task}), all with field targets of shape (1, 64, 64):
 * <ul>
 *   <li>{@code cells-denoise}: input cells + clutter, target cells (supervised, MSE);</li>
 *   <li>{@code cells-noise2noise}: input and target are cells plus two independent clutter draws
 *       (MAE recovers the clean image);</li>
 *   <li>{@code cells-pure-noise}: only noisy images and, as a second source
 *       ({@link #pureNoise()}), samples of clutter alone; {@link #get(int)} returns input = noisy
 *       image + an independent clutter sample, target = the noisy image, the pairs that neural
 *       egg separation trains on (MAE, then the pinball loss at q = 0.4).</li>
 * </ul>
 * {@link #clean(int)} returns the clean image of every task, for evaluation.
 */
public final class CellsDataset implements Dataset {
    /** Image side in pixels. */
    public static final int SIZE = 64;

    /** The course's three scenarios. */
    public enum Task {
        DENOISE("cells-denoise"), NOISE2NOISE("cells-noise2noise"), PURE_NOISE("cells-pure-noise");

        private final String id;

        Task(String id) {
            this.id = id;
        }

        /** Returns the name used by {@link Datasets#open} and the command line. */
        public String id() {
            return id;
        }
    }

    static final double MEAN_CELLS = 8;
    static final double MEAN_FILLED_RECTANGLES = 1.2;
    static final double MEAN_NOISY_RECTANGLES = 1.2;
    static final int MIN_SIDE = 5;
    static final int MAX_SIDE = 28;

    private final Task task;
    private final int size;
    private final long seed;

    /**
     * @param task the scenario
     * @param size the number of samples
     * @param seed the root seed; the same (seed, index) always gives the same sample
     */
    public CellsDataset(Task task, int size, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, got " + size);
        }
        this.task = task;
        this.size = size;
        this.seed = seed;
    }

    public Task task() {
        return task;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public TargetKind targetKind() {
        return TargetKind.FIELD;
    }

    @Override
    public Sample get(int index) {
        checkIndex(index);
        float[] cells = cells(index);
        float[] input = plus(cells, clutter(index, 0).data());
        float[] target = switch (task) {
            case DENOISE -> cells;
            case NOISE2NOISE -> plus(cells, clutter(index, 1).data());
            case PURE_NOISE -> {
                float[] noisy = input;
                input = plus(noisy, clutter(index, 2).data());
                yield noisy;
            }
        };
        return new Sample(Tensor.of(input, 1, SIZE, SIZE), Tensor.of(target, 1, SIZE, SIZE));
    }

    /** Returns the clean cells of sample {@code index}, (1, 64, 64). */
    public Tensor clean(int index) {
        checkIndex(index);
        return Tensor.of(cells(index), 1, SIZE, SIZE);
    }

    /**
     * Returns the second source of the pure-noise scenario: samples of clutter alone (input and target the
     * same clutter image), drawn independently of every cells image.
     */
    public Dataset pureNoise() {
        return new Dataset() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Sample get(int index) {
                checkIndex(index);
                float[] c = new float[SIZE * SIZE];
                addClutter(c, index, 3);
                return new Sample(Tensor.of(c, 1, SIZE, SIZE), Tensor.of(c.clone(), 1, SIZE, SIZE));
            }

            @Override
            public TargetKind targetKind() {
                return TargetKind.FIELD;
            }
        };
    }

    /** Returns one clutter draw alone, (1, 64, 64); draws 0 to 3 are those {@link #get} and {@link #pureNoise} use. */
    public Tensor clutter(int index, int draw) {
        checkIndex(index);
        float[] c = new float[SIZE * SIZE];
        addClutter(c, index, draw);
        return Tensor.of(c, 1, SIZE, SIZE);
    }

    private static float[] plus(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    private float[] cells(int index) {
        Generator rng = new Generator(Seeds.derive(seed, 10, index));
        float[] img = new float[SIZE * SIZE];   // (64, 64)
        int n = poisson(rng, MEAN_CELLS);
        for (int c = 0; c < n; c++) {
            double cy = rng.nextDouble() * SIZE;
            double cx = rng.nextDouble() * SIZE;
            double r = 5 + 5 * rng.nextDouble();
            double a = 0.5 + 0.5 * rng.nextDouble();
            int y0 = Math.max(0, (int) Math.floor(cy - r));
            int y1 = Math.min(SIZE - 1, (int) Math.ceil(cy + r));
            int x0 = Math.max(0, (int) Math.floor(cx - r));
            int x1 = Math.min(SIZE - 1, (int) Math.ceil(cx + r));
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    // Pixel centres at (y + 0.5, x + 0.5).
                    double d = Math.hypot(y + 0.5 - cy, x + 0.5 - cx);
                    if (d < r) {
                        double c2 = Math.cos(Math.PI * d / (2 * r));
                        img[y * SIZE + x] += (float) (a * c2 * c2);
                    }
                }
            }
        }
        return img;
    }

    private void addClutter(float[] img, int index, int draw) {
        Generator rng = new Generator(Seeds.derive(seed, 20 + draw, index));
        int filled = poisson(rng, MEAN_FILLED_RECTANGLES);
        int noisy = poisson(rng, MEAN_NOISY_RECTANGLES);
        for (int k = 0; k < filled + noisy; k++) {
            int h = MIN_SIDE + rng.nextInt(MAX_SIDE - MIN_SIDE + 1);
            int w = MIN_SIDE + rng.nextInt(MAX_SIDE - MIN_SIDE + 1);
            int top = rng.nextInt(SIZE - h + 1);
            int left = rng.nextInt(SIZE - w + 1);
            float intensity = (float) (0.5 + rng.nextDouble());
            boolean isNoisy = k >= filled;
            for (int y = top; y < top + h; y++) {
                for (int x = left; x < left + w; x++) {
                    img[y * SIZE + x] += isNoisy ? intensity * (float) Math.abs(rng.nextGaussian()) : intensity;
                }
            }
        }
    }

    /** Knuth's multiplication method, exact for the small means used here. */
    static int poisson(Generator rng, double mean) {
        double limit = Math.exp(-mean);
        double p = 1;
        int k = -1;
        do {
            k++;
            p *= rng.nextDouble();
        } while (p > limit);
        return k;
    }
}
