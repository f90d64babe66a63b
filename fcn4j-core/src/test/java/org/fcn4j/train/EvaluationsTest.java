package org.fcn4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.fcn4j.data.ArrayDataset;
import org.fcn4j.data.Normalizer;
import org.fcn4j.io.NdArray;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class EvaluationsTest {
    @Test
    void denormalizedRegressionReportsTheTargetsUnits() {
        // Two channels with very different offsets and scales, (N, C, H, W) = (2, 2, 2, 3).
        float[] target = new float[2 * 2 * 2 * 3];
        float[] output = new float[target.length];
        for (int i = 0; i < target.length; i++) {
            boolean second = (i / 6) % 2 == 1;
            target[i] = second ? -3f + 0.01f * i : 1000f + 50f * (i % 5);
            output[i] = target[i] + (second ? 0.002f : 4f) * ((i % 3) - 1);
        }
        Normalizer n = Normalizer.fitTargets(new ArrayDataset(NdArray.ofFloats(new float[2 * 1 * 6], 2, 1, 2, 3),
                NdArray.ofFloats(target, 2, 2, 2, 3), 0), Normalizer.Mode.STANDARD);
        Tensor t = Tensor.of(target, 2, 2, 2, 3);
        Tensor o = Tensor.of(output, 2, 2, 2, 3);

        Evaluation raw = Evaluations.regression();
        raw.update(o, t);
        Evaluation wrapped = Evaluations.denormalized(Evaluations.regression(), n);
        wrapped.update(n.transformTarget(o), n.transformTarget(t));
        Map<String, Double> expected = raw.results();
        Map<String, Double> got = wrapped.results();
        for (String k : expected.keySet()) {
            // float32 round trip through (x - mean) / std near 1000: a few 1e-4 at most.
            assertEquals(expected.get(k), got.get(k), 1e-3 * Math.max(1, Math.abs(expected.get(k))), k);
        }
        Evaluation normalisedOnly = Evaluations.regression();
        normalisedOnly.update(n.transformTarget(o), n.transformTarget(t));
        double mseNormalised = normalisedOnly.results().get("mse");
        assertEquals(true, Math.abs(mseNormalised - expected.get("mse")) > 1, "the test must tell the units apart: "
                + mseNormalised + " against " + expected.get("mse"));
        wrapped.reset();
        wrapped.update(n.transformTarget(t), n.transformTarget(t));
        assertEquals(0, wrapped.results().get("mae"), 1e-3, "reset, then a perfect output");
    }
}
