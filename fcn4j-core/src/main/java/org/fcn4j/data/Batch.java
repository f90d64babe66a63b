package org.fcn4j.data;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * A batch from a {@link DataLoader}: inputs stacked along a new first axis, targets likewise,
 * and the dataset indices they came from (for logging and for checking a resumed run).
 *
 * <p>Shape: inputs (N, C, H, W); targets (N, H, W) of class indices for a class-map dataset,
 * (N, C_t, H, W) for a field dataset; indices (N).
 *
 * @param inputs  the input images, (N, C, H, W)
 * @param targets the class maps (N, H, W) or fields (N, C_t, H, W)
 * @param indices the dataset index of each row, in batch order
 */
public record Batch(Tensor inputs, Tensor targets, int[] indices) {
    public Batch {
        if (inputs.dim() != 4 || inputs.size(0) != indices.length || targets.size(0) != indices.length) {
            throw new IllegalArgumentException("expected inputs (N, C, H, W) and targets with N = " + indices.length
                    + " rows, got inputs " + Shape.str(inputs.shape()) + " and targets " + Shape.str(targets.shape()));
        }
        indices = indices.clone();
    }

    /** Returns the number of samples in this batch (smaller than the batch size for a last, partial batch). */
    public int size() {
        return indices.length;
    }

    /** Returns the class-map targets as integers, row-major over (N, H, W); {@link Dataset#IGNORE_INDEX} is kept. */
    public int[] targetClasses() {
        if (targets.dim() != 3) {
            throw new IllegalStateException("targetClasses() needs class-map targets of shape (N, H, W), got "
                    + Shape.str(targets.shape()));
        }
        return Sample.toClasses(targets.data());
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }
}
