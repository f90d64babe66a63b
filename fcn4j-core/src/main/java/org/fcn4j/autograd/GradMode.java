package org.fcn4j.autograd;

/**
 * Whether operations on the current thread are recorded for backpropagation.
 *
 * <pre>{@code
 * try (var _ = GradMode.noGrad()) {
 *     Tensor y = model.forward(x);   // nothing is recorded
 * }
 * }</pre>
 * Scopes nest; leaving the outermost one restores recording.
 */
public final class GradMode {
    private static final ThreadLocal<int[]> DISABLED_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private GradMode() {
    }

    /** Returns true when operations on this thread record a graph. */
    public static boolean isEnabled() {
        return DISABLED_DEPTH.get()[0] == 0;
    }

    /** Opens a scope in which nothing is recorded; close it with try-with-resources. */
    public static Scope noGrad() {
        int[] depth = DISABLED_DEPTH.get();
        depth[0]++;
        return new Scope(depth);
    }

    /** A no-grad scope; closing it twice is harmless. */
    public static final class Scope implements AutoCloseable {
        private final int[] depth;
        private boolean closed;

        private Scope(int[] depth) {
            this.depth = depth;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                depth[0]--;
            }
        }
    }
}
