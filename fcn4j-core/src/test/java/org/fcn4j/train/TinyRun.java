package org.fcn4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.fcn4j.nn.Module;
import org.fcn4j.optim.Adam;
import org.fcn4j.optim.StepLR;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

/**
 * A small regression run built from tensor operations only (two pixel-wise linear maps with a
 * random mask in training mode, which draws from a generator), for the trainer tests. Also the
 * child process of {@link TrainerResumeTest}: {@code TinyRun RUN_DIR MARKER_EPOCH} writes the file
 * {@code RUN_DIR/marker} in the middle of that epoch, then waits to be killed.
 */
final class TinyRun {
    static final int EPOCHS = 4;

    /** Per-pixel linear map (N, C_in, H, W) -> (N, C_out, H, W), with a random mask on the hidden layer. */
    static final class PixelNet extends Module {
        private final Tensor w1;
        private final Tensor w2;
        private final Generator dropout;

        PixelNet(Generator init, Generator dropout) {
            w1 = registerParameter("w1", Tensor.randn(init, 2, 8).mul(0.5f));
            w2 = registerParameter("w2", Tensor.randn(init, 8, 1).mul(0.5f));
            registerBuffer("steps", Tensor.zeros(1));
            this.dropout = dropout;
        }

        @Override
        public Tensor forward(Tensor x) {
            int n = x.size(0);
            int h = x.size(2);
            int w = x.size(3);
            Tensor rows = x.permute(0, 2, 3, 1).reshape(n * h * w, 2);
            Tensor hidden = rows.matmul(w1).relu();
            if (isTraining()) {
                float[] mask = new float[hidden.numel()];
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = dropout.nextBoolean(0.1) ? 0f : 1f / 0.9f;
                }
                hidden = hidden.mul(Tensor.of(mask, hidden.shape()));
            }
            return hidden.matmul(w2).reshape(n, h, w, 1).permute(0, 3, 1, 2);
        }
    }

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

    record Setup(PixelNet model, Trainer trainer) {
    }

    static Setup setup(Path runDir, TrainingListener listener, double lr) {
        Generator dropout = new Generator(11);
        PixelNet model = new PixelNet(new Generator(5), dropout);
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
