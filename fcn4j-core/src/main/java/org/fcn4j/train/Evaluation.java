package org.fcn4j.train;

import java.util.Map;

import org.fcn4j.tensor.Tensor;

/**
 * Validation metrics accumulated over a whole split (never averaged per batch), chosen by task:
 * for segmentation mIoU and pixel accuracy from one confusion matrix, for regression MSE, MAE and
 * bias.
 */
public interface Evaluation {
    /** Clears the accumulated state before a new pass over the split. */
    void reset();

    /** Adds one batch: the network's output and the batch's targets. */
    void update(Tensor output, Tensor target);

    /** The metrics over everything added since {@link #reset()}, by name (e.g. {@code miou}). */
    Map<String, Double> results();
}
