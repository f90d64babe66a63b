package org.fcn4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.fcn4j.model.ModelConfig;
import org.fcn4j.model.UNet;
import org.fcn4j.optim.Adam;
import org.fcn4j.optim.StepLR;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

/**
 * A small regression run for the trainer tests: a two-level U-Net with BatchNorm and dropout
 * (whose masks draw from the generator that checkpoints must save) on 4 x 4 images. Also the
 * child process of {@link TrainerResumeTest}: {@code TinyRun RUN_DIR MARKER_EPOCH} writes the file
 * {@code RUN_DIR/marker} in the middle of that epoch, then waits to be killed.
 */
final class TinyRun {
    static final int EPOCHS = 4;

    /** 64 samples of (2, 4, 4) inputs whose target is a fixed nonlinear function; shuffled per epoch. */
    static BatchSource data(long seed, int batch, boolean shuffle) {
        Generator g = new Generator(seed);
        List<Tensor[]> samples = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            Tensor x = Tensor.randn(g, 1, 2, 4, 4);
            float[] y = new float[16];
            for (int p = 0; p < 16; p++) {
                float a = x.data()[p];
                float b = x.data()[16 + p];
                y[p] = Math.max(0, a - b) + 0.5f * a;
            }
            samples.add(new Tensor[] {x, Tensor.of(y, 1, 1, 4, 4)});
        }
        return new BatchSource() {
            @Override
            public int batchesPerEpoch() {
                return samples.size() / batch;
            }

            @Override
            public Iterator<Tensor[]> epoch(int epoch) {
                int[] order = new int[samples.size()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                if (shuffle) {
                    new Generator(seed * 31 + epoch).shuffle(order);
                }
                List<Tensor[]> out = new ArrayList<>();
                for (int b = 0; b < batchesPerEpoch(); b++) {
                    Tensor[] xs = new Tensor[batch];
                    Tensor[] ys = new Tensor[batch];
                    for (int i = 0; i < batch; i++) {
                        xs[i] = samples.get(order[b * batch + i])[0];
                        ys[i] = samples.get(order[b * batch + i])[1];
                    }
                    out.add(new Tensor[] {Tensor.concat(0, xs), Tensor.concat(0, ys)});
                }
                return out.iterator();
            }
        };
    }

    /** Mean absolute error and bias over a split. */
    static Evaluation regression() {
        return new Evaluation() {
            double abs;
            double sum;
            long n;

            @Override
            public void reset() {
                abs = 0;
                sum = 0;
                n = 0;
            }

            @Override
            public void update(Tensor output, Tensor target) {
                for (int i = 0; i < output.numel(); i++) {
                    double d = output.data()[i] - target.data()[i];
                    abs += Math.abs(d);
                    sum += d;
                }
                n += output.numel();
            }

            @Override
            public Map<String, Double> results() {
                // Insertion order, so that metrics.jsonl lists keys the same way in every JVM.
                Map<String, Double> out = new java.util.LinkedHashMap<>();
                out.put("mae", abs / n);
                out.put("bias", sum / n);
                return out;
            }
        };
    }

    record Setup(UNet model, Trainer trainer) {
    }

    static Setup setup(Path runDir, TrainingListener listener, double lr) {
        Generator dropout = new Generator(11);
        UNet model = new UNet(new ModelConfig("unet", 2, 1, List.of(4, 8), 8, "batch", "transpose", 0.2), dropout);
        Adam adam = new Adam(model.parameters(), Adam.Options.adam().withLr(lr));
        StepLR schedule = new StepLR(adam, 2, 0.5);
        Trainer.Options options = new Trainer.Options(EPOCHS, 0, 1.0, "val_loss", false, 0, runDir,
                Map.of("task", "regression"));
        Trainer trainer = new Trainer(model, (out, target) -> out.sub(target).square().mean(), adam, schedule,
                data(1, 8, true), data(2, 16, false), regression(), options, List.of(dropout), listener);
        return new Setup(model, trainer);
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path runDir = Path.of(args[0]);
        int markerEpoch = Integer.parseInt(args[1]);
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(Step step) {
                if (step.epoch() == markerEpoch && step.step() == 3) {
                    try {
                        Files.writeString(runDir.resolve("marker"), "epoch " + step.epoch());
                        Thread.sleep(60_000);
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };
        setup(runDir, listener, 0.05).trainer().fit();
    }
}
