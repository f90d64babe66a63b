package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(2 x 2, 3 x 3) against the convolution summed in double precision. The cases are random
 * batch sizes and channels, paddings 0 to 2 (uneven too), even and odd output sizes (the last tile
 * row and column cut), and enough tiles for several blocks. Each output must be within 1e-5 of the
 * reference relative to the sum of the magnitudes of its products. Conv2d takes this path only
 * when it records no gradient.
 */
class WinogradTest {

    @Test
    void matchesDirectConvolution() {
        Generator rng = new Generator(41);
        for (int t = 0; t < 40; t++) {
            int n = 1 + rng.nextInt(3);
            int c = 1 + rng.nextInt(80);
            int f = 1 + rng.nextInt(40);
            int pt = rng.nextInt(3);
            int pl = rng.nextInt(3);
            int pb = t % 3 == 0 ? rng.nextInt(3) : pt;
            int pr = t % 3 == 0 ? rng.nextInt(3) : pl;
            int h = 3 + rng.nextInt(40);
            int w = Math.max(3, 16 - pl - pr + 2 + rng.nextInt(60));
            int p = h + pt + pb - 2;
            int q = w + pl + pr - 2;
            ConvGeometry g = new ConvGeometry(n, c, h, w, f, 1, 3, 3, 1, 1, pt, pl, 1, 1, p, q);
            String name = "conv " + c + " -> " + f + ", padding (" + pt + ", " + pb + ", " + pl + ", " + pr + "), "
                    + n + " images of " + h + "x" + w;
            boolean wide = q >= ConvKernel.MIN_IMPLICIT_WIDTH && c >= Winograd.MIN_CHANNELS;
            boolean narrow = q >= Winograd.NARROW_MIN_WIDTH && c >= Winograd.NARROW_MIN_CHANNELS
                    && 16L * f * c <= Winograd.NARROW_MAX_WEIGHTS;
            assertEquals(wide || narrow, Winograd.applies(g), name + ": path taken");

            float[] x = Tensor.randn(rng, n, c, h, w).data();
            float[] wt = Tensor.randn(rng, f, c, 3, 3).data();
            float[] y = new float[n * f * p * q];
            java.util.Arrays.fill(y, Float.NaN);
            Winograd.forward(x, wt, y, g);
            for (int i = 0; i < n; i++) {
                for (int fo = 0; fo < f; fo++) {
                    for (int oh = 0; oh < p; oh++) {
                        for (int ow = 0; ow < q; ow++) {
                            double sum = 0;
                            double mag = 0;
                            for (int ci = 0; ci < c; ci++) {
                                for (int kr = 0; kr < 3; kr++) {
                                    for (int ks = 0; ks < 3; ks++) {
                                        int ih = oh - pt + kr;
                                        int iw = ow - pl + ks;
                                        if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                            double v = (double) x[((i * c + ci) * h + ih) * w + iw]
                                                    * wt[((fo * c + ci) * 3 + kr) * 3 + ks];
                                            sum += v;
                                            mag += Math.abs(v);
                                        }
                                    }
                                }
                            }
                            float got = y[((i * f + fo) * p + oh) * q + ow];
                            assertTrue(Math.abs(got - sum) <= 1e-5 * mag + 1e-6, name + ": output (" + i + ", " + fo
                                    + ", " + oh + ", " + ow + ") is " + got + ", expected " + sum);
                        }
                    }
                }
            }
        }
    }

    @Test
    void narrowOutputsNeedManyChannels() {
        assertTrue(Winograd.applies(same(256, 128, 8)), "256 -> 128 channels on 8 x 8");
        assertFalse(Winograd.applies(same(128, 128, 8)), "128 -> 128 channels on 8 x 8");
        assertFalse(Winograd.applies(same(512, 512, 8)), "512 -> 512 channels on 8 x 8: too many weights");
        assertFalse(Winograd.applies(same(512, 4, 4)), "512 channels on 4 x 4");
        assertTrue(Winograd.applies(same(512, 512, 16)), "512 -> 512 channels on 16 x 16");
        assertTrue(Winograd.applies(same(32, 4, 16)), "32 channels on 16 x 16");
        assertFalse(Winograd.applies(same(16, 4, 64)), "16 channels on 64 x 64");
    }

    // A 3 x 3 "same" convolution of 2 images of size x size from c to f channels.
    private static ConvGeometry same(int c, int f, int size) {
        return new ConvGeometry(2, c, size, size, f, 1, 3, 3, 1, 1, 1, 1, 1, 1, size, size);
    }

    @Test
    void conv2dUsesItOnlyWithoutGradient() {
        Generator rng = new Generator(42);
        Conv2d conv = new Conv2d(64, 5, 3, Conv2d.options().padding(1).bias(false), rng);
        Tensor x = Tensor.randn(rng, 2, 64, 20, 20);
        ConvGeometry g = new ConvGeometry(2, 64, 20, 20, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 20, 20);
        assertTrue(Winograd.applies(g));
        float[] winograd = new float[2 * 5 * 400];
        Winograd.forward(x.data(), conv.weight().data(), winograd, g);
        float[] exact = new float[winograd.length];
        ConvKernel.forward(x.data(), conv.weight().data(), exact, g, false);
        assertFalse(java.util.Arrays.equals(winograd, exact), "the two paths should round differently here");

        assertTrue(java.util.Arrays.equals(exact, conv.forward(x).data()), "training forward is the exact path");
        try (var _ = GradMode.noGrad()) {
            assertTrue(java.util.Arrays.equals(winograd, conv.forward(x).data()), "forward without gradient");
        }
    }

    @Test
    void largeImagesOneAtATimeMatchSingleImages() {
        Generator rng = new Generator(43);
        ConvGeometry g = new ConvGeometry(2, 6, 64, 64, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 64, 64);
        ConvGeometry image = new ConvGeometry(1, 6, 64, 64, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 64, 64);
        assertTrue(ConvKernel.perImage(g));
        float[] x = Tensor.randn(rng, 2, 6, 64, 64).data();
        float[] w = Tensor.randn(rng, 4, 6, 3, 3).data();
        float[] y = new float[2 * 4 * 4096];
        Winograd.forward(x, w, y, g);
        for (int i = 0; i < 2; i++) {
            float[] yi = new float[4 * 4096];
            Winograd.forward(java.util.Arrays.copyOfRange(x, i * 6 * 4096, (i + 1) * 6 * 4096), w, yi, image);
            for (int j = 0; j < yi.length; j++) {
                assertEquals(Float.floatToIntBits(yi[j]), Float.floatToIntBits(y[i * yi.length + j]),
                        "image " + i + ", element " + j);
            }
        }
    }

    @Test
    void largeImagesSpreadOverThreadsKeepBits() {
        // 64 x 64 outputs run image by image, spread over the threads when 4 images divide among
        // them. Each output must have the same bits as with one thread.
        Generator rng = new Generator(43);
        ConvGeometry g = new ConvGeometry(4, 32, 64, 64, 6, 1, 3, 3, 1, 1, 1, 1, 1, 1, 64, 64);
        assertTrue(ConvKernel.perImage(g), "64 x 64 outputs run image by image");
        float[] x = Tensor.randn(rng, 4, 32, 64, 64).data();
        float[] w = Tensor.randn(rng, 6, 32, 3, 3).data();
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] one = new float[4 * 6 * 4096];
            Winograd.forward(x, w, one, g);
            Parallel.setThreads(2);
            assertTrue(ConvKernel.splitsImages(4), "4 images divide among 2 threads");
            float[] two = new float[one.length];
            Winograd.forward(x, w, two, g);
            for (int i = 0; i < one.length; i++) {
                assertEquals(Float.floatToIntBits(one[i]), Float.floatToIntBits(two[i]), "output " + i);
            }
            float[] exact = new float[one.length];
            ConvKernel.forward(x, w, exact, g, false);
            Approx.assertClose("Winograd against the exact product", exact, two, 1e-3, 1e-4);
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
