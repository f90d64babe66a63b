package org.fcn4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.io.ModelFile;
import org.fcn4j.nn.Module;
import org.fcn4j.optim.GradClip;
import org.fcn4j.optim.LrScheduler;
import org.fcn4j.optim.OneCycleLR;
import org.fcn4j.optim.Optimizer;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

/**
 * Trains a model for a number of epochs, validating after each one.
 *
 * <p>Per epoch: for each training batch, zero the gradients, forward, loss, backward, optional
 * gradient clipping, optimiser step (and {@link OneCycleLR} step); then, without recording a graph
 * and in evaluation mode, the validation loss and the task's {@link Evaluation} over the whole
 * validation split; then the per-epoch schedule step, one record in metrics.jsonl / metrics.csv,
 * the model file when the selection metric improved, and a checkpoint.
 *
 * <p>Files in the run folder: {@code checkpoint.safetensors} (state at the end of the last
 * finished epoch, written atomically), {@code model.safetensors} (weights of the best epoch with
 * the given metadata), {@code metrics.jsonl}, {@code metrics.csv}. {@link #resume()} restarts
 * from the checkpoint; the result equals an uninterrupted run with the same thread count, since
 * batches depend only on the epoch number ({@link BatchSource}) and every generator's state is
 * saved.
 *
 * <p>A NaN or infinite training loss stops the run with a {@link TrainingDivergedException} that
 * names the step and the last good checkpoint; files already written are kept.
 */
public final class Trainer {
    /** Checkpoint file name in the run folder. */
    public static final String CHECKPOINT = "checkpoint.safetensors";
    /** Model file name in the run folder. */
    public static final String MODEL = "model.safetensors";

    /**
     * Training options.
     *
     * @param epochs         passes over the training data (&gt; 0)
     * @param stepsPerEpoch  batches per epoch, 0 for all of them
     * @param clipGradNorm   maximum global gradient L2 norm, 0 for no clipping
     * @param selectMetric   key of the epoch record that picks the best model, e.g. {@code val_miou}
     * @param maximize       whether a larger selection metric is better
     * @param earlyStopping  stop after this many epochs without improvement, 0 to never stop early
     * @param runDir         the run folder
     * @param modelMetadata  metadata of the model file (see {@link ModelFile}); best epoch added
     */
    public record Options(int epochs, int stepsPerEpoch, double clipGradNorm, String selectMetric, boolean maximize,
            int earlyStopping, Path runDir, Map<String, String> modelMetadata) {
        public Options {
            if (epochs <= 0) {
                throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
            }
            if (stepsPerEpoch < 0 || earlyStopping < 0 || clipGradNorm < 0) {
                throw new IllegalArgumentException("stepsPerEpoch, earlyStopping and clipGradNorm must be >= 0 (0 turns "
                        + "them off), got " + stepsPerEpoch + ", " + earlyStopping + ", " + clipGradNorm);
            }
            // In the caller's order, so that two equal runs write byte-identical model files. The
            // order of Map.copyOf is unspecified, and two runs of the same training differed in it.
            modelMetadata = Collections.unmodifiableMap(new LinkedHashMap<>(modelMetadata));
        }
    }

    /** The outcome of a run: epochs run, best epoch and value, early stop, model file and epoch records. */
    public record Result(int epochsRun, int bestEpoch, double bestValue, boolean stoppedEarly, Path modelFile,
            List<Map<String, Object>> records) {
    }

    private final Module model;
    private final BinaryOperator<Tensor> loss;
    private final Optimizer optimizer;
    private final LrScheduler schedule;
    private final BatchSource train;
    private final BatchSource validation;
    private final Evaluation evaluation;
    private final Options options;
    private final List<Generator> generators;
    private final TrainingListener listener;

    private long globalStep;
    private double bestValue;
    private int bestEpoch;
    private int epochsWithoutImprovement;
    private int lastCheckpointEpoch;

    /**
     * @param loss       the loss of (output, target), e.g. {@code new CrossEntropyLoss()::forward}
     * @param schedule   null for a constant learning rate; a {@link OneCycleLR} steps per batch, others per epoch
     * @param generators every generator whose draws continue across epochs (dropout, ...), saved in checkpoints
     */
    public Trainer(Module model, BinaryOperator<Tensor> loss, Optimizer optimizer, LrScheduler schedule,
            BatchSource train, BatchSource validation, Evaluation evaluation, Options options,
            List<Generator> generators, TrainingListener listener) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.train = train;
        this.validation = validation;
        this.evaluation = evaluation;
        this.options = options;
        this.generators = List.copyOf(generators);
        this.listener = listener == null ? new TrainingListener() { } : listener;
        this.bestValue = options.maximize() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** Steps per epoch actually run. */
    public int stepsPerEpoch() {
        int all = train.batchesPerEpoch();
        return options.stepsPerEpoch() == 0 ? all : Math.min(all, options.stepsPerEpoch());
    }

    /** Runs all epochs from the start. */
    public Result fit() throws IOException {
        Files.createDirectories(options.runDir());
        return run(0, new MetricsLog(options.runDir()));
    }

    /** Continues the run from its checkpoint; runs from the start when there is none yet. */
    public Result resume() throws IOException {
        Path file = options.runDir().resolve(CHECKPOINT);
        if (!Files.exists(file)) {
            return fit();
        }
        Checkpoint.Progress p = Checkpoint.read(file, model, optimizer, schedule, generators);
        globalStep = p.globalStep();
        bestValue = p.bestValue();
        bestEpoch = p.bestEpoch();
        epochsWithoutImprovement = p.epochsWithoutImprovement();
        lastCheckpointEpoch = p.epoch();
        MetricsLog log = MetricsLog.load(options.runDir());
        log.truncateAfter(p.epoch());
        listener.onResume(p.epoch(), options.epochs());
        return run(p.epoch(), log);
    }

