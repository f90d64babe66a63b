package org.fcn4j.optim;

/**
 * The one-cycle policy (Smith and Topin, "Super-Convergence", 2018) as PyTorch's
 * {@code OneCycleLR}: the learning rate rises from {@code maxLr / divFactor} to {@code maxLr}
 * over the first {@code pctStart} of the steps, then falls to
 * {@code maxLr / divFactor / finalDivFactor}; the momentum (SGD's momentum or Adam's beta1) moves
 * the opposite way between {@code maxMomentum} and {@code baseMomentum}.
 *
 * <p>NOTE: this schedule steps once per batch, not per epoch: call {@link #step()} after every
 * {@code optimizer.step()}, at most {@code totalSteps} times. Building it overwrites the
 * optimiser's learning rate (and momentum, when cycled). After the last step the linear anneal
 * extrapolates past the minimum, so the rate set by the {@code totalSteps}-th call can be
 * negative, as in PyTorch; no batch uses it when steps are counted right.
 *
 * <p>Arguments: maxLr, totalSteps (&gt; 0), pctStart (default 0.3), anneal "cos" (default) or
 * "linear", cycleMomentum (default true), baseMomentum 0.85, maxMomentum 0.95, divFactor 25,
 * finalDivFactor 1e4, threePhase false (when true: up over pctStart, back down to the initial
 * rate over the next pctStart, then down to the minimum).
 */
public final class OneCycleLR extends LrScheduler {
    /** Hyperparameters; {@link #of(double, int)} gives PyTorch's defaults. */
    public record Options(double maxLr, int totalSteps, double pctStart, boolean cosine, boolean cycleMomentum,
            double baseMomentum, double maxMomentum, double divFactor, double finalDivFactor, boolean threePhase) {
        public Options {
            checkPositive("max_lr", maxLr);
            if (totalSteps <= 0) {
                throw new IllegalArgumentException("total_steps must be > 0, got " + totalSteps);
            }
            if (!(pctStart >= 0 && pctStart <= 1)) {
                throw new IllegalArgumentException("pct_start must be in [0, 1], got " + pctStart);
            }
            checkPositive("div_factor", divFactor);
            checkPositive("final_div_factor", finalDivFactor);
        }

        public static Options of(double maxLr, int totalSteps) {
            return new Options(maxLr, totalSteps, 0.3, true, true, 0.85, 0.95, 25, 1e4, false);
        }

        public Options withPctStart(double value) {
            return new Options(maxLr, totalSteps, value, cosine, cycleMomentum, baseMomentum, maxMomentum, divFactor,
                    finalDivFactor, threePhase);
        }

        public Options withAnneal(String strategy) {
            boolean cos = switch (strategy) {
                case "cos" -> true;
                case "linear" -> false;
                default -> throw new IllegalArgumentException("anneal_strategy must be cos or linear, got '"
                        + strategy + "'");
            };
            return new Options(maxLr, totalSteps, pctStart, cos, cycleMomentum, baseMomentum, maxMomentum, divFactor,
                    finalDivFactor, threePhase);
        }

        public Options withMomentum(boolean cycle, double base, double max) {
            return new Options(maxLr, totalSteps, pctStart, cosine, cycle, base, max, divFactor, finalDivFactor,
                    threePhase);
        }

        public Options withDivFactors(double div, double finalDiv) {
            return new Options(maxLr, totalSteps, pctStart, cosine, cycleMomentum, baseMomentum, maxMomentum, div,
                    finalDiv, threePhase);
        }

        public Options withThreePhase(boolean value) {
            return new Options(maxLr, totalSteps, pctStart, cosine, cycleMomentum, baseMomentum, maxMomentum, divFactor,
                    finalDivFactor, value);
        }
    }

    private record Phase(double endStep, double startLr, double endLr, double startMomentum, double endMomentum) {
    }

    private final Options options;
    private final Phase[] phases;

    public OneCycleLR(Optimizer optimizer, Options options) {
        super(optimizer);
        this.options = options;
        double initialLr = options.maxLr() / options.divFactor();
        double minLr = initialLr / options.finalDivFactor();
        double up = options.pctStart() * options.totalSteps() - 1;
        double last = options.totalSteps() - 1;
        double lo = options.baseMomentum();
        double hi = options.maxMomentum();
        if (options.threePhase()) {
            phases = new Phase[] {
                new Phase(up, initialLr, options.maxLr(), hi, lo),
                new Phase(2 * options.pctStart() * options.totalSteps() - 2, options.maxLr(), initialLr, lo, hi),
                new Phase(last, initialLr, minLr, hi, hi),
            };
        } else {
            phases = new Phase[] {
                new Phase(up, initialLr, options.maxLr(), hi, lo),
                new Phase(last, options.maxLr(), minLr, lo, hi),
            };
        }
        if (options.cycleMomentum() && Double.isNaN(optimizer.momentum())) {
            throw new IllegalArgumentException("cycle_momentum needs an optimizer with momentum or betas, got "
                    + optimizer + "; set cycle_momentum false");
        }
        if (options.cycleMomentum()) {
            optimizer.setMomentum(hi);
        }
        optimizer.setLr(initialLr);
    }

    @Override
    public void step() {
        if (lastEpoch + 1 > options.totalSteps()) {
            throw new IllegalStateException("OneCycleLR stepped " + (lastEpoch + 1) + " times, more than total_steps "
                    + options.totalSteps() + "; total_steps must count every batch of every epoch");
        }
        super.step();
        if (options.cycleMomentum()) {
            optimizer.setMomentum(valueAt(lastEpoch, true));
        }
    }

    @Override
    protected double nextLr() {
        return valueAt(lastEpoch, false);
    }

    private double valueAt(int stepNum, boolean momentum) {
        double start = 0;
        for (int i = 0; i < phases.length; i++) {
            Phase p = phases[i];
            if (stepNum <= p.endStep() || i == phases.length - 1) {
                double pct = (stepNum - start) / (p.endStep() - start);
                return momentum ? anneal(p.startMomentum(), p.endMomentum(), pct) : anneal(p.startLr(), p.endLr(), pct);
            }
            start = p.endStep();
        }
        throw new AssertionError("no phase covers step " + stepNum);
    }

    private double anneal(double start, double end, double pct) {
        if (options.cosine()) {
            double cosOut = Math.cos(Math.PI * pct) + 1;
            return end + (start - end) / 2.0 * cosOut;
        }
        return (end - start) * pct + start;
    }

    @Override
    public String toString() {
        return "OneCycleLR(" + options + ")";
    }
}
