package org.fcn4j.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A learning-rate schedule that sets the optimiser's learning rate, with PyTorch 1.13's semantics
 * and call order: build the schedule after the optimiser (which sets the initial learning rate,
 * epoch 0), then call {@link #step()} once after each epoch's {@code optimizer.step()} calls
 * ({@link OneCycleLR}: after each batch).
 *
 * <p>The state a checkpoint needs is {@link #lastEpoch()} plus the optimiser's learning rate,
 * which the optimiser's own state holds; {@link #stateValues()} and {@link #loadState} carry it.
 */
public abstract class LrScheduler {
    protected final Optimizer optimizer;
    protected final double baseLr;
    protected int lastEpoch;

    protected LrScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
        this.lastEpoch = 0;
    }

    /** Advances the schedule by one epoch (or one batch for per-step schedules) and sets the new rate. */
    public void step() {
        lastEpoch++;
        optimizer.setScheduledLr(nextLr());
    }

    /**
     * Advances the schedule after an epoch whose validation metric is {@code metric}; only
     * {@link ReduceLROnPlateau} reads the metric, the others call {@link #step()}.
     */
    public void step(double metric) {
        step();
    }

    /** The learning rate for {@link #lastEpoch()}, computed from the current one (chainable form). */
    protected abstract double nextLr();

    /** Number of {@link #step()} calls so far. */
    public int lastEpoch() {
        return lastEpoch;
    }

    /** The optimiser's current learning rate. */
    public double lr() {
        return optimizer.lr();
    }

    /** Schedule state as strings that parse back exactly. */
    public Map<String, String> stateValues() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("last_epoch", Integer.toString(lastEpoch));
        return out;
    }

    /** Restores what {@link #stateValues()} returned; the optimiser's rate is restored by the optimiser. */
    public void loadState(Map<String, String> values) {
        String v = values.get("last_epoch");
        if (v == null) {
            throw new IllegalArgumentException("schedule state has no 'last_epoch'");
        }
        lastEpoch = Integer.parseInt(v);
    }

    static void checkPositive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite value > 0, got " + value);
        }
    }
}
