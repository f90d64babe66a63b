package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.fcn4j.io.Json;
import org.fcn4j.io.ModelFile;
import org.fcn4j.io.NdArray;
import org.fcn4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression targets far from unit scale (target = 1000 + 50 * input): the target statistics are
 * fitted on the training split only and stored in the model file, and evaluate and predict answer
 * in the target's units.
 */
class TargetNormalizationTest {
    private static final int H = 8;
    private static final int W = 8;

    @TempDir
    Path dir;

    /** Writes a split whose inputs are uniform in [lo, lo + 1) and targets 1000 + 50 * input; returns the targets. */
    private static float[] writeSplit(Path root, String split, int n, double lo, long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * H * W];
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (lo + rng.nextDouble());
            y[i] = 1000f + 50f * x[i];
        }
        Path d = root.resolve(split);
        Files.createDirectories(d);
        Npy.write(d.resolve("inputs.npy"), NdArray.ofFloats(x, n, 1, H, W));
        Npy.write(d.resolve("targets.npy"), NdArray.ofFloats(y, n, 1, H, W));
        return y;
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return s / v.length;
    }

    private static double metric(String line, String name) {
        String[] parts = line.trim().split("\\s+");
        for (int i = 0; i + 1 < parts.length; i++) {
            if (parts[i].equals(name)) {
                return Double.parseDouble(parts[i + 1]);
            }
        }
        throw new AssertionError("no " + name + " in: " + line);
    }

    @Test
    void regressionTargetsNormalisedAndMappedBack() throws Exception {
        Path data = dir.resolve("data");
        float[] train = writeSplit(data, "train", 48, 0.0, 1);
        // Validation and test come from a shifted input range, so pooled statistics would differ.
        writeSplit(data, "val", 16, 2.0, 2);
        float[] test = writeSplit(data, "test", 16, 2.0, 3);

        Path runDir = dir.resolve("run");
        CliRun r = CliRun.of("train", "--set", "data.dataset=npy", "--set", "data.root=" + data,
                "--set", "model.widths=[4]", "--set", "model.bottleneck=4", "--set", "model.norm=none",
                "--set", "data.batch_size=16", "--set", "train.epochs=1", "--set", "optimizer.lr=0.01",
                "--set", "output.charts=false", "--set", "output.run_dir=" + runDir);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("target normalisation"), r.err());
        // A resumed run reads this key back; run folders without it trained on raw targets.
        assertTrue(Files.readString(runDir.resolve("config.yaml")).contains("target_normalization: auto"),
                "config.yaml records the target normalisation");

        // Stored statistics: those of the training targets alone.
        ModelFile.Contents file = ModelFile.read(runDir.resolve("model.safetensors"));
        Map<String, Object> stats = Json.parseObject(file.require(ModelFile.TARGET_NORMALIZATION_KEY));
        assertEquals("standard", stats.get("mode"));
        double storedMean = Double.parseDouble(String.valueOf(stats.get("mean")));
        assertEquals(mean(train), storedMean, 1e-9 * 1025, "stored target mean against the training split's");
        assertTrue(Math.abs(storedMean - 1100) > 50, "the target mean must not include the shifted val/test splits: "
                + storedMean);
        double storedStd = Double.parseDouble(String.valueOf(stats.get("std")));
        assertEquals(50 / Math.sqrt(12), storedStd, 1.0, "std of 50 * U(0, 1)");
        assertEquals("3072", String.valueOf(stats.get("count")), "values fitted: 48 training images of 8 x 8");
        assertFalse(Json.parseObject(file.require(ModelFile.NORMALIZATION_KEY)).isEmpty(), "input statistics too");

        // Validation metrics in the target's units: a bias near 0 is impossible if outputs stayed normalised.
        String valLine = r.out().lines().filter(l -> l.startsWith("epoch 1/1")).findFirst().orElseThrow();
        assertTrue(metric(valLine, "val_mae") < 500, valLine);

        // evaluate compares de-normalised outputs with the raw test targets.
        CliRun eval = CliRun.of("evaluate", "--model", runDir.resolve("model.safetensors").toString(), "--output",
                dir.resolve("eval").toString());
        assertEquals(0, eval.exitCode(), eval.err());
        String testLine = eval.out().lines().filter(l -> l.startsWith("test ")).findFirst().orElseThrow();
        double mae = metric(testLine, "mae");
        double bias = metric(testLine, "bias");
        CliRun evalData = CliRun.of("evaluate", "--model", runDir.resolve("model.safetensors").toString(), "--data",
                data.toString(), "--output", dir.resolve("eval-data").toString());
        assertEquals(0, evalData.exitCode(), evalData.err());
        assertTrue(evalData.out().contains(testLine), "evaluate --data on the exported folder:\n" + evalData.out());

        // predict writes fields in the target's units; their error against the raw targets is evaluate's.
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        float[] testInputs = Npy.read(data.resolve("test").resolve("inputs.npy")).toFloats();
        double absSum = 0;
        double diffSum = 0;
        double predSum = 0;
        for (int i = 0; i < 16; i++) {
            float[] one = new float[H * W];
            System.arraycopy(testInputs, i * H * W, one, 0, H * W);
            Npy.write(in.resolve(String.format("s%02d.npy", i)), NdArray.ofFloats(one, 1, H, W));
        }
        CliRun pred = CliRun.of("predict", "--model", runDir.resolve("model.safetensors").toString(), "--input",
                in.toString(), "--output", dir.resolve("pred").toString());
        assertEquals(0, pred.exitCode(), pred.err());
        assertTrue(pred.out().contains("16 prediction(s) of 16 input file(s) in "), pred.out());
        for (int i = 0; i < 16; i++) {
            NdArray p = Npy.read(dir.resolve("pred").resolve(String.format("s%02d.npy", i)));
            assertArrayEquals(new int[] {1, H, W}, p.shape(), "predicted field " + i);
            float[] v = p.toFloats();
            for (int k = 0; k < v.length; k++) {
                double d = v[k] - test[i * H * W + k];
                absSum += Math.abs(d);
                diffSum += d;
                predSum += v[k];
            }
        }
        int count = 16 * H * W;
        double predMean = predSum / count;
        assertTrue(predMean > 900, "predictions in the target's units (about 1000 + 50 x), got a mean of " + predMean);
        assertTrue(predMean < 1300, "predictions in the target's units (about 1000 + 50 x), got a mean of " + predMean);
        assertEquals(absSum / count, mae, 1e-3 * Math.max(1, mae), "evaluate's MAE against predict's fields");
        assertEquals(diffSum / count, bias, 1e-3 * Math.max(1, Math.abs(bias)), "evaluate's bias against predict's");

        // The stacked inputs.npy that data export writes gives one stacked field, equal image by image.
        CliRun stacked = CliRun.of("predict", "--model", runDir.resolve("model.safetensors").toString(), "--input",
                data.resolve("test").resolve("inputs.npy").toString(), "--output", dir.resolve("pred-stacked").toString());
        assertEquals(0, stacked.exitCode(), stacked.err());
        NdArray all = Npy.read(dir.resolve("pred-stacked").resolve("inputs.npy"));
        int n = testInputs.length / (H * W);
        assertArrayEquals(new int[] {n, 1, H, W}, all.shape(), "stacked prediction");
        float[] allValues = all.toFloats();
        for (int i = 0; i < 16; i++) {
            float[] one = Npy.read(dir.resolve("pred").resolve(String.format("s%02d.npy", i))).toFloats();
            float[] same = java.util.Arrays.copyOfRange(allValues, i * H * W, (i + 1) * H * W);
            assertArrayEquals(one, same, "stacked prediction of image " + i);
        }
    }

    @Test
    void classMapsAreNeverNormalised() throws Exception {
        Path data = dir.resolve("maps");
        for (String split : new String[] {"train", "val", "test"}) {
            Path d = data.resolve(split);
            Files.createDirectories(d);
            Npy.write(d.resolve("inputs.npy"), NdArray.ofFloats(new float[4 * H * W], 4, 1, H, W));
            byte[] classes = new byte[4 * H * W];
            classes[1] = 1;
            Npy.write(d.resolve("targets.npy"), NdArray.ofUnsignedBytes(classes, 4, H, W));
        }
        CliRun r = CliRun.of("train", "--set", "data.dataset=npy", "--set", "data.root=" + data,
                "--set", "data.target_normalization=standard", "--set", "output.run_dir=" + dir.resolve("seg"));
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("data.target_normalization"), r.err());
        assertTrue(r.err().contains("segmentation"), r.err());
    }
}
