package org.fcn4j.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.fcn4j.data.Batch;
import org.fcn4j.data.CellsDataset;
import org.fcn4j.data.DataLoader;
import org.fcn4j.data.Dataset;
import org.fcn4j.data.Datasets;
import org.fcn4j.data.Sample;
import org.fcn4j.data.TargetKind;
import org.fcn4j.data.Transforms;
import org.fcn4j.io.NdArray;
import org.fcn4j.io.Npy;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fcn4j data export}: writes a split of a built-in dataset as NumPy arrays, streamed batch by
 * batch so a whole split never sits in memory: {@code inputs.npy} (N, C, H, W) float32 and
 * {@code targets.npy}, (N, H, W) uint8 class indices (255 = ignored) for class maps or
 * (N, C_t, H, W) float32 for fields. Class-map datasets also get {@code classes.txt}, and the
 * cells generators {@code clean.npy} (N, 1, 64, 64), the clean images for evaluation.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a split of a built-in dataset as .npy files (inputs.npy, targets.npy) for Python.")
final class DataExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Dataset: ${COMPLETION-CANDIDATES}.",
            completionCandidates = DataShowCommand.DatasetNames.class)
    String name;

    @Option(names = "--split", paramLabel = "S", required = true, description = "Split: train, val or test.")
    String split;

    @Option(names = "--output", paramLabel = "DIR", required = true, description = "Directory to write (created if missing).")
    Path output;

    @Option(names = "--count", paramLabel = "N", description = "Export only the first N samples (default: the whole split).")
    Integer count;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0", description = "Seed of the generated samples (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--root", paramLabel = "DIR",
            description = "Folder of a dataset on disk, for voc2007: the folder that contains JPEGImages/.")
    Path root;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "Loader threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--resize", paramLabel = "N",
            description = "Resize every sample to N x N (bilinear inputs, nearest class maps); needed for "
                    + "datasets of mixed image sizes such as voc2007.")
    Integer resize;

    @Override
    public Integer call() throws IOException {
        try {
            return export();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private int export() throws IOException {
        if (resize != null && resize < 1) {
            throw new IllegalArgumentException("--resize must be at least 1, got " + resize);
        }
        Dataset all = Datasets.open(name, split, seed, root);
        if (count != null && count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + count);
        }
        int n = count == null ? all.size() : Math.min(count, all.size());
        int[] firstIndices = new int[n];
        for (int i = 0; i < n; i++) {
            firstIndices[i] = i;
        }
        Dataset ds = Datasets.subset(all, firstIndices);
        Files.createDirectories(output);
        boolean classes = ds.targetKind() == TargetKind.CLASS_MAP;
        DataLoader.Options options = DataLoader.Options.of(64).withWorkers(workers);
        if (resize != null) {
            options = options.withTransform(Transforms.resize(resize, resize));
        }
        Sample first = resize == null ? ds.get(0) : Transforms.resize(resize, resize).apply(ds.get(0),
                new org.fcn4j.tensor.Generator(0));
        int[] inShape = prepend(n, first.input().shape());
        int[] tShape = prepend(n, first.target().shape());

        // Steps: headers, then values batch by batch in dataset order, then the side files.
        Path inputs = output.resolve("inputs.npy");
        Path targets = output.resolve("targets.npy");
        try (OutputStream in = new BufferedOutputStream(Files.newOutputStream(inputs), 1 << 16);
                OutputStream tg = new BufferedOutputStream(Files.newOutputStream(targets), 1 << 16);
                DataLoader loader = new DataLoader(ds, options)) {
            Npy.writeHeader(in, NdArray.DType.FLOAT32, inShape);
            Npy.writeHeader(tg, classes ? NdArray.DType.UINT8 : NdArray.DType.FLOAT32, tShape);
            for (Batch b : loader.epoch(0)) {
                in.write(littleEndian(b.inputs().data()));
                if (classes) {
                    int[] c = b.targetClasses();
                    byte[] bytes = new byte[c.length];
                    for (int i = 0; i < c.length; i++) {
                        if (c[i] < 0 || c[i] > 255) {
                            throw new IllegalStateException("class " + c[i] + " does not fit in uint8");
                        }
                        bytes[i] = (byte) c[i];
                    }
                    tg.write(bytes);
                } else {
                    tg.write(littleEndian(b.targets().data()));
                }
            }
        }
        if (classes) {
            Files.write(output.resolve("classes.txt"), ds.classNames());
        }
        if (all instanceof CellsDataset cells) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output.resolve("clean.npy")))) {
                Npy.writeHeader(out, NdArray.DType.FLOAT32, inShape);
                for (int i = 0; i < n; i++) {
                    out.write(littleEndian(cells.clean(i).data()));
                }
            }
        }
        System.out.println("wrote " + n + " samples of " + name + " (" + split + ") to " + output + ": inputs.npy "
                + org.fcn4j.tensor.Shape.str(inShape) + " float32, targets.npy " + org.fcn4j.tensor.Shape.str(tShape)
                + (classes ? " uint8 (255 = ignored), classes.txt" : " float32")
                + (all instanceof CellsDataset ? ", clean.npy" : ""));
        return 0;
    }

    private static int[] prepend(int n, int[] shape) {
        int[] out = new int[shape.length + 1];
        out[0] = n;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
