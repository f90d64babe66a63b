package org.fcn4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Forward values of the Tensor operations on small hand-checked cases, and their shape errors. */
class TensorForwardTest {

    private static Tensor range(int... shape) {
        float[] d = new float[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        return Tensor.of(d, shape);
    }

    /** Checks that a message names each part (for example both shapes of a mismatch), one assert per part. */
    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
        }
    }

    private static void assertShape(int[] expected, Tensor t) {
        assertArrayEquals(expected, t.shape(), "shape " + Shape.str(t.shape()));
    }

    @Test
    void creation() {
        assertArrayEquals(new float[] {2f, 2f, 2f}, Tensor.full(2f, 3).data());
        assertArrayEquals(new float[] {1f, 1f}, Tensor.ones(1, 2).data());
        assertEquals(0, Tensor.scalar(4f).dim());
        assertEquals(4f, Tensor.scalar(4f).item());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new float[5], 2, 3));
        assertEquals("data has 5 elements, shape (2, 3) needs 6", e.getMessage());

        Tensor a = Tensor.randn(new Generator(3), 4, 5);
        Tensor b = Tensor.randn(new Generator(3), 4, 5);
        assertArrayEquals(a.data(), b.data(), "same seed, same draws");
        Tensor u = Tensor.uniform(new Generator(4), -2f, 3f, 1000);
        for (float v : u.data()) {
            assertTrue(v >= -2f, "uniform draw " + v + " below -2");
            assertTrue(v < 3f, "uniform draw " + v + " not below 3");
        }
        double mean = Tensor.randn(new Generator(5), 20000).mean().item();
        assertEquals(0.0, mean, 0.03, "mean of 20000 standard normal draws");
    }

    @Test
    void broadcastArithmetic() {
        Tensor x = range(2, 3);
        Tensor row = Tensor.vector(10f, 20f, 30f);
        Tensor col = Tensor.of(new float[] {1f, 2f}, 2, 1);
        assertArrayEquals(new float[] {10f, 21f, 32f, 13f, 24f, 35f}, x.add(row).data());
        assertArrayEquals(new float[] {-1f, 0f, 1f, 1f, 2f, 3f}, x.sub(col).data());
        assertArrayEquals(new float[] {0f, 20f, 60f, 30f, 80f, 150f}, x.mul(row).data());
        assertArrayEquals(new float[] {0f, 1f, 2f, 1.5f, 2f, 2.5f}, x.div(col).data());
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, x.add(Tensor.scalar(1f)).data());
        assertShape(new int[] {2, 2, 3}, Tensor.zeros(2, 1, 3).add(Tensor.zeros(2, 1)));
        assertArrayEquals(new float[] {-1.5f, 1f, 3.5f}, Tensor.vector(-1f, 0f, 1f).mul(2.5f).add(1f).data());
        // Division by a float rounds as a true division: 0.3f / 3 and 0.3f * (1 / 3f) differ in the last bit.
        assertEquals(0.3f / 3f, Tensor.vector(0.3f).div(3f).item());
        assertTrue(0.3f / 3f != 0.3f * (1f / 3f), "the case above must tell the two roundings apart");
    }

    @Test
    void unaryValues() {
        Tensor x = Tensor.vector(-2f, 0f, 1f);
        assertArrayEquals(new float[] {0f, 0f, 1f}, x.relu().data());
        assertArrayEquals(new float[] {2f, 0f, 1f}, x.abs().data());
        assertArrayEquals(new float[] {4f, 0f, 1f}, x.square().data());
        assertArrayEquals(new float[] {-1f, 0f, 0.5f}, x.clamp(-1f, 0.5f).data());
        assertArrayEquals(new float[] {0.5f}, Tensor.vector(0f).sigmoid().data());
        assertArrayEquals(new float[] {1f, 0f}, Tensor.vector(1000f, -1000f).sigmoid().data(), "no overflow");
        assertArrayEquals(new float[] {3f}, Tensor.vector(9f).sqrt().data());
        assertArrayEquals(new float[] {8f}, Tensor.vector(2f).pow(3f).data());
        assertEquals(Math.tanh(0.5), Tensor.vector(0.5f).tanh().item(), 1e-7);
        assertEquals(Math.log(3.0), Tensor.vector(3f).log().item(), 1e-7);
        assertEquals(Math.exp(1.5), Tensor.vector(1.5f).exp().item(), 1e-6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.clamp(1f, 0f));
        assertEquals("clamp: min 1.0 is greater than max 0.0", e.getMessage());
    }

    @Test
    void reductionValues() {
        Tensor x = range(2, 3, 4);
        assertEquals(276f, x.sum().item());
        assertEquals(11.5f, x.mean().item());
        Tensor s = x.sum(new int[] {0, 2}, true);
        assertShape(new int[] {1, 3, 1}, s);
        assertArrayEquals(new float[] {60f, 92f, 124f}, s.data());
        Tensor m = x.mean(new int[] {-1}, false);
        assertShape(new int[] {2, 3}, m);
        assertArrayEquals(new float[] {1.5f, 5.5f, 9.5f, 13.5f, 17.5f, 21.5f}, m.data());
        Tensor mx = x.max(new int[] {1}, false);
        assertShape(new int[] {2, 4}, mx);
        assertArrayEquals(new float[] {8f, 9f, 10f, 11f, 20f, 21f, 22f, 23f}, mx.data());
        assertEquals(23f, x.max().item());

        Tensor v = Tensor.vector(1f, 2f, 3f, 4f);
        assertEquals(1.25f, v.var(new int[] {0}, false, false).item(), 1e-6f, "biased variance");
        assertEquals(5f / 3f, v.var(new int[] {0}, true, false).item(), 1e-6f, "unbiased variance");
        Tensor rows = range(2, 3).var(new int[] {1}, false, true);
        assertShape(new int[] {2, 1}, rows);
        assertArrayEquals(new float[] {2f / 3f, 2f / 3f}, rows.data(), 1e-6f);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> x.sum(new int[] {1, -2}, false));
        assertEquals("axis -2 listed twice in a reduction over shape (2, 3, 4)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.mean(new int[] {3}, false));
        assertEquals("axis 3 is out of range for a tensor of rank 3", e.getMessage());
    }

    @Test
    void matmulValues() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertArrayEquals(new float[] {58, 64, 139, 154}, a.matmul(b).data());

        Tensor batch = Tensor.concat(0, a.reshape(1, 2, 3), a.mul(2f).reshape(1, 2, 3));
        Tensor shared = batch.matmul(b);
        assertShape(new int[] {2, 2, 2}, shared);
        assertArrayEquals(new float[] {58, 64, 139, 154, 116, 128, 278, 308}, shared.data());

        Tensor bs = Tensor.concat(0, b.reshape(1, 3, 2), b.neg().reshape(1, 3, 2));
        Tensor both = batch.matmul(bs);
        assertShape(new int[] {2, 2, 2}, both);
        assertArrayEquals(new float[] {58, 64, 139, 154, -116, -128, -278, -308}, both.data());
    }

    @Test
    void matmulOddSizesMatchDoubleProduct() {
        Generator rng = new Generator(8);
        int[][] cases = {{97, 131, 67}, {1, 33, 17}, {31, 1, 7}, {15, 17, 513}};
        for (int[] mnk : cases) {
            int m = mnk[0];
            int n = mnk[1];
            int k = mnk[2];
            Tensor a = Tensor.uniform(rng, -1f, 1f, 3, m, k);
            Tensor b = Tensor.uniform(rng, -1f, 1f, 3, k, n);
            Tensor shared = Tensor.uniform(rng, -1f, 1f, k, n);
            checkAgainstDouble("batched " + m + " x " + n + " x " + k, a, b, true);
            checkAgainstDouble("shared right " + m + " x " + n + " x " + k, a, shared, false);
            checkAgainstDouble("2-D " + m + " x " + n + " x " + k, a.slice(0, 1, 2).reshape(m, k), shared, false);
        }
    }

    /** Compares a.matmul(b) with a double-precision product, within 1e-4 * (1 + |expected|). */
    private static void checkAgainstDouble(String what, Tensor a, Tensor b, boolean batchedB) {
        Tensor c = a.matmul(b);
        int[] sa = a.shape();
        int batch = sa.length == 3 ? sa[0] : 1;
        int m = sa[sa.length - 2];
        int k = sa[sa.length - 1];
        int n = b.size(-1);
        int[] expectedShape = sa.length == 3 ? new int[] {batch, m, n} : new int[] {m, n};
        assertArrayEquals(expectedShape, c.shape(), what + ": shape");
        float[] x = a.data();
        float[] y = b.data();
        for (int t = 0; t < batch; t++) {
            int bBase = batchedB ? t * k * n : 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double want = 0;
                    for (int p = 0; p < k; p++) {
                        want += (double) x[t * m * k + i * k + p] * y[bBase + p * n + j];
                    }
                    float got = c.data()[t * m * n + i * n + j];
                    if (!(Math.abs(got - want) <= 1e-4 * (1 + Math.abs(want)))) {
                        throw new AssertionError(what + ": C[" + t + "][" + i + "][" + j + "] = " + got + ", expected "
                                + want);
                    }
                }
            }
        }
    }

    @Test
    void layoutValues() {
        Tensor x = range(2, 3);
        Tensor r = x.reshape(3, -1);
        assertShape(new int[] {3, 2}, r);
        assertSame(x.data(), r.data(), "reshape is a view");
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, x.transpose().data());
        Tensor p = range(2, 3, 4).permute(2, 0, 1);
        assertShape(new int[] {4, 2, 3}, p);
        assertEquals(range(2, 3, 4).get(1, 2, 3), p.get(3, 1, 2));
        Tensor c = Tensor.concat(1, x, Tensor.full(9f, 2, 1));
        assertArrayEquals(new float[] {0, 1, 2, 9, 3, 4, 5, 9}, c.data());
        assertArrayEquals(new float[] {1, 2, 4, 5}, x.slice(1, 1, 3).data());
        assertArrayEquals(new float[] {3, 4, 5}, x.slice(0, 1, 2).data());
        assertShape(new int[] {2, 0}, x.slice(1, 2, 2));
    }

    @Test
    void shapeErrorsNameBothShapes() {
        Tensor a = Tensor.zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.zeros(4, 3)));
        assertContains(e.getMessage(), "(2, 3)", "(4, 3)");

        e = assertThrows(IllegalArgumentException.class, () -> a.matmul(Tensor.zeros(2, 3)));
        assertEquals("matmul: inner dimensions differ, got (2, 3) x (2, 3)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 1)));
        assertContains(e.getMessage(), "(2, 2, 3)", "(3, 3, 1)");
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(3, 1)));
        assertTrue(e.getMessage().contains("(3,) x (3, 1)"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Tensor.concat(1, a, Tensor.zeros(3, 3)));
        assertContains(e.getMessage(), "(3, 3)", "(2, 3)");

        e = assertThrows(IllegalArgumentException.class, () -> a.reshape(4, -1));
        assertEquals("reshape: cannot view shape (2, 3) (6 elements) as (4, -1)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.slice(1, 2, 5));
        assertEquals("slice [2, 5) is outside [0, 3] on axis 1 of shape (2, 3)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.permute(0, 0));
        assertTrue(e.getMessage().contains("axis 0 appears twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.permute(0));
        assertTrue(e.getMessage().contains("shape (2, 3)"), e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class, a::item);
        assertTrue(s.getMessage().contains("(2, 3)"), s.getMessage());
    }
}
