package org.fcn4j.train;

import java.nio.file.Path;

/** Thrown when the training loss becomes NaN or infinite; earlier checkpoints and model files are kept. */
public final class TrainingDivergedException extends RuntimeException {
    private final int epoch;
    private final long globalStep;
    private final transient Path lastCheckpoint;

    TrainingDivergedException(double loss, int epoch, int step, long globalStep, Path lastCheckpoint, int checkpointEpoch) {
        super("training loss is " + loss + " at epoch " + epoch + " step " + step + " (global step " + globalStep + "); "
                + (lastCheckpoint == null ? "no checkpoint was written yet"
                        : "the last good checkpoint is " + lastCheckpoint + " (end of epoch " + checkpointEpoch + ")")
                + ". Lower optimizer.lr or set train.clip_grad_norm, then resume or restart.");
        this.epoch = epoch;
        this.globalStep = globalStep;
        this.lastCheckpoint = lastCheckpoint;
    }

    /** The epoch (1-based) in which the loss diverged. */
    public int epoch() {
        return epoch;
    }

    /** The number of optimiser steps before the failing one. */
    public long globalStep() {
        return globalStep;
    }

    /** The last complete checkpoint, or null when none was written. */
    public Path lastCheckpoint() {
        return lastCheckpoint;
    }
}
