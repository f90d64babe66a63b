package org.fcn4j.data;

import java.util.List;

/**
 * A finite, indexed collection of {@link Sample}s: images with a class map (segmentation) or a
 * field (regression) as target.
 *
 * <p>Contract, which {@link DataLoader} relies on to give the same batches whatever its thread
 * count:
 * <ul>
 *   <li>{@link #get(int)} is deterministic: the same index gives the same values every time;</li>
 *   <li>{@link #get(int)} is safe to call from several threads at once;</li>
 *   <li>{@link #get(int)} returns new tensors, or tensors that no code writes to, since callers may
 *       transform them.</li>
 * </ul>
 * Randomness (augmentation) belongs in a {@link JointTransform} run by the loader, which draws it
 * from the seed, the epoch and the sample index.
 *
 * <p>Built-in datasets: {@link Datasets#open(String, String, long)}; views: {@link Datasets#subset},
 * {@link Splits}.
 */
public interface Dataset {
    /** The class index of pixels that losses and metrics skip, as in Pascal VOC. */
    int IGNORE_INDEX = 255;

    /** The number of samples. */
    int size();

    /**
     * Returns sample {@code index}, in [0, size()).
     *
     * @throws IndexOutOfBoundsException when index is outside [0, size())
     * @throws java.io.UncheckedIOException when the sample's file cannot be read
     */
    Sample get(int index);

    /** Whether targets are class maps (H, W) or fields (C_t, H, W). */
    TargetKind targetKind();

    /**
     * Returns the number of classes of a class-map dataset, background included, {@link #IGNORE_INDEX}
     * excluded (21 for Pascal VOC); 0 for a field dataset.
     */
    default int numClasses() {
        return 0;
    }

    /** Returns the class names, index by index, or an empty list when unnamed or for field targets. */
    default List<String> classNames() {
        return List.of();
    }

    /** Throws unless {@code index} is in [0, size()); for implementations of {@link #get}. */
    default void checkIndex(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("sample index " + index + " is outside [0, " + size() + ")");
        }
    }
}
