package org.fcn4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Base class of layers and models: named parameters (trainable tensors), named buffers (state
 * such as BatchNorm's running statistics) and child modules, with PyTorch's state_dict naming
 * ({@code down1.conv.0.weight}, {@code bn.running_mean}) and train / eval modes.
 *
 * <p>Subclasses register everything in their constructor, in the order PyTorch would, so that
 * state dictionaries list entries in the same order.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Computes the module's output; records the graph when gradient recording is on. */
    public abstract Tensor forward(Tensor input);

    /** Registers a trainable tensor under {@code name}; it is marked as requiring a gradient. */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers a non-trainable state tensor (saved in the state dictionary). */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    /** Registers a child module; its entries are prefixed with {@code name + "."}. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module entry names must be non-empty and contain no '.', got '"
                    + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /** Sets training mode (true) or evaluation mode (false) on this module and all children. */
    public Module train(boolean mode) {
        training = mode;
        for (Module child : children.values()) {
            child.train(mode);
        }
        return this;
    }

    public Module train() {
        return train(true);
    }

    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Returns the direct children, in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Returns all parameters of this module and its descendants, by dotted name. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    /** Returns all parameters, in state_dict order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Returns all buffers of this module and its descendants, by dotted name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return out;
    }

    /** Parameters and buffers by dotted name, in PyTorch's state_dict order. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs) {
        if (params) {
            parameters.forEach((k, v) -> out.put(prefix + k, v));
        }
        if (bufs) {
            buffers.forEach((k, v) -> out.put(prefix + k, v));
        }
        children.forEach((k, child) -> child.collect(prefix + k + ".", out, params, bufs));
    }

    /**
     * Copies values into this module's parameters and buffers. With strict, every entry of the
     * state dictionary must match one of the module's and the reverse; shapes must always match.
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        if (strict) {
            List<String> missing = new ArrayList<>();
            for (String k : own.keySet()) {
                if (!state.containsKey(k)) {
                    missing.add(k);
                }
            }
            List<String> unexpected = new ArrayList<>();
            for (String k : state.keySet()) {
                if (!own.containsKey(k)) {
                    unexpected.add(k);
                }
            }
            if (!missing.isEmpty() || !unexpected.isEmpty()) {
                throw new IllegalArgumentException("state dictionary does not match " + getClass().getSimpleName()
                        + ": missing " + missing + ", unexpected " + unexpected);
            }
        }
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor target = own.get(e.getKey());
            if (target == null) {
                continue;
            }
            if (!Arrays.equals(target.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("state dictionary entry '" + e.getKey() + "': expected shape "
                        + Shape.str(target.shape()) + ", got " + Shape.str(e.getValue().shape()));
            }
            System.arraycopy(e.getValue().data(), 0, target.data(), 0, target.numel());
        }
    }

    /** Sets the gradients of all parameters to zero. */
    public void zeroGrad() {
        for (Tensor p : parameters()) {
            p.zeroGrad();
        }
    }

    /** Returns the number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) {
            n += p.numel();
        }
        return n;
    }

    /** Returns a one-line description with the module's configuration, as PyTorch's extra_repr. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "()";
    }
}
