package org.fcn4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Hand-computed values, numerical limits and error messages of the losses. */
class LossCasesTest {

    @Test
    void crossEntropyWeightedMeanDividesByCountedWeights() {
        Tensor logits = Tensor.of(new float[] {0.2f, 0.3f, 0.5f, 0.5f, 0.2f, 0.3f}, 2, 3);
        CrossEntropyLoss ce = new CrossEntropyLoss().withWeight(2, 4, 6);
        assertEquals(1.059831, ce.forward(logits, new int[] {2, 1}, 2).item(), 1e-6);
        assertEquals(1.059831, ce.forward(logits, Tensor.vector(2, 1)).item(), 1e-6);
        assertEquals(1.059831, ce.forward(logits, new long[] {2, 1}, 2).item(), 1e-6);
        // Sum: 6 * 0.979... + 4 * 1.219... with no division.
        assertEquals(10.59831, ce.withReduction(Reduction.SUM).forward(logits, new int[] {2, 1}, 2).item(), 1e-5);
    }

    @Test
    void crossEntropyHugeLogitsStayFinite() {
        Tensor logits = Tensor.of(new float[] {1e4f, 0f, -1e4f}, 1, 3).requiresGrad(true);
        Tensor loss = new CrossEntropyLoss().forward(logits, new int[] {2}, 1);
        assertEquals(20000f, loss.item(), 0f);
        loss.backward();
        float[] g = logits.grad().data();
        assertEquals(1f, g[0], 1e-6f);
        assertEquals(0f, g[1], 1e-6f);
        assertEquals(-1f, g[2], 1e-6f);
    }

    @Test
    void crossEntropySkipsIgnoredPixels() {
        Tensor logits = Tensor.of(new float[] {1f, 2f, 3f, 4f, 0f, 0f, 0f, 0f}, 1, 2, 2, 2).requiresGrad(true);
        Tensor none = new CrossEntropyLoss().withIgnoreIndex(255).withReduction(Reduction.NONE)
                .forward(logits, new int[] {0, 255, 255, 1}, 1, 2, 2);
        assertEquals(0f, none.data()[1]);
        assertEquals(0f, none.data()[2]);
        Tensor mean = new CrossEntropyLoss().withIgnoreIndex(255).forward(logits, new int[] {0, 255, 255, 1}, 1, 2, 2);
        assertEquals((none.data()[0] + none.data()[3]) / 2, mean.item(), 1e-6);
        mean.backward();
        assertEquals(0f, logits.grad().data()[1]);
        assertEquals(0f, logits.grad().data()[5]);
    }

