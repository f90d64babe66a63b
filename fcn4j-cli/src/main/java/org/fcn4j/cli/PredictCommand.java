package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.io.Images;
import org.fcn4j.io.ModelFile;
import org.fcn4j.io.NdArray;
import org.fcn4j.io.Npy;
import org.fcn4j.tensor.Tensor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fcn4j predict}: runs a model on image files. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Run a model on PNG/JPEG images or .npy arrays of shape (H, W), (C, H, W) or (N, C, H, W) "
                + "(the inputs.npy that data export writes).",
            "Inputs are normalised with the training statistics stored in the model file; any image size works.",
            "Segmentation: one indexed PNG per input whose pixel values are the class indices (the mask format the "
                + "data loaders read). A stacked (N, C, H, W) array gives masks NAME-0000.png, NAME-0001.png, ... "
                + "Regression: one .npy float32 field (C, H, W) per input, (N, C, H, W) for a stacked one, in the target's units (the inverse of the "
                + "target normalisation stored in the model file)."})
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "model.safetensors of a run folder.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE|DIR",
            description = "An image (.png, .jpg, .jpeg, .npy) or a folder of them.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder for the predictions "
            + "(created; one file per input, same base name).")
    Path output;

    @Override
    public Integer call() throws IOException {
        Evaluator.Loaded m = Evaluator.load(ModelFile.read(model));
        List<Path> files = inputs(input);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no .png, .jpg, .jpeg or .npy files in " + input);
        }
        // With --output set to the inputs' folder, a prediction takes its input's name and would replace
        // it. This is checked before anything is written, and the numbered masks of stacked inputs as
        // they are written.
        Set<Path> inputFiles = new HashSet<>();
        for (Path f : files) {
            inputFiles.add(f.toAbsolutePath().normalize());
        }
        for (Path f : files) {
            String base = baseName(f);
            checkNotInput(output.resolve(base + (m.segmentation() ? ".png" : ".npy")), inputFiles);
        }
        // The folder is created with the first prediction, so that an input rejected first leaves none.
        boolean created = false;
        int predictions = 0;
        for (Path f : files) {
            // (N, C, H, W): one image for PNG, JPEG and (C, H, W) arrays, N for a stacked .npy.
            Tensor batch = read(f);
            if (batch.size(1) != m.config().inChannels()) {
                int expected = m.config().inChannels();
                throw new IllegalArgumentException(f + ": the model expects " + expected + " channel(s), the input has "
                        + batch.size(1) + " (a PNG or JPEG gives 1 when grey, 3 when in colour or with a palette); "
                        + "give " + expected + "-channel inputs or a model trained on " + batch.size(1));
            }
            int n = batch.size(0);
            String base = baseName(f);
            Tensor[] fields = new Tensor[n];
            for (int i = 0; i < n; i++) {
                Tensor x = batch.slice(0, i, i + 1);
                Tensor y;
                try (var _ = GradMode.noGrad()) {
                    y = m.denormalize(m.model().forward(m.normalize(x)));
                }
                if (!created) {
                    Files.createDirectories(output);
                    created = true;
                }
                if (m.segmentation()) {
                    String name = n == 1 ? base : String.format(Locale.ROOT, "%s-%04d", base, i);
                    Path out = output.resolve(name + ".png");
                    checkNotInput(out, inputFiles);
                    writeMask(out, y);
                    System.out.println(f + (n == 1 ? "" : " [" + i + "]") + " -> " + out);
                } else {
                    fields[i] = y;
                }
                predictions++;
            }
            if (!m.segmentation()) {
                // A stacked input gives a stacked output, so the file lines up with the input in NumPy.
                Tensor y = n == 1 ? fields[0].reshape(fields[0].size(1), fields[0].size(2), fields[0].size(3))
                        : Tensor.concat(0, fields);
                Path out = output.resolve(base + ".npy");
                Npy.write(out, NdArray.of(y));
                System.out.println(f + " -> " + out);
            }
        }
        // A stacked .npy gives several predictions but one output file, so both counts are printed.
        System.out.printf(Locale.ROOT, "%d prediction(s) of %d input file(s) in %s%n", predictions, files.size(),
                output);
        return 0;
    }

    // The file's name without its extension, which the prediction's name starts with.
    private static String baseName(Path f) {
        return f.getFileName().toString().replaceFirst("\\.[^.]+$", "");
    }

    private static void checkNotInput(Path out, Set<Path> inputFiles) {
        if (inputFiles.contains(out.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("the prediction " + out + " would overwrite that input file; give "
                    + "--output a folder other than the inputs' folder");
        }
    }

    private static List<Path> inputs(Path in) throws IOException {
        if (!Files.isDirectory(in)) {
            if (!Files.exists(in)) {
                throw new IllegalArgumentException("input not found: " + in);
            }
            return List.of(in);
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(in)) {
            s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|npy)"))
                    .sorted().forEach(out::add);
        }
        return out;
    }

    /** Reads one input as a batch (N, C, H, W): images and (C, H, W) or (H, W) arrays give N = 1. */
    private static Tensor read(Path f) throws IOException {
        Tensor t;
        if (f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            t = Npy.read(f).toTensor();
        } else {
            t = Images.read(f);
        }
        return switch (t.dim()) {
            case 2 -> t.reshape(1, 1, t.size(0), t.size(1));
            case 3 -> t.reshape(1, t.size(0), t.size(1), t.size(2));
            case 4 -> t;
            default -> throw new IllegalArgumentException(f + ": expected an array of shape (H, W), (C, H, W) or "
                    + "(N, C, H, W), got " + org.fcn4j.tensor.Shape.str(t.shape()));
        };
    }

    /**
     * Writes the argmax over classes as an indexed PNG: each pixel's palette index is its class, and
     * the palette contains the class colours of the charts, so the mask is also readable by eye.
     */
    private static void writeMask(Path file, Tensor logits) throws IOException {
        int k = logits.size(1);
        int h = logits.size(2);
        int w = logits.size(3);
        int plane = h * w;
        float[] v = logits.data();
        byte[] red = new byte[256];
        byte[] green = new byte[256];
        byte[] blue = new byte[256];
        for (int c = 0; c < 256; c++) {
            java.awt.Color color = Charts.classColor(c);
            red[c] = (byte) color.getRed();
            green[c] = (byte) color.getGreen();
            blue[c] = (byte) color.getBlue();
        }
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h,
                java.awt.image.BufferedImage.TYPE_BYTE_INDEXED, new java.awt.image.IndexColorModel(8, 256, red, green,
                        blue));
        java.awt.image.WritableRaster r = img.getRaster();
        for (int p = 0; p < plane; p++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (v[c * plane + p] > v[best * plane + p]) {
                    best = c;
                }
            }
            r.setSample(p % w, p / w, 0, best);
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
