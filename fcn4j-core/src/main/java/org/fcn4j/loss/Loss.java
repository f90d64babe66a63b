package org.fcn4j.loss;

import org.fcn4j.tensor.Tensor;

/**
 * A differentiable loss: compares a network output with a target and returns a tensor that
 * {@link Tensor#backward()} can start from (zero-dimensional unless the reduction is NONE).
 *
 * <p>Regression losses take a target of the input's shape. Classification losses
 * ({@link CrossEntropyLoss}, {@link DiceLoss}, {@link FocalLoss#multiclass()}) take logits of shape
 * (N, C, ...) and a float tensor of class indices of shape (N, ...), the class maps of the data
 * layer; they also accept {@code int[]} and {@code long[]} labels with an explicit shape.
 */
public interface Loss {
    /** Returns the loss of {@code input} against {@code target}. */
    Tensor forward(Tensor input, Tensor target);
}
