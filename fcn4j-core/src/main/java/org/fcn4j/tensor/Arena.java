package org.fcn4j.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Storage for the intermediate tensors of a model's forward pass, kept from one pass to the next,
 * so that a training loop does not allocate (and the garbage collector does not clear) tens of
 * megabytes per step.
 *
 * <p>A model opens its arena around the part of its forward pass whose results stay inside the
 * model; the kernels there ask {@link #floats(int)} and {@link #ints(int)} for their outputs and
 * saved state. Buffers are handed out in request order: the n-th request of a pass gets the n-th
 * buffer of the previous pass when it has the same length, zero-filled, else a new array. Outside
 * an open arena, and on other threads, both methods return new arrays.
 *
 * <p>NOTE: reuse overwrites the previous pass's intermediate tensors. When the {@code reuse}
 * argument of {@link #open(BooleanSupplier)} returns false, a fresh set of buffers is made; the model passes true only when nothing can
 * still read the old ones: the previous pass recorded no graph, or its graph was freed by a
 * backward pass. The tensor returned to the caller must never come from the arena.
 *
 * <p>NOTE: one thread at a time uses an arena. A pass that opens it while another thread has it
 * open gets new arrays ({@link Scope#owns()} is then false), so concurrent forward passes of one
 * model stay correct, without the reuse.
 */
public final class Arena {
    private static final ThreadLocal<Arena> ACTIVE = new ThreadLocal<>();

    private final ArrayList<Object> slots = new ArrayList<>(); // float[] or int[], in request order
    private final AtomicBoolean inUse = new AtomicBoolean();
    private int cursor;

    /**
     * Makes this arena the current thread's until the scope closes. When {@code reuse}, asked once
     * the arena is this thread's, returns false, the buffers of earlier passes are dropped (left
     * to whoever still holds them) and new ones are made. While another thread has this arena
     * open, the scope hands out new arrays instead.
     */
    public Scope open(BooleanSupplier reuse) {
        Arena previous = ACTIVE.get();
        if (!inUse.compareAndSet(false, true)) {
            ACTIVE.remove();
            return new Scope(previous, null);
        }
        if (!reuse.getAsBoolean()) {
            slots.clear();
        }
        cursor = 0;
        ACTIVE.set(this);
        return new Scope(previous, this);
    }

    /** Zero-filled storage of n floats: from the open arena of this thread, else new. */
    public static float[] floats(int n) {
        Arena a = ACTIVE.get();
        return a == null ? new float[n] : a.takeFloats(n);
    }

    /** Zero-filled storage of n ints: from the open arena of this thread, else new. */
    public static int[] ints(int n) {
        Arena a = ACTIVE.get();
        return a == null ? new int[n] : a.takeInts(n);
    }

    private float[] takeFloats(int n) {
        if (cursor < slots.size() && slots.get(cursor) instanceof float[] f && f.length == n) {
            cursor++;
            Arrays.fill(f, 0f);
            return f;
        }
        float[] f = new float[n];
        put(f);
        return f;
    }

    private int[] takeInts(int n) {
        if (cursor < slots.size() && slots.get(cursor) instanceof int[] v && v.length == n) {
            cursor++;
            Arrays.fill(v, 0);
            return v;
        }
        int[] v = new int[n];
        put(v);
        return v;
    }

    // A pass that differs from the previous one from here on: the rest of the old buffers go.
    private void put(Object buffer) {
        if (cursor < slots.size()) {
            slots.subList(cursor, slots.size()).clear();
        }
        slots.add(buffer);
        cursor++;
    }

    /** Restores the arena that was open before, if any, and releases this one for other threads. */
    public static final class Scope implements AutoCloseable {
        private final Arena previous;
        private final Arena owned; // null when another thread had the arena open

        private Scope(Arena previous, Arena owned) {
            this.previous = previous;
            this.owned = owned;
        }

        /** True when this scope's pass uses the arena's buffers, false when it got new arrays. */
        public boolean owns() {
            return owned != null;
        }

        @Override
        public void close() {
            if (previous == null) {
                ACTIVE.remove();
            } else {
                ACTIVE.set(previous);
            }
            if (owned != null) {
                owned.inUse.set(false);
            }
        }
    }
}
