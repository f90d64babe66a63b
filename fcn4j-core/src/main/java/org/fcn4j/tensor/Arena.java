package org.fcn4j.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.fcn4j.kernel.Parallel;

/**
 * Storage for the intermediate tensors of a model's forward pass, kept from one pass to the next,
 * so that a training loop does not allocate (and the garbage collector does not clear) tens of
 * megabytes per step.
 *
 * <p>A model opens its arena around the part of its forward pass whose results stay inside the
 * model; the kernels there ask {@link #floats(int)} and {@link #ints(int)} for their outputs and
 * saved state. A request gets a zero-filled buffer of the previous pass with the same type and
 * length that this pass has not taken yet, else a new array. When a pass repeats the previous one,
 * as training steps do, the n-th request gets the n-th buffer without a search. Buffers that a pass
 * leaves untaken are dropped when it ends, so the arena keeps one pass's storage. An evaluation
 * pass after training steps therefore runs in the training buffers instead of making a second set,
 * and a pass on another input size does not keep the old size's buffers. Outside an open arena,
 * and on other threads, both methods return new arrays.
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

    private final ArrayList<Object> slots = new ArrayList<>();     // float[] or int[]: the previous pass's
    private final ArrayList<Object> passOrder = new ArrayList<>(); // the open pass's, in request order
    private final ArrayList<Object> released = new ArrayList<>();  // the open pass's, given back by release
    private boolean[] taken = new boolean[16];                     // per slot: handed out in the open pass
    private final AtomicBoolean inUse = new AtomicBoolean();
    private int cursor;                                            // the slot the next request tries first

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
        Arrays.fill(taken, false);
        passOrder.clear();
        released.clear();
        cursor = 0;
        ACTIVE.set(this);
        return new Scope(previous, this);
    }

    /**
     * Until the returned scope closes, this thread's requests get new arrays although its arena is
     * open: for a model's output, which must not come from the arena but is computed while the
     * arena is still held, because it reads the arena's buffers.
     */
    public static Scope suspend() {
        Arena previous = ACTIVE.get();
        ACTIVE.remove();
        return new Scope(previous, null);
    }

    /**
     * Gives a buffer of this thread's open pass back before the pass ends, so that a later request
     * of the same pass can take it. Activations that only a copy reads, such as the branches of a
     * concatenation, then share storage with later ones. Does nothing for an array that the open
     * pass did not hand out, or when no arena is open.
     *
     * <p>NOTE: the caller guarantees that nothing reads the buffer any more, the backward pass
     * included: the next request of its type and length overwrites it.
     */
    public static void release(Object buffer) {
        Arena a = ACTIVE.get();
        if (a != null) {
            a.giveBack(buffer);
        }
    }

    /** Zero-filled storage of n floats: from the open arena of this thread, else new. */
    public static float[] floats(int n) {
        Arena a = ACTIVE.get();
        return a == null ? new float[n] : a.takeFloats(n, true);
    }

    /**
     * Storage of n floats for a result that writes every element, so its contents are left as
     * they are: from the open arena of this thread (what the previous pass wrote), else new.
     */
    public static float[] floatsToOverwrite(int n) {
        Arena a = ACTIVE.get();
        return a == null ? new float[n] : a.takeFloats(n, false);
    }

    /** Zero-filled storage of n ints: from the open arena of this thread, else new. */
    public static int[] ints(int n) {
        Arena a = ACTIVE.get();
        return a == null ? new int[n] : a.takeInts(n);
    }

    private float[] takeFloats(int n, boolean zeroed) {
        if (find(n, true) instanceof float[] f) {
            if (zeroed) {
                Parallel.fill(f, 0f);
            }
            return f;
        }
        float[] f = new float[n];
        passOrder.add(f);
        return f;
    }

    private int[] takeInts(int n) {
        if (find(n, false) instanceof int[] v) {
            Arrays.fill(v, 0);
            return v;
        }
        int[] v = new int[n];
        passOrder.add(v);
        return v;
    }

    // An untaken buffer of the previous pass of this type and length, now taken, or null. The one
    // at the cursor is tried first, so a pass in the previous pass's order never searches.
    private Object find(int n, boolean floats) {
        for (int i = released.size() - 1; i >= 0; i--) {
            Object b = released.get(i);
            if (floats ? b instanceof float[] f && f.length == n : b instanceof int[] v && v.length == n) {
                released.remove(i);
                passOrder.add(b);
                return b;
            }
        }
        int size = slots.size();
        for (int k = 0; k < size; k++) {
            int i = (cursor + k) % size;
            Object b = slots.get(i);
            boolean fits = floats ? b instanceof float[] f && f.length == n : b instanceof int[] v && v.length == n;
            if (fits && !taken[i]) {
                taken[i] = true;
                cursor = i + 1;
                passOrder.add(b);
                return b;
            }
        }
        return null;
    }

    private void giveBack(Object buffer) {
        for (int i = passOrder.size() - 1; i >= 0; i--) {
            if (passOrder.get(i) == buffer) {
                passOrder.remove(i);
                released.add(buffer);
                return;
            }
        }
    }

    // At the end of a pass its buffers, in request order, become the ones the next pass reuses.
    // The previous pass's buffers that it did not take are dropped.
    private void endPass() {
        slots.clear();
        slots.addAll(passOrder);
        slots.addAll(released);
        passOrder.clear();
        released.clear();
        if (taken.length < slots.size()) {
            taken = new boolean[2 * slots.size()];
        }
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
                owned.endPass();
                owned.inUse.set(false);
            }
        }
    }
}
