package org.fcn4j.optim;

import java.util.Arrays;

/**
 * Multiplies the learning rate by {@code gamma} at each milestone epoch, as PyTorch's
 * {@code MultiStepLR}. A milestone listed twice applies gamma twice, as in PyTorch.
 *
 * <p>Arguments: milestones (epochs, &gt; 0), gamma (default 0.1).
 */
public final class MultiStepLR extends LrScheduler {
    private final int[] milestones;
    private final double gamma;

    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer);
        for (int m : milestones) {
            if (m <= 0) {
                throw new IllegalArgumentException("milestones must be epochs > 0, got " + Arrays.toString(milestones));
            }
        }
        checkPositive("gamma", gamma);
        this.milestones = milestones.clone();
        this.gamma = gamma;
    }

    @Override
    protected double nextLr() {
        double lr = optimizer.lr();
        int hits = 0;
        for (int m : milestones) {
            if (m == lastEpoch) {
                hits++;
            }
        }
        return hits == 0 ? lr : lr * Math.pow(gamma, hits);
    }

    @Override
    public String toString() {
        return "MultiStepLR(milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma + ")";
    }
}
