package org.fcn4j.optim;

/**
 * Cosine annealing from the initial learning rate to {@code etaMin} over {@code tMax} epochs, as
 * PyTorch's {@code CosineAnnealingLR} (Loshchilov and Hutter, "SGDR", ICLR 2017, without restarts):
 * {@code lr_e = eta_min + (lr_0 - eta_min) (1 + cos(pi e / T_max)) / 2}.
 *
 * <p>NOTE: PyTorch computes each rate from the previous one (its chainable form), so after T_max
 * the rate climbs back up along the cosine instead of staying at eta_min; this class does the same,
 * which also keeps the last bits equal to PyTorch's.
 *
 * <p>Arguments: tMax (epochs, &gt; 0), etaMin (default 0).
 */
public final class CosineAnnealingLR extends LrScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax <= 0) {
            throw new IllegalArgumentException("T_max must be > 0 epochs, got " + tMax);
        }
        Optimizer.checkNonNegative("eta_min", etaMin);
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    @Override
    protected double nextLr() {
        double lr = optimizer.lr();
        int e = lastEpoch;
        if ((e - 1 - tMax) % (2 * tMax) == 0) {
            return lr + (baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
        }
        return (1 + Math.cos(Math.PI * e / tMax)) / (1 + Math.cos(Math.PI * (e - 1) / tMax)) * (lr - etaMin) + etaMin;
    }

    @Override
    public String toString() {
        return "CosineAnnealingLR(T_max=" + tMax + ", eta_min=" + etaMin + ")";
    }
}