    private Result run(int doneEpochs, MetricsLog log) throws IOException {
        boolean stoppedEarly = false;
        int epoch = doneEpochs;
        if (options.earlyStopping() > 0 && epochsWithoutImprovement >= options.earlyStopping()) {
            stoppedEarly = true;
        }
        while (!stoppedEarly && epoch < options.epochs()) {
            epoch++;
            long start = System.nanoTime();
            double trainLoss = trainEpoch(epoch);
            Map<String, Double> val = validate();
            double seconds = (System.nanoTime() - start) / 1e9;

            Map<String, Object> record = MetricsLog.record();
            record.put("epoch", epoch);
            record.put("train_loss", trainLoss);
            val.forEach((k, v) -> record.put("val_" + k, v));
            record.put("lr", optimizer.lr());
            record.put("seconds", seconds);

            Object selected = record.get(options.selectMetric());
            if (!(selected instanceof Double value)) {
                throw new IllegalStateException("selection metric '" + options.selectMetric() + "' is not in the "
                        + "epoch record " + record.keySet() + "; choose one of those");
            }
            boolean better = options.maximize() ? value > bestValue : value < bestValue;
            if (better) {
                bestValue = value;
                bestEpoch = epoch;
                epochsWithoutImprovement = 0;
                writeModel();
            } else {
                epochsWithoutImprovement++;
            }
            if (schedule != null && !(schedule instanceof OneCycleLR)) {
                schedule.step(value);
            }
            log.append(record);
            Checkpoint.write(options.runDir().resolve(CHECKPOINT), model, optimizer, schedule, generators,
                    new Checkpoint.Progress(epoch, globalStep, bestValue, bestEpoch, epochsWithoutImprovement));
            lastCheckpointEpoch = epoch;
            listener.onEpoch(new TrainingListener.Epoch(epoch, options.epochs(), record, better));
            if (options.earlyStopping() > 0 && epochsWithoutImprovement >= options.earlyStopping()) {
                stoppedEarly = true;
            }
        }
        return new Result(epoch, bestEpoch, bestValue, stoppedEarly, options.runDir().resolve(MODEL), log.records());
    }

    private double trainEpoch(int epoch) {
        model.train();
        int steps = stepsPerEpoch();
        double lossSum = 0;
        long images = 0;
        long startNanos = System.nanoTime();
        Iterator<Tensor[]> batches = train.epoch(epoch);
        for (int step = 1; step <= steps; step++) {
            if (!batches.hasNext()) {
                throw new IllegalStateException("training data ended after " + (step - 1) + " of " + steps
                        + " batches in epoch " + epoch);
            }
            Tensor[] batch = batches.next();
            optimizer.zeroGrad();
            Tensor out = model.forward(batch[0]);
            Tensor l = loss.apply(out, batch[1]);
            double value = l.item();
            if (!Double.isFinite(value)) {
                Path last = lastCheckpointEpoch > 0 ? options.runDir().resolve(CHECKPOINT) : null;
                throw new TrainingDivergedException(value, epoch, step, globalStep, last, lastCheckpointEpoch);
            }
            l.backward();
            if (options.clipGradNorm() > 0) {
                GradClip.clipGradNorm(optimizer.parameters(), options.clipGradNorm());
            }
            double lrUsed = optimizer.lr();
            optimizer.step();
            if (schedule instanceof OneCycleLR) {
                schedule.step();
            }
            globalStep++;
            lossSum += value;
            images += batch[0].size(0);

            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            double perStep = elapsed / step;
            long remaining = (long) (options.epochs() - epoch) * steps + (steps - step);
            listener.onStep(new TrainingListener.Step(epoch, options.epochs(), step, steps, lossSum / step, lrUsed,
                    images / elapsed, remaining * perStep));
        }
        return lossSum / steps;
    }

    /** Validation loss and metrics over the whole validation split, in evaluation mode. */
    private Map<String, Double> validate() {
        Map<String, Double> out = evaluate(model, loss, validation, evaluation);
        model.train();
        return out;
    }

    /**
     * Evaluates {@code model} in evaluation mode without recording a graph: the mean loss over all
     * samples (key {@code loss}) and the evaluation's metrics. Leaves the model in evaluation mode.
     */
    public static Map<String, Double> evaluate(Module model, BinaryOperator<Tensor> loss, BatchSource data,
            Evaluation evaluation) {
        model.eval();
        evaluation.reset();
        double lossSum = 0;
        long count = 0;
        try (var _ = GradMode.noGrad()) {
            Iterator<Tensor[]> it = data.epoch(1);
            for (int b = 0; b < data.batchesPerEpoch() && it.hasNext(); b++) {
                Tensor[] batch = it.next();
                Tensor out = model.forward(batch[0]);
                int n = batch[0].size(0);
                lossSum += loss.apply(out, batch[1]).item() * n;
                count += n;
                evaluation.update(out, batch[1]);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", count == 0 ? Double.NaN : lossSum / count);
        out.putAll(evaluation.results());
        return out;
    }

    private void writeModel() {
        Map<String, String> meta = new LinkedHashMap<>(options.modelMetadata());
        meta.put("best_epoch", Integer.toString(bestEpoch));
        meta.put("selection_metric", options.selectMetric() + "=" + bestValue);
        try {
            ModelFile.write(options.runDir().resolve(MODEL), model.stateDict(), meta);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model file in " + options.runDir(), e);
        }
    }
}
