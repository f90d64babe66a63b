package org.fcn4j.optim;

import java.util.Map;

/**
 * Divides the learning rate when a validation metric stops improving, as PyTorch's
 * {@code ReduceLROnPlateau}: after more than {@code patience} epochs without an improvement
 * larger than {@code threshold}, {@code lr = max(lr * factor, minLr)}, then {@code cooldown}
 * epochs pass before bad epochs count again. Changes smaller than {@code eps} are skipped.
 *
 * <p>NOTE: this schedule needs the metric: call {@link #step(double)} after each validation;
 * {@link #step()} without a metric is rejected.
 *
 * <p>Arguments: mode "min" (default; lower is better) or "max", factor 0.1 (in (0, 1)), patience 10
 * epochs, threshold 1e-4, thresholdMode "rel" (default; improvement relative to the best value)
 * or "abs", cooldown 0 epochs, minLr 0, eps 1e-8.
 */
public final class ReduceLROnPlateau extends LrScheduler {
    /** Hyperparameters; {@link #defaults()} gives PyTorch's. */
    public record Options(boolean maximize, double factor, int patience, double threshold, boolean relative,
            int cooldown, double minLr, double eps) {
        public Options {
            if (!(factor > 0 && factor < 1)) {
                throw new IllegalArgumentException("factor must be in (0, 1), got " + factor);
            }
            if (patience < 0 || cooldown < 0) {
                throw new IllegalArgumentException("patience and cooldown must be >= 0 epochs, got " + patience
                        + " and " + cooldown);
            }
            Optimizer.checkNonNegative("threshold", threshold);
            Optimizer.checkNonNegative("min_lr", minLr);
            Optimizer.checkNonNegative("eps", eps);
        }

        public static Options defaults() {
            return new Options(false, 0.1, 10, 1e-4, true, 0, 0, 1e-8);
        }

        /** Sets the mode: "min" (lower metric is better) or "max". */
        public Options withMode(String mode) {
            boolean max = switch (mode) {
                case "min" -> false;
                case "max" -> true;
                default -> throw new IllegalArgumentException("mode must be min or max, got '" + mode + "'");
            };
            return new Options(max, factor, patience, threshold, relative, cooldown, minLr, eps);
        }

        public Options withFactor(double value) {
            return new Options(maximize, value, patience, threshold, relative, cooldown, minLr, eps);
        }

        public Options withPatience(int value) {
            return new Options(maximize, factor, value, threshold, relative, cooldown, minLr, eps);
        }

        /** Sets the threshold and its mode: "rel" or "abs". */
        public Options withThreshold(double value, String mode) {
            boolean rel = switch (mode) {
                case "rel" -> true;
                case "abs" -> false;
                default -> throw new IllegalArgumentException("threshold_mode must be rel or abs, got '" + mode + "'");
            };
            return new Options(maximize, factor, patience, value, rel, cooldown, minLr, eps);
        }

        public Options withCooldown(int value) {
            return new Options(maximize, factor, patience, threshold, relative, value, minLr, eps);
        }

        public Options withMinLr(double value) {
            return new Options(maximize, factor, patience, threshold, relative, cooldown, value, eps);
        }
    }

    private final Options options;
    private double best;
    private int badEpochs;
    private int cooldownCounter;

    public ReduceLROnPlateau(Optimizer optimizer, Options options) {
        super(optimizer);
        this.options = options;
        this.best = options.maximize() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public void step() {
        throw new IllegalStateException("ReduceLROnPlateau needs the validation metric: call step(metric)");
    }

    @Override
    public void step(double metric) {
        lastEpoch++;
        if (isBetter(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            badEpochs = 0;
        }
        if (badEpochs > options.patience()) {
            double old = optimizer.lr();
            double lr = Math.max(old * options.factor(), options.minLr());
            if (old - lr > options.eps()) {
                optimizer.setLr(lr);
            }
            cooldownCounter = options.cooldown();
            badEpochs = 0;
        }
    }

    // NOTE: a NaN metric is never better, so it counts as a bad epoch, as in PyTorch.
    private boolean isBetter(double a) {
        double t = options.threshold();
        if (options.maximize()) {
            return options.relative() ? a > best * (1 + t) : a > best + t;
        }
        return options.relative() ? a < best * (1 - t) : a < best - t;
    }

    @Override
    protected double nextLr() {
        return optimizer.lr();
    }

    /** The best metric seen so far. */
    public double best() {
        return best;
    }

    @Override
    public Map<String, String> stateValues() {
        Map<String, String> out = super.stateValues();
        out.put("best", Double.toString(best));
        out.put("num_bad_epochs", Integer.toString(badEpochs));
        out.put("cooldown_counter", Integer.toString(cooldownCounter));
        return out;
    }

    @Override
    public void loadState(Map<String, String> values) {
        super.loadState(values);
        best = Double.parseDouble(require(values, "best"));
        badEpochs = Integer.parseInt(require(values, "num_bad_epochs"));
        cooldownCounter = Integer.parseInt(require(values, "cooldown_counter"));
    }

    private static String require(Map<String, String> values, String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("ReduceLROnPlateau state has no '" + key + "'");
        }
        return v;
    }

    @Override
    public String toString() {
        return "ReduceLROnPlateau(" + options + ")";
    }
}
