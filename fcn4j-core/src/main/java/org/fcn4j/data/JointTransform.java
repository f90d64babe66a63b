package org.fcn4j.data;

import org.fcn4j.tensor.Generator;

/**
 * A transform of a sample that applies one random draw to its input and its target alike, so
 * that a crop, flip or rotation keeps pixels and labels aligned. Factories: {@link Transforms}.
 *
 * <p>Implementations draw all their randomness from {@code rng} and hold no mutable state, so
 * the same generator state gives the same output on any thread. The {@link DataLoader} passes a
 * generator derived from (seed, epoch, sample index).
 */
@FunctionalInterface
public interface JointTransform {
    /** Returns the transformed sample; {@code sample} itself is not modified. */
    Sample apply(Sample sample, Generator rng);

    /** This transform, then {@code next}, drawing from the same generator in that order. */
    default JointTransform andThen(JointTransform next) {
        return (s, rng) -> next.apply(apply(s, rng), rng);
    }
}
