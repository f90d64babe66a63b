package org.fcn4j.tensor;

import java.util.Arrays;

import org.fcn4j.autograd.Autograd;
import org.fcn4j.autograd.Backward;
import org.fcn4j.autograd.GradMode;
import org.fcn4j.autograd.Node;
import org.fcn4j.kernel.Parallel;

/**
 * A float32, contiguous, row-major tensor (NCHW for images) that records the operations applied
 * to it for reverse-mode differentiation.
 *
 * <p>Operations return new tensors. When gradient recording is on ({@link GradMode}) and an input
 * requires a gradient, the result remembers how it was computed, and {@link #backward()} on a
 * scalar result adds dLoss/dInput into the {@link #grad()} of every leaf that requires it.
 * Gradients accumulate until {@link #zeroGrad()}.
 *
 * <p>{@link #reshape} shares storage with its input, as a PyTorch view does; every other
 * operation writes new storage. {@link #data()} exposes the storage to kernels and optimisers.
 */
public final class Tensor {
    private final float[] data;   // numel elements, row-major
    private final int[] shape;
    private boolean requiresGrad;
    private float[] grad;         // same length as data; allocated on the first accumulation
    private Node gradFn;          // null for leaves
    private boolean retainGrad;
    private boolean gradMayOverwriteData; // set by allowGradOverData()
    private boolean gradIsData;           // grad is data, given by gradBufferOverData()

