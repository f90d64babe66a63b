package org.fcn4j.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.fcn4j.tensor.Tensor;

/**
 * Reverse-mode differentiation over the recorded graph. {@link Tensor#backward()} calls
 * {@link #backward(Tensor, float[], boolean)}; library code does not need this class otherwise.
 */
public final class Autograd {
    private static final ThreadLocal<boolean[]> RETAINING = ThreadLocal.withInitial(() -> new boolean[1]);

    private Autograd() {
    }

    /** True while this thread runs a backward pass that keeps the graph for another one. */
    public static boolean isRetainingGraph() {
        return RETAINING.get()[0];
    }

    /**
     * Propagates {@code seed} (dLoss/dRoot, same length as root) through the graph below root,
     * visiting each node once in reverse topological order. Gradients accumulate into the
     * {@code grad} of every leaf that requires one; intermediate gradients are dropped afterwards
     * unless the tensor asked to retain its gradient.
     *
     * @param retainGraph keep the gradient rules so that a second backward pass is possible
     * @throws IllegalStateException when a node on the path was freed by an earlier backward pass
     */
    public static void backward(Tensor root, float[] seed, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward() called on a tensor that does not require a gradient: "
                    + "no input of the computation had requiresGrad(true), or it ran inside GradMode.noGrad()");
        }
        List<Tensor> order = topologicalOrder(root);

        // Seed the root, then walk from the root towards the leaves.
        float[] rootGrad = root.gradBuffer();
        for (int i = 0; i < seed.length; i++) {
            rootGrad[i] += seed[i];
        }
        boolean[] retaining = RETAINING.get();
        boolean outer = retaining[0];
        retaining[0] = retainGraph;
        try {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Node node = t.gradFn();
                float[] dOut = t.gradOrNull();
                if (dOut != null) {
                    node.backward().apply(dOut);
                }
                if (!retainGraph) {
                    node.free();
                }
                if (!t.retainsGrad()) {
                    t.releaseGrad();
                }
            }
        } finally {
            retaining[0] = outer;
        }
    }

    // Non-leaf tensors in an order where every tensor comes after the tensors it was computed from.
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            Node node = t.gradFn();
            if (node == null) {
                stack.pop();
                continue;
            }
            if (node.isFreed()) {
                throw new IllegalStateException("backward through a freed graph: the saved tensors of '" + node.name()
                        + "' were released by an earlier backward pass. Run the forward pass again, or call "
                        + "backward(seed, true) the first time to keep the graph.");
            }
            int next = (Integer) frame[1];
            Tensor[] inputs = node.inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && visited.put(in, Boolean.TRUE) == null) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
