package org.fcn4j.cli;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.fcn4j.data.Batch;
import org.fcn4j.data.DataLoader;
import org.fcn4j.data.Dataset;
import org.fcn4j.data.Datasets;
import org.fcn4j.data.Transforms;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fcn4j bench data}: loading throughput of a built-in dataset through {@link DataLoader}
 * (shuffled, batches of 32 by default), with loader threads against the reference of loading in
 * the consuming thread, measured in the same run.
 */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Measure data loading throughput (images/s) with loader threads against loading in the caller.")
final class DataBenchCommand implements Callable<Integer> {
    private static final int RUNS = 3;

    @Option(names = "--dataset", paramLabel = "NAME", defaultValue = "fashion-scenes",
            description = "Built-in dataset (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "Loader threads measured (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--prefetch", paramLabel = "N", description = "Batches in flight with loader threads (default: the loader's, "
            + "2 per thread).")
    Integer prefetch;

    @Option(names = "--batches", paramLabel = "N", defaultValue = "500",
            description = "Batches timed per configuration (default: ${DEFAULT-VALUE}).")
    int batches;

    @Option(names = "--augment", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Apply random flips and 90-degree rotations, as training would (default: ${DEFAULT-VALUE}).")
    boolean augment;

    @Override
    public Integer call() {
        if (workers < 1 || batch < 1 || batches < 1) {
            throw new IllegalArgumentException("--workers, --batch and --batches must be at least 1");
        }
        Dataset ds = Datasets.open(name, "train", 0);

        // The JIT needs a few thousand batches before the numbers settle, and the machine may be
        // shared, so both configurations are warmed up, then timed alternately three times, and the
        // median run of each is reported.
        System.err.println("warming up...");
        for (int i = 0; i < 3; i++) {
            measure(ds, 0, batches);
            measure(ds, workers, batches);
        }
        double[][] reference = new double[RUNS][];
        double[][] threaded = new double[RUNS][];
        for (int r = 0; r < RUNS; r++) {
            reference[r] = measure(ds, 0, batches);
            threaded[r] = measure(ds, workers, batches);
        }
        double[] ref = median(reference);
        double[] thr = median(threaded);
        System.out.printf(Locale.ROOT, "dataset %s, batch %d, %s, %d batches per run, median of %d runs, %d cores "
                + "available%n", name, batch, augment ? "shuffled, flips and rotations" : "shuffled, no augmentation",
                batches, RUNS, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "  loading in the caller (reference): %8.0f images/s, %.2f cores busy%n",
                ref[0], ref[1]);
        System.out.printf(Locale.ROOT, "  %d loader threads:                  %8.0f images/s, %.2f cores busy, %.2fx "
                + "the reference%n", workers, thr[0], thr[1], thr[0] / ref[0]);
        return 0;
    }

    /** Returns the run with the median throughput. */
    private static double[] median(double[][] runs) {
        double[][] sorted = runs.clone();
        java.util.Arrays.sort(sorted, java.util.Comparator.comparingDouble(r -> r[0]));
        return sorted[sorted.length / 2];
    }

    /** Returns {images per second, process CPU seconds per wall second}. */
    private double[] measure(Dataset ds, int threads, int count) {
        DataLoader.Options o = DataLoader.Options.of(batch).shuffled(1).withDropLast(true).withWorkers(threads);
        if (prefetch != null && threads > 0) {
            o = o.withPrefetch(prefetch);
        }
        if (augment) {
            o = o.withTransform(Transforms.compose(Transforms.horizontalFlip(0.5), Transforms.verticalFlip(0.5),
                    Transforms.randomRotate90()));
        }

        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long images = 0;
        double checksum = 0;
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        try (DataLoader loader = new DataLoader(ds, o)) {
            int epoch = 0;
            while (images < (long) count * batch) {
                for (Batch b : loader.epoch(epoch++)) {
                    checksum += b.inputs().data()[0];
                    images += b.size();
                    if (images >= (long) count * batch) {
                        break;
                    }
                }
            }
        }
        long t1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();

        // Using the checksum keeps the loaded values observable, so the JIT cannot drop the loads.
        if (checksum < 0) {
            System.err.println("negative checksum " + checksum);
        }
        double seconds = (t1 - t0) * 1e-9;
        return new double[] {images / seconds, (cpu1 - cpu0) * 1e-9 / seconds};
    }
}
