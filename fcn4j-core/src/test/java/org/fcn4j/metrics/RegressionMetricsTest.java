package org.fcn4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class RegressionMetricsTest {

    @Test
    void pointMetricsByHand() {
        RegressionMetrics m = new RegressionMetrics();
        m.update(Tensor.vector(1, 2), Tensor.vector(0, 2));
        m.update(Tensor.vector(3), Tensor.vector(5));
        // residuals 1, 0, -2
        assertEquals(3, m.count());
        assertEquals(5.0 / 3, m.mse(), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3), m.rmse(), 1e-12);
        assertEquals(1.0, m.mae(), 1e-12);
        assertEquals(-1.0 / 3, m.bias(), 1e-12);
    }

    @Test
    void batchingAndMergeDoNotChangeResult() {
        Generator rng = new Generator(11);
        Tensor p = Tensor.randn(rng, 6, 1, 4, 4);
        Tensor y = Tensor.randn(rng, 6, 1, 4, 4);
        RegressionMetrics whole = new RegressionMetrics().update(p, y);
        RegressionMetrics a = new RegressionMetrics().update(p.slice(0, 0, 2), y.slice(0, 0, 2));
        RegressionMetrics b = new RegressionMetrics().update(p.slice(0, 2, 6), y.slice(0, 2, 6));
        a.merge(b);
        assertEquals(whole.mse(), a.mse(), 1e-12);
        assertEquals(whole.mae(), a.mae(), 1e-12);
        assertEquals(whole.bias(), a.bias(), 1e-12);
    }

    @Test
    void quantileCoverageMatchesLevels() {
        // Targets uniform on [0, 1); predictions at the true quantiles 0.1, 0.5, 0.9.
        Generator rng = new Generator(5);
        int n = 20000;
        Tensor y = Tensor.uniform(rng, 0f, 1f, n, 1);
        float[] pred = new float[n * 3];
        for (int i = 0; i < n; i++) {
            pred[i * 3] = 0.1f;
            pred[i * 3 + 1] = 0.5f;
            pred[i * 3 + 2] = 0.9f;
        }
        RegressionMetrics m = RegressionMetrics.quantiles(0.1, 0.5, 0.9).update(Tensor.of(pred, n, 3), y);
        assertEquals(0.1, m.coverage(0), 0.01);
        assertEquals(0.5, m.coverage(1), 0.015);
        assertEquals(0.9, m.coverage(2), 0.01);
        assertEquals(0.1 - 0.5, m.bias(0), 0.01);  // prediction 0.1 against a mean target of 0.5
        assertTrue(m.toString().contains("coverage(q=0.9)"), m.toString());
    }

    @Test
    void shapeAndLevelErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RegressionMetrics().update(Tensor.zeros(2, 3), Tensor.zeros(3, 2)));
        assertTrue(e.getMessage().contains("(2, 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("(3, 2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RegressionMetrics.quantiles(0.1, 0.9).update(Tensor.zeros(2, 3, 4), Tensor.zeros(2, 1, 4)));
        assertTrue(e.getMessage().contains("(2, 3, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RegressionMetrics.quantiles(0.5, 1.0));
        assertTrue(e.getMessage().contains("1.0"), e.getMessage());
    }
}