    @Test
    void wrongTargetShapeNamesBothShapes() {
        Tensor logits = Tensor.zeros(2, 3, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyLoss().forward(logits, Tensor.zeros(2, 1, 4, 4)));
        assertTrue(e.getMessage().contains("(2, 4, 4)"), e.getMessage());
        assertTrue(e.getMessage().contains("(2, 1, 4, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MSELoss().forward(logits, Tensor.zeros(2, 3, 4)));
        assertTrue(e.getMessage().contains("(2, 3, 4, 4)"), e.getMessage());
        assertTrue(e.getMessage().contains("(2, 3, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DiceLoss().forward(logits, new int[8], 2, 2, 2));
        assertTrue(e.getMessage().contains("(2, 4, 4)"), e.getMessage());
        assertTrue(e.getMessage().contains("(2, 2, 2)"), e.getMessage());
    }

    @Test
    void labelOutsideClassesNamesValueAndPixel() {
        Tensor logits = Tensor.zeros(2, 3, 2, 4);
        int[] labels = new int[16];
        labels[8 + 4 + 3] = 7;  // batch 1, row 1, column 3
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyLoss().forward(logits, labels, 2, 2, 4));
        assertTrue(e.getMessage().contains("target value 7 at batch index 1, pixel (1, 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("-100"), e.getMessage());

        labels[8 + 4 + 3] = 255;
        e = assertThrows(IllegalArgumentException.class, () -> new DiceLoss().forward(logits, labels, 2, 2, 4));
        assertTrue(e.getMessage().contains("target value 255 at batch index 1, pixel (1, 3)"), e.getMessage());
        new DiceLoss().withIgnoreIndex(255).forward(logits, labels, 2, 2, 4);

        Tensor classes = Tensor.of(new float[] {0, 1, -1}, 3);
        e = assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyLoss().forward(Tensor.zeros(3, 3), classes));
        assertTrue(e.getMessage().contains("target value -1 at batch index 2"), e.getMessage());

        Tensor fractional = Tensor.of(new float[] {0, 1.5f, 2}, 3);
        e = assertThrows(IllegalArgumentException.class,
                () -> FocalLoss.multiclass().forward(Tensor.zeros(3, 3), fractional));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        assertTrue(e.getMessage().contains("batch index 1"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyLoss().forward(Tensor.zeros(1, 3), new long[] {5_000_000_000L}, 1));
        assertTrue(e.getMessage().contains("5000000000"), e.getMessage());
    }

    @Test
    void pinballRejectsLevelsOutsideOpenInterval() {
        for (double q : new double[] {0.0, 1.0, -0.2, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PinballLoss(q));
            assertTrue(e.getMessage().contains(String.valueOf(q)), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PinballLoss.multiQuantile(0.1, 1.2));
        assertTrue(e.getMessage().contains("level 1"), e.getMessage());
        assertTrue(e.getMessage().contains("1.2"), e.getMessage());
    }

    @Test
    void pinballValuesFollowDefinition() {
        Tensor p = Tensor.vector(0f, 0f);
        Tensor y = Tensor.vector(2f, -2f);
        Tensor none = new PinballLoss(0.9, Reduction.NONE).forward(p, y);
        assertEquals(1.8f, none.data()[0], 1e-6f);   // target above: q * 2
        assertEquals(0.2f, none.data()[1], 1e-6f);   // target below: (1 - q) * 2
        Tensor multi = PinballLoss.multiQuantile(0.1, 0.9).withReduction(Reduction.NONE)
                .forward(Tensor.zeros(1, 2, 1, 1), Tensor.full(1f, 1, 1, 1, 1));
        assertEquals(0.1f, multi.data()[0], 1e-6f);
        assertEquals(0.9f, multi.data()[1], 1e-6f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PinballLoss.multiQuantile(0.1, 0.9).forward(Tensor.zeros(1, 3, 1, 1), Tensor.zeros(1, 1, 1, 1)));
        assertTrue(e.getMessage().contains("(1, 3, 1, 1)"), e.getMessage());
    }

    @Test
    void diceOfPerfectPredictionIsNearZero() {
        Tensor logits = Tensor.zeros(1, 2, 1, 2);
        logits.set(50f, 0, 0, 0, 0);
        logits.set(50f, 0, 1, 0, 1);
        assertEquals(0f, new DiceLoss().forward(logits, new int[] {0, 1}, 1, 1, 2).item(), 1e-6f);
    }

    @Test
    void focalWithGammaZeroIsBinaryCrossEntropy() {
        Tensor x = Tensor.vector(-3f, 0.5f, 2f, 8f);
        Tensor t = Tensor.vector(0f, 1f, 1f, 0f);
        float focal = FocalLoss.binary().withGamma(0).withAlpha(-1).forward(x, t).item();
        assertEquals(new BCEWithLogitsLoss().forward(x, t).item(), focal, 1e-6f);
    }

    @Test
    void invalidOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SmoothL1Loss(-1));
        assertThrows(IllegalArgumentException.class, () -> new HuberLoss(0));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss().withLabelSmoothing(1.5));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss().withWeight(1f, -2f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyLoss().withWeight(1f, 2f).forward(Tensor.zeros(1, 3), new int[] {0}, 1));
        assertTrue(e.getMessage().contains("3 class weights"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FocalLoss.binary().withGamma(-1));
        assertThrows(IllegalArgumentException.class, () -> FocalLoss.binary().withAlpha(1.5));
        assertThrows(IllegalStateException.class, () -> FocalLoss.binary().withIgnoreIndex(255));
        assertThrows(IllegalArgumentException.class, () -> new DiceLoss().withEps(0));
    }

    @Test
    void bcePosWeightOfAnotherShapeIsRejected() {
        BCEWithLogitsLoss loss = new BCEWithLogitsLoss(Tensor.ones(4), Reduction.MEAN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss.forward(Tensor.ones(2, 3), Tensor.ones(2, 3)));
        assertTrue(e.getMessage().startsWith("BCEWithLogitsLoss: pos_weight of shape (4,)"), e.getMessage());
    }
}
