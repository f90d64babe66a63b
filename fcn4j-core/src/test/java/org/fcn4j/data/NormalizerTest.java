package org.fcn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Per-channel standardisation and min-max scaling, fitted on the training split only. */
class NormalizerTest {

    /** A field dataset whose inputs are the given images. */
    static Dataset images(List<Tensor> inputs) {
        return new Dataset() {
            @Override
            public int size() {
                return inputs.size();
            }

            @Override
            public Sample get(int index) {
                Tensor in = inputs.get(index);
                return new Sample(in, in.copy());
            }

            @Override
            public TargetKind targetKind() {
                return TargetKind.FIELD;
            }
        };
    }

    @Test
    void heldOutValueUsesTrainingStatisticsOnly() {
        Tensor train = Tensor.of(new float[] {0, 2}, 1, 1, 2);
        Normalizer n = Normalizer.fit(images(List.of(train)), Normalizer.Mode.STANDARD);
        assertEquals(1.0, n.mean()[0], 0);
        assertEquals(1.0, n.std()[0], 0, "population standard deviation of [0, 2]");
        Tensor heldOut = Tensor.of(new float[] {10}, 1, 1, 1);
        assertEquals(9f, n.transform(heldOut).item());
        Normalizer restored = Normalizer.fromMap(n.toMap());
        assertEquals(9f, restored.transform(heldOut).item(), "after the key-value round trip");
        assertEquals(10f, restored.inverse(restored.transform(heldOut)).item());

        // As a model file stores it: a JSON object, read back as objects.
        Normalizer fromJson = Normalizer.fromMap(org.fcn4j.io.Json.parseObject(org.fcn4j.io.Json.write(n.toMap())));
        assertEquals(n.toMap(), fromJson.toMap(), "after the JSON round trip");
    }

    @Test
    void constantChannelsScaleToZeros() {
        for (float value : new float[] {0f, 1e6f, -3.5e7f, 1e-30f}) {
            Tensor img = Tensor.full(value, 1, 2, 2);
            for (Normalizer.Mode mode : Normalizer.Mode.values()) {
                Normalizer n = Normalizer.fit(images(List.of(img)), mode);
                float[] out = n.transform(img).data();
                assertArrayEquals(new float[4], out, mode + " of a constant " + value + " image");
                assertEquals(value, n.inverse(n.transform(img)).data()[0], mode + " inverse of " + value);
            }
        }
    }

    @Test
    void nearlyConstantLargeChannelDoesNotExplode() {
        // float32 values 1e6 and the next float up: their spread is rounding noise.
        Tensor img = Tensor.of(new float[] {1e6f, Math.nextUp(1e6f), 1e6f, 1e6f}, 1, 2, 2);
        Normalizer n = Normalizer.fit(images(List.of(img)), Normalizer.Mode.MIN_MAX);
        for (float v : n.transform(img).data()) {
            assertTrue(Math.abs(v) < 1, "guarded output " + v);
        }
    }

