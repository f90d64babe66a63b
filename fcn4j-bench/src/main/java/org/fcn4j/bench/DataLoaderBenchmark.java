package org.fcn4j.bench;

import java.util.concurrent.TimeUnit;

import org.fcn4j.data.Batch;
import org.fcn4j.data.DataLoader;
import org.fcn4j.data.Dataset;
import org.fcn4j.data.Datasets;
import org.fcn4j.data.Transforms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of loading fashion-scenes training images in shuffled, augmented batches of 32, in
 * images per second (one operation is one image), with 0 loader threads (loading in the caller)
 * or 2. Run from the repository root, so the Fashion-MNIST files in data/ are found:
 * {@code java -jar fcn4j-bench/target/benchmarks.jar DataLoaderBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class DataLoaderBenchmark {
    private static final int BATCH = 32;
    private static final int BATCHES = 50;

    @Param({"0", "2"})
    int workers;

    DataLoader loader;
    int epoch;

    @Setup(Level.Trial)
    public void setUp() {
        Dataset train = Datasets.open("fashion-scenes", "train", 0);
        loader = new DataLoader(train, DataLoader.Options.of(BATCH).shuffled(1).withDropLast(true)
                .withWorkers(workers).withTransform(Transforms.compose(Transforms.horizontalFlip(0.5),
                        Transforms.verticalFlip(0.5), Transforms.randomRotate90())));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loader.close();
    }

    /** Loads the first 50 batches of a new epoch: 1,600 images. */
    @Benchmark
    @OperationsPerInvocation(BATCH * BATCHES)
    public float loadImages() {
        float checksum = 0;
        int n = 0;
        for (Batch b : loader.epoch(epoch++)) {
            checksum += b.inputs().data()[0];
            if (++n == BATCHES) {
                break;
            }
        }
        return checksum;
    }
}
