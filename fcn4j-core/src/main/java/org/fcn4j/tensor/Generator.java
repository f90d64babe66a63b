package org.fcn4j.tensor;

/**
 * Seeded pseudo-random generator (SplitMix64) used for every random draw in fcn4j: weight
 * initialisation, dropout masks, shuffling, augmentation and data generators. Its whole state is
 * one {@code long}, so a training run can save and restore it ({@link #state()},
 * {@link #setState(long)}) and repeat bit for bit.
 *
 * <p>Not thread-safe: give each thread its own generator, derived with {@link #fork()}.
 */
public final class Generator {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    public Generator(long seed) {
        this.state = seed;
    }

    /** The current state; {@code new Generator(0).setState(s)} continues the same sequence. */
    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
    }

    /** Returns the next 64 random bits. */
    public long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Returns a uniform double in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Returns a uniform float in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Returns a uniform integer in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long limit = Long.remainderUnsigned(-1L, bound);
        long r;
        do {
            r = nextLong();
        } while (Long.compareUnsigned(r, -1L - limit) > 0 && limit != bound - 1);
        return (int) Long.remainderUnsigned(r, bound);
    }

    /** Returns a standard normal draw (Box-Muller; two uniforms per draw, so the state stays one long). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // in (0, 1], so the logarithm is finite
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Returns true with probability p. */
    public boolean nextBoolean(double p) {
        return nextDouble() < p;
    }

    /** Returns a new generator seeded from this one, for an independent stream. */
    public Generator fork() {
        return new Generator(nextLong());
    }

    /** Shuffles indices in place (Fisher-Yates). */
    public void shuffle(int[] values) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}
