package org.fcn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Batching, seeded shuffling, drop_last, resume, and independence from the loader thread count. */
class DataLoaderTest {

    /** Sample i: input (2, 4, 4) filled with i and i + 0.5, class map of i % 5 plus a position code. */
    static Dataset counting(int n) {
        return new Dataset() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public Sample get(int index) {
                checkIndex(index);
                float[] in = new float[32];
                Arrays.fill(in, 0, 16, index);
                Arrays.fill(in, 16, 32, index + 0.5f);
                for (int k = 0; k < 16; k++) {
                    in[k] += k * 1e-3f;
                }
                float[] t = new float[16];
                for (int k = 0; k < 16; k++) {
                    t[k] = (index + k) % 5;
                }
                return new Sample(Tensor.of(in, 2, 4, 4), Tensor.of(t, 4, 4));
            }

            @Override
            public TargetKind targetKind() {
                return TargetKind.CLASS_MAP;
            }

            @Override
            public int numClasses() {
                return 5;
            }
        };
    }

    private static List<Batch> all(DataLoader loader, int epoch) {
        List<Batch> out = new ArrayList<>();
        for (Batch b : loader.epoch(epoch)) {
            out.add(b);
        }
        return out;
    }

    private static void assertSameBatches(String what, List<Batch> a, List<Batch> b) {
        assertEquals(a.size(), b.size(), what + ": batch count");
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).indices(), b.get(i).indices(), what + ": indices of batch " + i);
            assertArrayEquals(a.get(i).inputs().shape(), b.get(i).inputs().shape(), what + ": input shape " + i);
            assertArrayEquals(a.get(i).inputs().data(), b.get(i).inputs().data(), what + ": inputs of batch " + i);
            assertArrayEquals(a.get(i).targets().data(), b.get(i).targets().data(), what + ": targets of batch " + i);
        }
    }

    @Test
    void batchesHaveStackedShapesAndRows() {
        try (DataLoader loader = new DataLoader(counting(10), DataLoader.Options.of(4))) {
            List<Batch> batches = all(loader, 0);
            assertEquals(3, batches.size());
            assertEquals(3, loader.batchesPerEpoch());
            assertArrayEquals(new int[] {4, 2, 4, 4}, batches.get(0).inputs().shape());
            assertArrayEquals(new int[] {4, 4, 4}, batches.get(0).targets().shape());
            assertArrayEquals(new int[] {2, 2, 4, 4}, batches.get(2).inputs().shape(), "last partial batch");
            assertArrayEquals(new int[] {8, 9}, batches.get(2).indices());
            assertEquals(9f, batches.get(2).inputs().get(1, 0, 0, 0));
            assertEquals(9.5f, batches.get(2).inputs().get(1, 1, 0, 0));
            assertEquals(4, batches.get(2).targetClasses()[16], "row 1, first pixel: (9 + 0) % 5");
        }
    }

    @Test
    void dropLastSkipsThePartialBatch() {
        try (DataLoader loader = new DataLoader(counting(10), DataLoader.Options.of(4).withDropLast(true))) {
            List<Batch> batches = all(loader, 0);
            assertEquals(2, batches.size());
            assertEquals(2, loader.batchesPerEpoch());
            for (Batch b : batches) {
                assertEquals(4, b.size());
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> new DataLoader(counting(3), DataLoader.Options.of(4).withDropLast(true)));
    }

    @Test
    void shuffleIsAPermutationThatDependsOnSeedAndEpoch() {
        DataLoader a = new DataLoader(counting(50), DataLoader.Options.of(8).shuffled(42));
        DataLoader b = new DataLoader(counting(50), DataLoader.Options.of(8).shuffled(42));
        DataLoader c = new DataLoader(counting(50), DataLoader.Options.of(8).shuffled(43));
        int[] e0 = a.order(0);
        int[] sorted = e0.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i], "epoch order is a permutation");
        }
        assertArrayEquals(e0, b.order(0), "same seed, same epoch");
        assertFalse(Arrays.equals(e0, a.order(1)), "another epoch reshuffles");
        assertFalse(Arrays.equals(e0, c.order(0)), "another seed reshuffles");
        assertArrayEquals(a.order(7), b.order(7), "any epoch can be recomputed, e.g. on resume");
        int[] seen = new int[50];
        for (Batch batch : a.epoch(3)) {
            for (int i : batch.indices()) {
                seen[i]++;
            }
        }
        int[] once = new int[50];
        Arrays.fill(once, 1);
        assertArrayEquals(once, seen, "every sample once per epoch");
    }

    @Test
    void sameBatchesWhateverTheThreadCount() {
        JointTransform aug = Transforms.compose(Transforms.randomCrop(3, 3), Transforms.randomRotate90(),
                Transforms.horizontalFlip(0.5));
        DataLoader.Options base = DataLoader.Options.of(5).shuffled(11).withTransform(aug);
        List<List<Batch>> runs = new ArrayList<>();
        for (int workers : new int[] {0, 1, 2, 3}) {
            for (int prefetch : new int[] {1, 4}) {
                try (DataLoader loader = new DataLoader(counting(23), base.withWorkers(workers)
                        .withPrefetch(prefetch))) {
                    List<Batch> epochs = new ArrayList<>(all(loader, 0));
                    epochs.addAll(all(loader, 1));
                    runs.add(epochs);
                }
            }
        }
        for (int r = 1; r < runs.size(); r++) {
            assertSameBatches("run " + r + " against the single-threaded run", runs.get(0), runs.get(r));
        }
    }

    @Test
    void augmentationDependsOnEpochAndIndexButNotOnPosition() {
        JointTransform aug = Transforms.compose(Transforms.randomCrop(2, 2), Transforms.randomRotate90());
        DataLoader loader = new DataLoader(counting(30), DataLoader.Options.of(30).shuffled(5).withTransform(aug));
        Batch e0 = loader.batch(0, 0);
        Batch e0again = loader.batch(0, 0);
        assertArrayEquals(e0.inputs().data(), e0again.inputs().data());
        Sample direct = loader.sample(0, 17);
        int row = -1;
        int[] idx = e0.indices();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] == 17) {
                row = i;
            }
        }
        float[] fromBatch = Arrays.copyOfRange(e0.inputs().data(), row * 8, row * 8 + 8);
        assertArrayEquals(direct.input().data(), fromBatch, "sample 17 in the batch equals sample(0, 17)");
        assertNotEquals(Arrays.toString(loader.sample(0, 17).input().data()) + loader.sample(0, 18),
                Arrays.toString(loader.sample(1, 17).input().data()) + loader.sample(1, 18),
                "epoch 1 draws other augmentations");
    }

    @Test
    void resumedEpochSeesTheSameRemainingBatches() {
        DataLoader.Options o = DataLoader.Options.of(4).shuffled(9).withWorkers(2)
                .withTransform(Transforms.horizontalFlip(0.5));
        try (DataLoader full = new DataLoader(counting(18), o); DataLoader resumed = new DataLoader(counting(18), o)) {
            List<Batch> all = all(full, 2);
            List<Batch> tail = new ArrayList<>();
            for (Batch b : resumed.epoch(2, 3)) {
                tail.add(b);
            }
            assertSameBatches("batches 3.. of epoch 2", all.subList(3, all.size()), tail);
        }
    }

    @Test
    void normalizerIsAppliedToInputs() {
        Normalizer n = Normalizer.fit(counting(10), Normalizer.Mode.MIN_MAX);
        try (DataLoader loader = new DataLoader(counting(10), DataLoader.Options.of(10).withInputNormalizer(n))) {
            float[] in = loader.batch(0, 0).inputs().data();
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float v : in) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertEquals(0f, min, 1e-6f);
            assertEquals(1f, max, 1e-6f);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DataLoader(counting(4),
                DataLoader.Options.of(2).withTargetNormalizer(n)));
        assertTrue(e.getMessage().contains("class-map"), e.getMessage());
    }

    @Test
    void loaderErrorsReachTheConsumer() {
        Dataset broken = new Dataset() {
            @Override
            public int size() {
                return 6;
            }

            @Override
            public Sample get(int index) {
                if (index == 4) {
                    throw new IllegalStateException("sample 4 is unreadable");
                }
                return counting(6).get(index);
            }

            @Override
            public TargetKind targetKind() {
                return TargetKind.CLASS_MAP;
            }
        };
        try (DataLoader loader = new DataLoader(broken, DataLoader.Options.of(2).withWorkers(2))) {
            DataLoader.Epoch epoch = loader.epoch(0);
            epoch.next();
            epoch.next();
            IllegalStateException e = assertThrows(IllegalStateException.class, epoch::next);
            assertEquals("sample 4 is unreadable", e.getMessage());
            assertFalse(epoch.hasNext(), "a failed epoch is closed");
        }
    }

    @Test
    void mixedSampleSizesAreReportedWithIndices() {
        Dataset mixed = new Dataset() {
            @Override
            public int size() {
                return 2;
            }

            @Override
            public Sample get(int index) {
                int s = 3 + index;
                return new Sample(Tensor.zeros(1, s, s), Tensor.zeros(s, s));
            }

            @Override
            public TargetKind targetKind() {
                return TargetKind.CLASS_MAP;
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new DataLoader(mixed, DataLoader.Options.of(2)).batch(0, 0));
        assertTrue(e.getMessage().contains("sample 1"), e.getMessage());
        assertTrue(e.getMessage().contains("(1, 4, 4)"), e.getMessage());
    }

    @Test
    void loaderThreadsAreNamedAndSeparateFromComputePool() throws Exception {
        List<String> names = new ArrayList<>();
        Dataset spy = new Dataset() {
            @Override
            public int size() {
                return 4;
            }

            @Override
            public Sample get(int index) {
                synchronized (names) {
                    names.add(Thread.currentThread().getName());
                }
                return counting(4).get(index);
            }

            @Override
            public TargetKind targetKind() {
                return TargetKind.CLASS_MAP;
            }
        };
        try (DataLoader loader = new DataLoader(spy, DataLoader.Options.of(1).withWorkers(2))) {
            all(loader, 0);
        }
        for (String n : names) {
            assertTrue(n.startsWith("fcn4j-loader-"), "loaded on " + n);
        }
    }
}
