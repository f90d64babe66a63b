package org.fcn4j.tensor;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import org.fcn4j.kernel.Parallel;

/**
 * Gradient storage of intermediate tensors, returned by the backward pass once a tensor's gradient
 * has been propagated and taken again by the next {@link Tensor#gradBuffer()} of the same length.
 * A backward pass through a network then reuses the gradient arrays of the layers it has left
 * behind, and the next training step reuses those of the last.
 *
 * <p>At most {@value #MAX_FLOATS} floats (256 MB) are kept; beyond that returned arrays are left
 * to the garbage collector. Shared by all threads, so the methods are synchronized.
 */
final class GradPool {
    static final long MAX_FLOATS = 1L << 26;

    private static final Map<Integer, ArrayDeque<float[]>> FREE = new HashMap<>();
    private static long kept;

    private GradPool() {
    }

    /** A zero-filled array of n floats. */
    static float[] take(int n) {
        float[] a = reuse(n);
        if (a == null) {
            return new float[n];
        }
        Parallel.fill(a, 0f);
        return a;
    }

    /** Returns an array of n floats with undefined contents, for a caller that writes every element. */
    static float[] takeToOverwrite(int n) {
        float[] a = reuse(n);
        return a == null ? new float[n] : a;
    }

    private static float[] reuse(int n) {
        float[] a;
        synchronized (GradPool.class) {
            ArrayDeque<float[]> q = FREE.get(n);
            a = q == null ? null : q.pollLast();
            if (a != null) {
                kept -= n;
            }
        }
        return a;
    }

    /** Gives back an array no one reads any more. */
    static synchronized void give(float[] a) {
        if (kept + a.length > MAX_FLOATS) {
            return;
        }
        FREE.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
        kept += a.length;
    }
}
