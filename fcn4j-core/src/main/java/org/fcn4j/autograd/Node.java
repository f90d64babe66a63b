package org.fcn4j.autograd;

import org.fcn4j.tensor.Tensor;

/**
 * One recorded operation of the define-by-run graph: its name (for error messages), its inputs
 * and its gradient rule. A backward pass frees the rule, and with it the tensors it saved, unless
 * the graph is retained.
 */
public final class Node {
    private final String name;
    private final Tensor[] inputs;
    private Backward backward;

    public Node(String name, Tensor[] inputs, Backward backward) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String name() {
        return name;
    }

    public Tensor[] inputs() {
        return inputs;
    }

    /** True once a backward pass has released this operation's gradient rule and saved tensors. */
    public boolean isFreed() {
        return backward == null;
    }

    Backward backward() {
        return backward;
    }

    void free() {
        backward = null;
    }
}
