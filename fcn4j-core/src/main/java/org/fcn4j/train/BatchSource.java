package org.fcn4j.train;

import java.util.Iterator;

import org.fcn4j.data.Batch;
import org.fcn4j.data.DataLoader;
import org.fcn4j.tensor.Tensor;

/**
 * The batches of one data split for the {@link Trainer}: each batch is {@code {inputs, targets}}.
 *
 * <p>Contract for reproducible and resumable runs: the batches of epoch {@code e} depend only on
 * {@code e} (and the source's own seed), never on earlier calls, so that a run resumed at epoch
 * {@code e} reads exactly what an uninterrupted run reads there.
 */
public interface BatchSource {
    /** The number of batches {@link #epoch(int)} yields. */
    int batchesPerEpoch();

    /** The batches of epoch {@code epoch} (1-based), in order. */
    Iterator<Tensor[]> epoch(int epoch);

    /** The batches of a {@link DataLoader}; epoch {@code e} of the trainer is epoch {@code e} of the loader. */
    static BatchSource of(DataLoader loader) {
        return new BatchSource() {
            @Override
            public int batchesPerEpoch() {
                return loader.batchesPerEpoch();
            }

            @Override
            public Iterator<Tensor[]> epoch(int epoch) {
                Iterator<Batch> it = loader.epoch(epoch);
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Tensor[] next() {
                        Batch b = it.next();
                        return new Tensor[] {b.inputs(), b.targets()};
                    }
                };
            }
        };
    }
}
