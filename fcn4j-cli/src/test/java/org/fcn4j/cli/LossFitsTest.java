package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.fcn4j.tensor.Generator;
import org.junit.jupiter.api.Test;

/** Each loss, minimised over a constant or a small network, lands on its statistic of the exponential law. */
class LossFitsTest {

    @Test
    void fittedConstantsWithinTwoPercent() {
        float[] samples = LossFits.exponential(new Generator(2026), 100_000);
        for (LossFits.Target t : LossFits.TARGETS) {
            long start = System.nanoTime();
            double fitted = LossFits.fitConstant(t.newLoss(), samples, 600);
            System.err.printf("%s: fitted %.5f, %s %.5f, %.0f ms%n", t.loss(), fitted, t.statistic(), t.trueValue(),
                    (System.nanoTime() - start) / 1e6);
            assertEquals(t.trueValue(), fitted, 0.02 * t.trueValue(), t.loss() + " fitted constant against the true "
                    + t.statistic());
        }
    }

    @Test
    void networkFollowsConditionalStatistic() {
        Generator rng = new Generator(7);
        LossFits.Conditional data = LossFits.Conditional.draw(rng, 20_000);
        for (LossFits.Target t : LossFits.TARGETS) {
            long start = System.nanoTime();
            LossFits.Mlp mlp = LossFits.fitNetwork(t.newLoss(), data, 16, 1500, 256, rng);
            System.err.printf("%s network: %.0f ms%n", t.loss(), (System.nanoTime() - start) / 1e6);
            for (double x : new double[] {0.6, 1.1, 1.6}) {
                assertEquals(t.conditional(x), mlp.predict(x), 0.1 * t.conditional(x),
                        t.loss() + " network at x = " + x + " against the true conditional " + t.statistic());
            }
        }
    }
}
