package org.fcn4j.train;

import java.util.Map;

/** Receives the {@link Trainer}'s progress, e.g. to draw a progress bar or print epoch lines. */
public interface TrainingListener {
    /** One optimiser step: loss is the running mean over the epoch so far. */
    record Step(int epoch, int epochs, int step, int steps, double loss, double lr, double imagesPerSecond,
            double etaSeconds) {
    }

    /** A finished epoch: its metrics record (as written to metrics.jsonl) and whether it is the best so far. */
    record Epoch(int epoch, int epochs, Map<String, Object> record, boolean best) {
    }

    default void onStep(Step step) {
    }

    default void onEpoch(Epoch epoch) {
    }

    /**
     * Receives the checkpoint's progress once {@link Trainer#resume} has read it, before the first
     * epoch it runs. A finished run has completed equal to epochs, and only its evaluation runs again.
     */
    default void onResume(int completed, int epochs) {
    }
}
