package org.fcn4j.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fcn4j.tensor.Tensor;

/**
 * Updates parameters from their accumulated gradients, with PyTorch 1.13's update rules.
 *
 * <p>Call order for each batch:
 * <ol>
 *   <li>{@link #zeroGrad()}: gradients accumulate across backward passes, so clear them first;</li>
 *   <li>{@code loss.backward()}: fills {@link Tensor#grad()} of every parameter the loss depends on;</li>
 *   <li>{@link #step()}: updates each parameter that has a gradient, in place.</li>
 * </ol>
 * A learning-rate schedule ({@link LrScheduler}) then calls {@link #setLr(double)} between steps.
 *
 * <p>A parameter whose gradient was never allocated (it took no part in any loss) is skipped and
 * its state is not advanced, as PyTorch skips parameters whose {@code grad} is None.
 *
 * <p>The state that a checkpoint needs (step counts, moment buffers, learning rate) is exposed by
 * {@link #stateTensors()} and {@link #stateValues()} and restored by {@link #loadState}.
 */
public abstract class Optimizer {
    protected final List<Tensor> params;
    private double lr;

    protected Optimizer(List<Tensor> params, double lr) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        for (int i = 0; i < params.size(); i++) {
            if (!params.get(i).requiresGrad()) {
                throw new IllegalArgumentException("parameter " + i + " does not require a gradient; "
                        + "pass module.parameters(), or call requiresGrad(true) on it");
            }
        }
        checkNonNegative("lr", lr);
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** Applies one update to every parameter that has a gradient. */
    public abstract void step();

    /** Sets the gradients of all parameters to zero (storage kept). */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
        }
    }

    /** The current learning rate. */
    public double lr() {
        return lr;
    }

    /** Sets the learning rate used by the next {@link #step()}; schedules call this. */
    public void setLr(double lr) {
        checkNonNegative("lr", lr);
        this.lr = lr;
    }

    /** Sets the learning rate as a schedule computed it, without the sign check (see {@link OneCycleLR}). */
    void setScheduledLr(double lr) {
        if (!Double.isFinite(lr)) {
            throw new IllegalArgumentException("the learning-rate schedule produced " + lr);
        }
        this.lr = lr;
    }

    /**
     * The momentum term that {@link OneCycleLR} cycles: SGD's momentum, or Adam's beta1. NaN when
     * the optimiser has none.
     */
    public double momentum() {
        return Double.NaN;
    }

    /** Sets the momentum term that {@link #momentum()} returns. */
    public void setMomentum(double momentum) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no momentum to set");
    }

    /** The parameters, in the order given at construction (state entries are indexed by it). */
    public List<Tensor> parameters() {
        return params;
    }

    /** Number of times parameter {@code i} has been updated. */
    public abstract long stepCount(int i);

    /**
     * State buffers by name {@code "<param index>.<buffer>"}, e.g. {@code 3.exp_avg}; the tensors
     * are the live buffers, not copies.
     */
    public abstract Map<String, Tensor> stateTensors();

    /** Scalar state (learning rate, momentum, step counts) as strings that parse back exactly. */
    public Map<String, String> stateValues() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("lr", Double.toString(lr));
        if (!Double.isNaN(momentum())) {
            out.put("momentum", Double.toString(momentum()));
        }
        for (int i = 0; i < params.size(); i++) {
            out.put(i + ".step", Long.toString(stepCount(i)));
        }
        return out;
    }

    /** Restores what {@link #stateTensors()} and {@link #stateValues()} returned. */
    public void loadState(Map<String, Tensor> tensors, Map<String, String> values) {
        setLr(parseDouble(values, "lr"));
        if (!Double.isNaN(momentum())) {
            setMomentum(parseDouble(values, "momentum"));
        }
        for (int i = 0; i < params.size(); i++) {
            String key = i + ".step";
            String v = values.get(key);
            if (v == null) {
                throw new IllegalArgumentException("optimizer state has no '" + key + "'; it was saved for a "
                        + "model with fewer parameters");
            }
            setStepCount(i, Long.parseLong(v));
        }
        loadBuffers(tensors);
    }

    protected abstract void setStepCount(int i, long steps);

    protected abstract void loadBuffers(Map<String, Tensor> tensors);

    /** Copies a saved buffer into {@code target} (allocating it when absent), checking its size. */
    protected final float[] restoreBuffer(Map<String, Tensor> tensors, int i, String name, float[] target) {
        Tensor t = tensors.get(i + "." + name);
        if (t == null) {
            return null;
        }
        int n = params.get(i).numel();
        if (t.numel() != n) {
            throw new IllegalArgumentException("optimizer state '" + i + "." + name + "' has " + t.numel()
                    + " values, parameter " + i + " has " + n);
        }
        float[] out = target != null ? target : new float[n];
        System.arraycopy(t.data(), 0, out, 0, n);
        return out;
    }

    protected final void putBuffer(Map<String, Tensor> out, int i, String name, float[] buffer) {
        if (buffer != null) {
            out.put(i + "." + name, Tensor.of(buffer, params.get(i).shape()));
        }
    }

    private static double parseDouble(Map<String, String> values, String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("optimizer state has no '" + key + "'");
        }
        return Double.parseDouble(v);
    }

    static void checkNonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite value >= 0, got " + value);
        }
    }

    static void checkUnit(String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
        }
    }
}
