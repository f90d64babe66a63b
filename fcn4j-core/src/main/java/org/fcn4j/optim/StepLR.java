package org.fcn4j.optim;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs, as PyTorch's
 * {@code StepLR}: {@code lr_e = lr_0 * gamma^floor(e / stepSize)}.
 *
 * <p>Arguments: stepSize (epochs, &gt; 0), gamma (default 0.1).
 */
public final class StepLR extends LrScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize <= 0) {
            throw new IllegalArgumentException("step_size must be > 0 epochs, got " + stepSize);
        }
        checkPositive("gamma", gamma);
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    @Override
    protected double nextLr() {
        return lastEpoch % stepSize == 0 ? optimizer.lr() * gamma : optimizer.lr();
    }

    @Override
    public String toString() {
        return "StepLR(step_size=" + stepSize + ", gamma=" + gamma + ")";
    }
}