    private Tensor(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    // ---------------------------------------------------------------- creation

    /** Wraps {@code data} (not copied) as a tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        int n = Shape.numel(shape);
        if (data.length != n) {
            throw new IllegalArgumentException("data has " + data.length + " elements, shape " + Shape.str(shape)
                    + " needs " + n);
        }
        return new Tensor(data, shape.clone());
    }

    /** Copies {@code values} into a new one-dimensional tensor. */
    public static Tensor vector(float... values) {
        return new Tensor(values.clone(), new int[] {values.length});
    }

    /** Returns a zero-dimensional tensor holding one value. */
    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0]);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shape.numel(shape)], shape.clone());
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        Arrays.fill(d, value);
        return new Tensor(d, shape.clone());
    }

    /** Draws from the standard normal distribution N(0, 1). */
    public static Tensor randn(Generator rng, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) rng.nextGaussian();
        }
        return new Tensor(d, shape.clone());
    }

    /** Draws uniformly from [low, high). */
    public static Tensor uniform(Generator rng, float low, float high, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = low + (high - low) * rng.nextFloat();
        }
        return new Tensor(d, shape.clone());
    }

    // ---------------------------------------------------------------- accessors

    /** Returns the storage, row-major. Writing to it bypasses autograd. */
    public float[] data() {
        return data;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim() {
        return shape.length;
    }

    /** Size of one dimension; negative axes count from the end. */
    public int size(int axis) {
        return shape[Shape.axis(axis, shape.length)];
    }

    public int numel() {
        return data.length;
    }

    /** Returns the element at a full index, e.g. {@code get(n, c, h, w)}. */
    public float get(int... index) {
        return data[flatIndex(index)];
    }

    /** Writes one element, bypassing autograd. */
    public void set(float value, int... index) {
        data[flatIndex(index)] = value;
    }

    /** Returns the single value of a one-element tensor. */
    public float item() {
        if (data.length != 1) {
            throw new IllegalStateException("item() needs a tensor with one element, got shape " + Shape.str(shape));
        }
        return data[0];
    }

    /** Returns a copy of the storage. */
    public float[] toArray() {
        return data.clone();
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for a tensor of shape "
                    + Shape.str(shape));
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is outside shape "
                        + Shape.str(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return flat;
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as a parameter or input whose gradient backward() computes. Returns this. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on a computed tensor; use detach() instead");
        }
        this.requiresGrad = value;
        return this;
    }

    /** Returns the accumulated gradient as a tensor sharing its storage, or null before any backward pass. */
    public Tensor grad() {
        return grad == null ? null : new Tensor(grad, shape);
    }

    /** Returns the gradient storage, allocated as zeros on first use, which backward rules add into. */
    public float[] gradBuffer() {
        if (grad == null) {
            grad = GradPool.take(data.length);
        }
        return grad;
    }

    /**
     * Returns new gradient storage with undefined contents, for a backward rule that writes every
     * element of the first gradient to reach this tensor. It skips the zero fill of
     * {@link #gradBuffer()}. A rule that finds a gradient already there ({@link #gradOrNull()} not
     * null) adds into {@link #gradBuffer()} instead.
     *
     * @throws IllegalStateException when a gradient already reached this tensor
     */
    public float[] gradBufferToOverwrite() {
        if (grad != null) {
            throw new IllegalStateException("gradBufferToOverwrite() is invalid once a gradient has reached the "
                    + "tensor. Add into gradBuffer() instead");
        }
        grad = GradPool.takeToOverwrite(data.length);
        return grad;
    }

    /** Returns the gradient storage, or null when no gradient reached this tensor. */
    public float[] gradOrNull() {
        return grad;
    }

    /** Sets the gradient to zero (keeping its storage). */
    public void zeroGrad() {
        if (grad != null) {
            Parallel.fill(grad, 0f);
        }
    }

    /** Releases the gradient storage. */
    public void dropGrad() {
        grad = null;
        gradIsData = false;
    }

    /**
     * Lets the backward pass of this computed tensor's consumer write the tensor's gradient over its
     * values (see {@link #gradBufferOverData()}), so that the gradient takes no storage of its own.
     *
     * <p>NOTE: the caller guarantees that exactly one operation reads this tensor, that it writes the
     * gradient only after its last read of the values, and that this tensor's own backward rule does
     * not read them (a concatenation's does not). The values are then lost after the backward pass.
     */
    public Tensor allowGradOverData() {
        if (gradFn == null) {
            throw new IllegalStateException("allowGradOverData() needs a computed tensor, got a leaf, whose values "
                    + "belong to the caller");
        }
        this.gradMayOverwriteData = true;
        return this;
    }

    /**
     * Returns {@link #gradBuffer()}, except after {@link #allowGradOverData()} when no gradient has
     * reached this tensor yet, the gradient is not retained and the backward pass frees the graph:
     * then the tensor's own storage, zero-filled, becomes its gradient.
     */
    public float[] gradBufferOverData() {
        if (grad == null && gradMayOverwriteData && !retainsGrad() && !Autograd.isRetainingGraph()) {
            Parallel.fill(data, 0f);
            grad = data;
            gradIsData = true;
        }
        return gradBuffer();
    }

    /**
     * Releases the gradient storage for reuse by a later {@link #gradBuffer()}. The backward pass
     * calls this for intermediate gradients it has propagated; no one may read the array after.
     */
    public void releaseGrad() {
        if (grad != null && !gradIsData) {
            GradPool.give(grad);
        }
        grad = null;
        gradIsData = false;
    }

    /** Keeps the gradient of this computed tensor after backward(), as PyTorch's retain_grad(). */
    public Tensor retainGrad() {
        this.retainGrad = true;
        return this;
    }

    public boolean retainsGrad() {
        return retainGrad || gradFn == null;
    }

    /** Returns the operation that computed this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /** Returns a leaf sharing this tensor's storage, cut from the graph. */
    public Tensor detach() {
        return new Tensor(data, shape);
    }

    /** Returns a leaf holding a copy of this tensor's values. */
    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    /** Backpropagates from a one-element tensor, with dLoss/dThis = 1. */
    public void backward() {
        if (data.length != 1) {
            throw new IllegalStateException("backward() without a seed gradient needs a scalar, got shape "
                    + Shape.str(shape) + "; reduce it first (sum(), mean()) or call backward(seed) with a seed of "
                    + "that shape");
        }
        Autograd.backward(this, new float[] {1f}, false);
    }

    /** Backpropagates with the given dLoss/dThis, which must have this tensor's shape. */
    public void backward(Tensor seed) {
        backward(seed, false);
    }

    /** As {@link #backward(Tensor)}; with retainGraph, the graph can be traversed again. */
    public void backward(Tensor seed, boolean retainGraph) {
        Shape.check("backward seed", shape, seed.shape);
        Autograd.backward(this, seed.data, retainGraph);
    }

    /**
     * Builds the result of an operation: a plain tensor when recording is off or no input requires
     * a gradient, otherwise a tensor that will call {@code backward} during backpropagation.
     * This is how layers and losses outside this package define differentiable operations.
     */
    public static Tensor result(String name, float[] data, int[] shape, Backward backward, Tensor... inputs) {
        Tensor out = Tensor.of(data, shape);
        if (GradMode.isEnabled()) {
            for (Tensor in : inputs) {
                if (in != null && in.requiresGrad) {
                    out.requiresGrad = true;
                    out.gradFn = new Node(name, inputs, backward);
                    break;
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- element-wise arithmetic

    public Tensor add(Tensor other) {
        return binary(this, other, BinaryOp.ADD);
    }

    public Tensor sub(Tensor other) {
        return binary(this, other, BinaryOp.SUB);
    }

    public Tensor mul(Tensor other) {
        return binary(this, other, BinaryOp.MUL);
    }

    public Tensor div(Tensor other) {
        return binary(this, other, BinaryOp.DIV);
    }

    public Tensor add(float value) {
        return Elementwise.affine(this, 1f, value);
    }

    public Tensor sub(float value) {
        return Elementwise.affine(this, 1f, -value);
    }

    public Tensor mul(float value) {
        return Elementwise.affine(this, value, 0f);
    }

    public Tensor div(float value) {
        return Elementwise.divide(this, value);
    }

    public Tensor neg() {
        return Elementwise.affine(this, -1f, 0f);
    }

    public Tensor exp() {
        return Elementwise.unary(this, Elementwise.Unary.EXP);
    }

    public Tensor log() {
        return Elementwise.unary(this, Elementwise.Unary.LOG);
    }

    public Tensor sqrt() {
        return Elementwise.unary(this, Elementwise.Unary.SQRT);
    }

    public Tensor abs() {
        return Elementwise.unary(this, Elementwise.Unary.ABS);
    }

    public Tensor square() {
        return Elementwise.unary(this, Elementwise.Unary.SQUARE);
    }

    public Tensor relu() {
        return Elementwise.unary(this, Elementwise.Unary.RELU);
    }

    public Tensor sigmoid() {
        return Elementwise.unary(this, Elementwise.Unary.SIGMOID);
    }

    public Tensor tanh() {
        return Elementwise.unary(this, Elementwise.Unary.TANH);
    }

    /** Raises every element to a constant power. */
    public Tensor pow(float exponent) {
        return Elementwise.pow(this, exponent);
    }

    /** Clamps every element to [min, max]; the gradient is zero where the value was clamped. */
    public Tensor clamp(float min, float max) {
        return Elementwise.clamp(this, min, max);
    }

    private enum BinaryOp { ADD, SUB, MUL, DIV }

    private static Tensor binary(Tensor a, Tensor b, BinaryOp op) {
        int[] outShape = Shape.broadcast(a.shape, b.shape);
        int n = Shape.numel(outShape);
        float[] out = new float[n];
        float[] x = a.data;
        float[] y = b.data;
        boolean sameA = Arrays.equals(outShape, a.shape);
        boolean sameB = Arrays.equals(outShape, b.shape);
        int[] ia = sameA ? null : Shape.broadcastIndex(outShape, a.shape);
        int[] ib = sameB ? null : Shape.broadcastIndex(outShape, b.shape);

        for (int i = 0; i < n; i++) {
            float u = x[sameA ? i : ia[i]];
            float v = y[sameB ? i : ib[i]];
            out[i] = switch (op) {
                case ADD -> u + v;
                case SUB -> u - v;
                case MUL -> u * v;
                case DIV -> u / v;
            };
        }

        Backward backward = dOut -> {
            if (a.requiresGrad) {
                float[] da = a.gradBuffer();
                for (int i = 0; i < n; i++) {
                    float g = switch (op) {
                        case ADD, SUB -> dOut[i];
                        case MUL -> dOut[i] * y[sameB ? i : ib[i]];
                        case DIV -> dOut[i] / y[sameB ? i : ib[i]];
                    };
                    da[sameA ? i : ia[i]] += g;
                }
            }
            if (b.requiresGrad) {
                float[] db = b.gradBuffer();
                for (int i = 0; i < n; i++) {
                    float v = y[sameB ? i : ib[i]];
                    float g = switch (op) {
                        case ADD -> dOut[i];
                        case SUB -> -dOut[i];
                        case MUL -> dOut[i] * x[sameA ? i : ia[i]];
                        case DIV -> -dOut[i] * x[sameA ? i : ia[i]] / (v * v);
                    };
                    db[sameB ? i : ib[i]] += g;
                }
            }
        };
        return result(op.name().toLowerCase(java.util.Locale.ROOT), out, outShape, backward, a, b);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements, as a zero-dimensional tensor. */
    public Tensor sum() {
        return Reductions.sum(this, allAxes(), false);
    }

    /** Sum over the given axes; keepDim keeps them with size 1. */
    public Tensor sum(int[] axes, boolean keepDim) {
        return Reductions.sum(this, axes, keepDim);
    }

    public Tensor mean() {
        return Reductions.mean(this, allAxes(), false);
    }

    public Tensor mean(int[] axes, boolean keepDim) {
        return Reductions.mean(this, axes, keepDim);
    }

    /**
     * Maximum over the given axes. Over one axis, as {@code torch.max(x, dim)}, the gradient flows
     * to the first maximal element; over several axes, as {@code torch.amax}, it is shared evenly
     * among tied maxima.
     */
    public Tensor max(int[] axes, boolean keepDim) {
        return Reductions.max(this, axes, keepDim, axes.length > 1);
    }

    /** Maximum of all elements; as {@code torch.max(x)}, tied maxima share the gradient evenly. */
    public Tensor max() {
        return Reductions.max(this, allAxes(), false, true);
    }

    /**
     * Variance over the given axes: biased (divide by n) or unbiased (divide by n - 1, Bessel's
     * correction, PyTorch's default for {@code torch.var}).
     */
    public Tensor var(int[] axes, boolean unbiased, boolean keepDim) {
        return Reductions.var(this, axes, unbiased, keepDim);
    }

    private int[] allAxes() {
        int[] axes = new int[shape.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        return axes;
    }

    // ---------------------------------------------------------------- products and layout

    /**
     * Matrix product: (M, K) x (K, N) -> (M, N); batched (B, M, K) x (B, K, N) -> (B, M, N); and
     * (B, M, K) x (K, N) -> (B, M, N) with the right operand shared across the batch.
     */
    public Tensor matmul(Tensor other) {
        return Layout.matmul(this, other);
    }

    /**
     * Same storage under a new shape; one dimension may be -1 and is then inferred.
     * The result is a view: its gradient flows back to this tensor.
     */
    public Tensor reshape(int... newShape) {
        return Layout.reshape(this, newShape);
    }

    /** Reorders dimensions, e.g. {@code permute(0, 2, 3, 1)} turns NCHW into NHWC (copies). */
    public Tensor permute(int... order) {
        return Layout.permute(this, order);
    }

    /** Swaps the last two dimensions (copies). */
    public Tensor transpose() {
        int r = shape.length;
        if (r < 2) {
            throw new IllegalArgumentException("transpose() needs rank 2 or more, got shape " + Shape.str(shape));
        }
        int[] order = allAxes();
        order[r - 2] = r - 1;
        order[r - 1] = r - 2;
        return permute(order);
    }

    /** Concatenates tensors along an axis; all other dimensions must agree. */
    public static Tensor concat(int axis, Tensor... tensors) {
        return Layout.concat(axis, tensors);
    }

    /** Elements {@code start} (inclusive) to {@code end} (exclusive) along an axis (copies). */
    public Tensor slice(int axis, int start, int end) {
        return Layout.slice(this, axis, start, end);
    }

    // ---------------------------------------------------------------- printing

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Shape.str(shape));
        if (requiresGrad) {
            sb.append(gradFn == null ? " requiresGrad" : " gradFn=" + gradFn.name());
        }
        sb.append(' ');
        int shown = Math.min(data.length, 8);
        sb.append('[');
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(data[i]);
        }
        if (shown < data.length) {
            sb.append(", ... (").append(data.length).append(" values)");
        }
        return sb.append(']').toString();
    }

    // Package access for the helpers in this package.
    int[] shapeRef() {
        return shape;
    }
}
