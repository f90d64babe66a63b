package org.fcn4j.train;

import java.util.LinkedHashMap;
import java.util.Map;

import org.fcn4j.data.Normalizer;
import org.fcn4j.metrics.ConfusionMatrix;
import org.fcn4j.metrics.RegressionMetrics;
import org.fcn4j.metrics.SegmentationMetrics;
import org.fcn4j.tensor.Tensor;

/** The task metrics the {@link Trainer} validates with. */
public final class Evaluations {
    private Evaluations() {
    }

    /**
     * Segmentation: mIoU, pixel accuracy and mean class accuracy from one confusion matrix over the
     * whole split (outputs are logits (N, K, H, W), targets class maps (N, H, W)).
     */
    public static Segmentation segmentation(int numClasses, int ignoreIndex) {
        return new Segmentation(numClasses, ignoreIndex);
    }

    /** Regression: MSE, MAE and bias (mean of output minus target) over the whole split. */
    public static Evaluation regression() {
        return new Regression();
    }

    /**
     * Evaluates in the targets' physical units when the network was trained on normalised targets:
     * both the output and the (normalised) target of each batch are mapped back with
     * {@link Normalizer#inverse} before {@code inner} sees them, so MSE, MAE and bias keep the units
     * of the data.
     *
     * <p>NOTE: the targets come back through {@code (t - offset) / scale * scale + offset} in
     * float32, which differs from the raw value by a few units in the last place of its magnitude
     * (about 1e-4 for values near 1000); {@code fcn4j evaluate} compares with the raw targets.
     *
     * @param inner            the evaluation to feed, e.g. {@link #regression()}
     * @param targetNormalizer the normaliser fitted on the training targets
     */
    public static Evaluation denormalized(Evaluation inner, Normalizer targetNormalizer) {
        java.util.Objects.requireNonNull(inner, "inner");
        java.util.Objects.requireNonNull(targetNormalizer, "targetNormalizer");
        return new Evaluation() {
            @Override
            public void reset() {
                inner.reset();
            }

            @Override
            public void update(Tensor output, Tensor target) {
                inner.update(targetNormalizer.inverse(output), targetNormalizer.inverse(target));
            }

            @Override
            public Map<String, Double> results() {
                return inner.results();
            }
        };
    }

    /** The segmentation evaluation; {@link #matrix()} gives the accumulated confusion matrix. */
    public static final class Segmentation implements Evaluation {
        private final ConfusionMatrix matrix;

        private Segmentation(int numClasses, int ignoreIndex) {
            this.matrix = new ConfusionMatrix(numClasses, ignoreIndex);
        }

        public ConfusionMatrix matrix() {
            return matrix;
        }

        @Override
        public void reset() {
            matrix.reset();
        }

        @Override
        public void update(Tensor output, Tensor target) {
            matrix.update(output, target);
        }

        @Override
        public Map<String, Double> results() {
            SegmentationMetrics m = matrix.metrics();
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("miou", m.meanIoU());
            out.put("pixel_accuracy", m.pixelAccuracy());
            out.put("mean_class_accuracy", m.meanClassAccuracy());
            return out;
        }
    }

    private static final class Regression implements Evaluation {
        private RegressionMetrics metrics = new RegressionMetrics();

        @Override
        public void reset() {
            metrics = new RegressionMetrics();
        }

        @Override
        public void update(Tensor output, Tensor target) {
            metrics.update(output, target);
        }

        @Override
        public Map<String, Double> results() {
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("mse", metrics.mse());
            out.put("mae", metrics.mae());
            out.put("bias", metrics.bias());
            return out;
        }
    }
}
