package org.fcn4j.loss;

/**
 * How a loss combines its per-element values, as PyTorch's {@code reduction} argument.
 *
 * <p>NOTE: for the classification losses with class weights or ignored pixels, MEAN divides by the
 * sum of the weights of the counted elements, not by the element count; each loss's Javadoc says
 * what its MEAN divides by.
 */
public enum Reduction {
    /** The average of the per-element losses, as a zero-dimensional tensor. */
    MEAN,
    /** The sum of the per-element losses, as a zero-dimensional tensor. */
    SUM,
    /** No reduction: one loss per element (per pixel, or per class for DiceLoss). */
    NONE
}
