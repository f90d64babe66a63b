package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.fcn4j.io.ModelFile;
import org.fcn4j.metrics.ConfusionMatrixCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on a tiny configuration: train, evaluate, predict, summary, through Main. */
class TrainCommandTest {
    @TempDir
    Path dir;

    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, "exit code of " + String.join(" ", args) + "; output:\n" + out);
        return out;
    }

    @Test
    void tinySegmentationRunEndToEnd() throws Exception {
        Path runDir = dir.resolve("run");
        String out = run("train", "--set", "model.widths=[4,8]", "--set", "model.bottleneck=8",
                "--set", "data.train_size=64", "--set", "data.val_size=32", "--set", "data.test_size=32",
                "--set", "data.batch_size=16", "--set", "train.epochs=2", "--set", "train.steps_per_epoch=2",
                "--set", "output.run_dir=" + runDir, "--set", "output.samples=3");
        assertTrue(out.contains("epoch 1/2"), out);
        assertTrue(out.contains("epoch 2/2"), out);
        String testLine = out.lines().filter(l -> l.startsWith("test ")).findFirst().orElseThrow();
        for (String f : List.of("config.yaml", "model.safetensors", "checkpoint.safetensors", "metrics.jsonl",
                "metrics.csv", "test_metrics.json", "confusion_matrix.csv", "confusion_matrix.png", "iou_per_class.png",
                "samples.png", "learning_curves.png", "initial.safetensors", "train_order.json")) {
            assertTrue(Files.exists(runDir.resolve(f)), f + " in the run folder");
        }
        assertEquals(3, Files.readAllLines(runDir.resolve("metrics.csv")).size(), "header and 2 epochs");
        ModelFile.Contents m = ModelFile.read(runDir.resolve("model.safetensors"));
        assertEquals("segmentation", m.require(ModelFile.TASK_KEY));
        assertEquals(11, ConfusionMatrixCsv.read(runDir.resolve("confusion_matrix.csv")).names().size());

        // evaluate without --data reproduces the test line exactly.
        Path evalDir = dir.resolve("eval");
        String eval = run("evaluate", "--model", runDir.resolve("model.safetensors").toString(), "--output",
                evalDir.toString());
        assertTrue(eval.contains(testLine), "evaluate printed\n" + eval + "\nexpected the line: " + testLine);
        String iou = run("iou", "--confusion", evalDir.resolve("confusion_matrix.csv").toString());
        assertTrue(iou.contains("mIoU"), iou);

        // evaluate on another split, without --output, leaves the run's test results as they were.
        byte[] testMetrics = Files.readAllBytes(runDir.resolve("test_metrics.json"));
        byte[] testMatrix = Files.readAllBytes(runDir.resolve("confusion_matrix.csv"));
        String val = run("evaluate", "--model", runDir.resolve("model.safetensors").toString(), "--split", "val");
        assertTrue(Files.exists(runDir.resolve("val").resolve("val_metrics.json")), "val/val_metrics.json");
        // "Validation" names the same split, with the same size limit and output folder.
        assertEquals(val, run("evaluate", "--model", runDir.resolve("model.safetensors").toString(), "--split",
                "Validation"), "--split Validation against --split val");
        assertFalse(Files.exists(runDir.resolve("Validation")), "no folder named after the spelling");
        assertTrue(Files.exists(runDir.resolve("val").resolve("confusion_matrix.csv")), "val/confusion_matrix.csv");
        assertArrayEquals(testMetrics, Files.readAllBytes(runDir.resolve("test_metrics.json")), "test_metrics.json");
        assertArrayEquals(testMatrix, Files.readAllBytes(runDir.resolve("confusion_matrix.csv")),
                "confusion_matrix.csv");

        // predict writes one mask per image.
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(40, 50,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        javax.imageio.ImageIO.write(img, "png", images.resolve("a.png").toFile());
        javax.imageio.ImageIO.write(img, "png", images.resolve("b.png").toFile());
        run("predict", "--model", runDir.resolve("model.safetensors").toString(), "--input", images.toString(),
                "--output", dir.resolve("pred").toString());
        java.awt.image.BufferedImage mask = javax.imageio.ImageIO.read(dir.resolve("pred").resolve("a.png").toFile());
        assertEquals(40, mask.getWidth());
        assertEquals(50, mask.getHeight());
        org.fcn4j.io.Images.readClassMap(dir.resolve("pred").resolve("b.png"), 11);

        // --output set to the inputs' folder is rejected before a mask replaces an input image.
        byte[] imageA = Files.readAllBytes(images.resolve("a.png"));
        CliRun over = CliRun.of("predict", "--model", runDir.resolve("model.safetensors").toString(), "--input",
                images.toString(), "--output", images.toString());
        assertEquals(2, over.exitCode(), over.err());
        assertTrue(over.err().contains("would overwrite that input file"), over.err());
        assertArrayEquals(imageA, Files.readAllBytes(images.resolve("a.png")), "a.png untouched");

        // A colour image for this grey model is rejected with the channel counts and what to give.
        Path colour = dir.resolve("colour");
        Files.createDirectories(colour);
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(40, 50, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", colour.resolve("c.png").toFile());
        CliRun rgb = CliRun.of("predict", "--model", runDir.resolve("model.safetensors").toString(), "--input",
                colour.toString(), "--output", dir.resolve("pred-colour").toString());
        assertEquals(2, rgb.exitCode());
        assertTrue(rgb.err().contains("c.png: the model expects 1 channel(s), the input has 3"), rgb.err());
        assertTrue(rgb.err().contains("give 1-channel inputs"), rgb.err());
        assertFalse(Files.exists(dir.resolve("pred-colour")), "no output folder after a rejected input");

        // A missing run folder is named as such.
        CliRun missing = CliRun.of("train", "--resume", dir.resolve("nope").toString());
        assertEquals(2, missing.exitCode(), missing.err());
        assertTrue(missing.err().contains("run folder not found: " + dir.resolve("nope")), missing.err());

        // Resuming a finished run trains no further epoch, reports that and succeeds.
        String resumed = run("train", "--resume", runDir.toString());
        assertTrue(resumed.contains(runDir + " already finished its 2 epochs"), resumed);
        assertEquals(3, Files.readAllLines(runDir.resolve("metrics.csv")).size());
    }

    @Test
    void tinyRegressionRunPredictsFields() throws Exception {
        Path runDir = dir.resolve("cells");
        String out = run("train", "--set", "data.dataset=cells-noise2noise", "--set", "loss.type=l1",
                "--set", "model.widths=[4]", "--set", "model.bottleneck=4", "--set", "model.norm=group:2",
                "--set", "data.train_size=32", "--set", "data.val_size=16", "--set", "data.test_size=16",
                "--set", "data.batch_size=16", "--set", "train.epochs=1", "--set", "train.steps_per_epoch=2",
                "--set", "output.run_dir=" + runDir);
        assertTrue(out.contains("val_mae"), out);
        assertTrue(out.contains("val_bias"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("test ") && l.contains("mae")), out);
        assertEquals("regression", ModelFile.read(runDir.resolve("model.safetensors")).require(ModelFile.TASK_KEY));

        String clean = run("evaluate", "--model", runDir.resolve("model.safetensors").toString(), "--clean-targets",
                "--output", dir.resolve("clean").toString());
        assertTrue(clean.contains("test mse"), clean);
        assertTrue(clean.contains("bias"), clean);

        Path in = dir.resolve("field.npy");
        org.fcn4j.io.Npy.write(in, org.fcn4j.io.NdArray.ofFloats(new float[30 * 20], 1, 30, 20));
        run("predict", "--model", runDir.resolve("model.safetensors").toString(), "--input", in.toString(),
                "--output", dir.resolve("fields").toString());
        org.fcn4j.tensor.Tensor field = org.fcn4j.io.Npy.read(dir.resolve("fields").resolve("field.npy")).toTensor();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1, 30, 20}, field.shape());
    }

    @Test
    void summaryOfTheCourseUNet() {
        String out = run("summary", "--input", "1x64x64");
        assertTrue(out.contains("bottleneck: 128 channels x 4 x 4"), out);
        assertTrue(out.contains("total parameters:"), out);
        String fcn = run("summary", "--input", "3x40x40", "--set", "model.type=fcn", "--classes", "5");
        assertTrue(fcn.contains("up8"), fcn);
        assertTrue(fcn.contains("(1, 5, 40, 40)"), fcn);
    }

    @Test
    void modelFileOfAnotherModelIsRejected() throws Exception {
        Path f = dir.resolve("other.safetensors");
        org.fcn4j.model.ModelConfig config = org.fcn4j.model.ModelConfig.courseUNet(1, 11);
        java.util.Map<String, org.fcn4j.tensor.Tensor> weights = new org.fcn4j.model.UNet(
                new org.fcn4j.model.ModelConfig("unet", 1, 11, List.of(4, 8), 8, "batch", "transpose", 0),
                new org.fcn4j.tensor.Generator(0)).stateDict();
        ModelFile.write(f, weights, java.util.Map.of(ModelFile.MODEL_KEY, config.toJson(), ModelFile.TASK_KEY,
                "segmentation"));
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("predict", "--model", f.toString(), "--input", dir.toString(), "--output",
                    dir.resolve("p").toString());
        } finally {
            System.setErr(old);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, message);
        assertTrue(message.contains(f.toString()), message);
        assertTrue(message.contains("do not fit"), message);
    }

    @Test
    void badConfigurationFailsBeforeWork() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("train", "--set", "model.norm=bach");
        } finally {
            System.setErr(old);
        }
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("model.norm"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void missingFilesAndFoldersAreNamed() {
        CliRun config = CliRun.of("train", "--config", "../examples/no-such-config.yaml");
        assertEquals(2, config.exitCode());
        assertTrue(config.err().contains("no-such-config.yaml: configuration file not found"), config.err());

        // examples/voc2007.yaml leaves data.root at its placeholder, /path/to/VOC2007.
        CliRun voc = CliRun.of("train", "--config", "../examples/voc2007.yaml");
        assertEquals(2, voc.exitCode());
        assertTrue(voc.err().contains("data.root /path/to/VOC2007: folder not found"), voc.err());
        assertTrue(voc.err().contains("--set data.root="), voc.err());
    }

    @Test
    void summaryRejectsMalformedInputSize() {
        for (String bad : new String[] {"1x64x64x", "1x64", "1xx64", "0x64x64"}) {
            CliRun run = CliRun.of("summary", "--input", bad);
            assertEquals(2, run.exitCode(), bad);
            assertTrue(run.err().contains("--input expects"), bad + ": " + run.err());
        }
    }

    @Test
    void threadCountBelowOneIsRejected() {
        CliRun run = CliRun.of("--threads", "0", "summary");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--threads must be at least 1, got 0"), run.err());
        assertFalse(run.err().contains("Could not invoke"), run.err());
    }

    @Test
    void threadErrorShowsTheNamedCommandsUsage() {
        CliRun run = CliRun.of("bench", "unet", "--size", "small", "--threads", "0");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("fcn4j: --threads must be at least 1, got 0"), run.err());
        assertTrue(run.err().contains("Usage: fcn4j bench unet"), run.err());
    }
}
