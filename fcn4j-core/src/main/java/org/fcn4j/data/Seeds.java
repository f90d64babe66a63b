package org.fcn4j.data;

/**
 * Derivation of independent seeds from a root seed and a path of keys, such as (seed, epoch,
 * sample index), so each draw depends on what it is for and not on which thread ran first.
 */
final class Seeds {
    private Seeds() {
    }

    /** Mixes the keys into the seed one by one with the SplitMix64 finaliser (a bijection per step). */
    static long derive(long seed, long... keys) {
        long h = mix(seed ^ 0x6A09E667F3BCC909L);
        for (long k : keys) {
            h = mix(h + 0x9E3779B97F4A7C15L + mix(k));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