    @Test
    void minMaxMapsTrainingRangeToUnitInterval() {
        Tensor a = Tensor.of(new float[] {2, 4, 10, 20, 30, 40}, 2, 1, 3);
        Normalizer n = Normalizer.fit(images(List.of(a)), Normalizer.Mode.MIN_MAX);
        assertArrayEquals(new float[] {0, 0.25f, 1, 0, 0.5f, 1}, n.transform(a).data(), 1e-6f);
        Tensor batch = Tensor.of(new float[] {6, 6, 6, 25, 25, 25, 2, 2, 2, 40, 40, 40}, 2, 2, 1, 3);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.25f, 0.25f, 0.25f, 0, 0, 0, 1, 1, 1},
                n.transform(batch).data(), 1e-6f, "a batch (N, C, H, W)");
    }

    @Test
    void streamingFitMatchesTwoPassInDoubleEvenWithLargeMean() {
        Generator rng = new Generator(7);
        int images = 50;
        int plane = 64;
        double[] all = new double[images * plane];
        Normalizer.Fitter f = Normalizer.fitter(Normalizer.Mode.STANDARD, 1, null);
        for (int i = 0; i < images; i++) {
            float[] d = new float[plane];
            for (int k = 0; k < plane; k++) {
                d[k] = (float) (1e4 + 0.01 * rng.nextGaussian());
                all[i * plane + k] = d[k];
            }
            f.add(Tensor.of(d, 1, 8, 8));
        }
        double mean = 0;
        for (double v : all) {
            mean += v;
        }
        mean /= all.length;
        double m2 = 0;
        for (double v : all) {
            m2 += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(m2 / all.length);
        Normalizer n = f.finish();
        assertEquals(mean, n.mean()[0], 1e-9 * Math.abs(mean));
        assertEquals(std, n.std()[0], 1e-9 * std, "std of values 1e4 +- 0.01");
    }

    @Test
    void mergedFittersEqualOneFitter() {
        Generator rng = new Generator(3);
        Normalizer.Fitter whole = Normalizer.fitter(Normalizer.Mode.STANDARD, 2, null);
        Normalizer.Fitter a = Normalizer.fitter(Normalizer.Mode.STANDARD, 2, null);
        Normalizer.Fitter b = Normalizer.fitter(Normalizer.Mode.STANDARD, 2, null);
        for (int i = 0; i < 10; i++) {
            Tensor t = Tensor.randn(rng, 2, 3, 5).mul(i + 1f).add(i);
            whole.add(t);
            (i < 4 ? a : b).add(t);
        }
        Normalizer w = whole.finish();
        Normalizer m = a.merge(b).finish();
        for (int c = 0; c < 2; c++) {
            assertEquals(w.mean()[c], m.mean()[c], 1e-12, "mean channel " + c);
            assertEquals(w.std()[c], m.std()[c], 1e-12, "std channel " + c);
            assertEquals(w.min()[c], m.min()[c], 0, "min channel " + c);
            assertEquals(w.max()[c], m.max()[c], 0, "max channel " + c);
        }
    }

    @Test
    void ignoredFillValueAndNaN() {
        Tensor t = Tensor.of(new float[] {-9999, 1, 3, -9999}, 1, 2, 2);
        Normalizer n = Normalizer.fit(images(List.of(t)), Normalizer.Mode.STANDARD, -9999f);
        assertEquals(2.0, n.mean()[0], 0);
        assertEquals(1.0, n.std()[0], 0);
        assertArrayEquals(new float[] {0, -1, 1, 0}, n.transform(t).data());

        Tensor withNaN = Tensor.of(new float[] {Float.NaN, 0, 4, Float.NaN}, 1, 2, 2);
        Normalizer nn = Normalizer.fit(images(List.of(withNaN)), Normalizer.Mode.MIN_MAX, Float.NaN);
        assertArrayEquals(new float[] {0, 0, 1, 0}, nn.transform(withNaN).data());
        assertEquals("NaN", nn.toMap().get("ignore"));
        assertArrayEquals(new float[] {0, 0, 1, 0}, Normalizer.fromMap(nn.toMap()).transform(withNaN).data(),
                "NaN stays ignored after the key-value round trip");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Normalizer.fit(images(List.of(withNaN)), Normalizer.Mode.STANDARD));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void ignoredTargetValuesBecomeNaN() {
        Tensor t = Tensor.of(new float[] {-9999, 1, 3, -9999}, 1, 2, 2);
        Normalizer n = Normalizer.fitTargets(images(List.of(t)), Normalizer.Mode.STANDARD, -9999f);
        float[] out = n.transformTarget(t).data();
        assertTrue(Float.isNaN(out[0]), "missing value stays visible to the loss");
        assertEquals(-1f, out[1]);
        assertEquals(1f, out[2]);
        try (DataLoader loader = new DataLoader(images(List.of(t)), DataLoader.Options.of(1)
                .withTargetNormalizer(n))) {
            float[] target = loader.batch(0, 0).targets().data();
            assertTrue(Float.isNaN(target[3]), "the loader keeps ignored target values as NaN");
            assertEquals(1f, target[2]);
        }
    }

    @Test
    void keyValueFormRoundTripsExactly() {
        Tensor t = Tensor.randn(new Generator(1), 3, 4, 4).mul(1.7f).add(0.3f);
        Normalizer n = Normalizer.fit(images(List.of(t)), Normalizer.Mode.STANDARD);
        Map<String, String> m = n.toMap();
        assertEquals("standard", m.get("mode"));
        assertEquals("3", m.get("channels"));
        Normalizer back = Normalizer.fromMap(m);
        assertArrayEquals(n.mean(), back.mean(), 0);
        assertArrayEquals(n.std(), back.std(), 0);
        assertArrayEquals(n.transform(t).data(), back.transform(t).data(), 0f);
        assertFalse(m.containsKey("ignore"));
    }

    @Test
    void malformedMapsAreRejected() {
        Map<String, String> good = Normalizer.fit(images(List.of(Tensor.ones(2, 1, 1))), Normalizer.Mode.MIN_MAX)
                .toMap();
        java.util.HashMap<String, String> missing = new java.util.HashMap<>(good);
        missing.remove("min");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Normalizer.fromMap(missing)).getMessage()
                .contains("'min' is missing"));
        java.util.HashMap<String, String> short1 = new java.util.HashMap<>(good);
        short1.put("max", "1.0");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Normalizer.fromMap(short1)).getMessage()
                .contains("has 1 values, expected 2"));
    }

    @Test
    void wrongChannelCountIsRejected() {
        Normalizer n = Normalizer.fit(images(List.of(Tensor.ones(3, 2, 2))), Normalizer.Mode.STANDARD);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> n.transform(Tensor.ones(1, 2, 2)));
        assertTrue(e.getMessage().contains("expected (3, H, W)"), e.getMessage());
        assertTrue(e.getMessage().contains("(1, 2, 2)"), e.getMessage());
    }
}
