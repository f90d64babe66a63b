package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.kernel.Parallel;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.junit.jupiter.api.Test;

/**
 * ConvKernel's implicit products (the padded input read in place) against its im2col products on
 * random geometries. They cover unit and double height stride, dilations, zero to full padding,
 * uneven "same" padding, 1 x 1 kernels with padding, and images of one and several rows. The
 * forward pass must equal the im2col one bit for bit, because it sums the same products in the
 * same order. The input gradient, computed as a convolution with the flipped kernel, sums in
 * another order and must agree within float rounding. So must the weight gradient, a product of
 * rows of dy with rows of the padded input. All accumulate into their output.
 */
class ConvImplicitTest {

    @Test
    void implicitProductsMatchIm2col() {
        Generator rng = new Generator(31);
        int backwardChecked = 0;
        for (int t = 0; t < 60; t++) {
            int n = 1 + rng.nextInt(3);
            int c = 1 + rng.nextInt(6);
            int f = 1 + rng.nextInt(40);
            int kh = 1 + rng.nextInt(4);
            int kw = 1 + rng.nextInt(4);
            int sh = t % 3 == 0 ? 2 : 1;
            int dh = 1 + rng.nextInt(2);
            int dw = 1 + rng.nextInt(2);
            int ph = rng.nextInt(dh * (kh - 1) + 2);
            int pw = rng.nextInt(dw * (kw - 1) + 2);
            int extraBottom = t % 4 == 1 ? 1 : 0; // "same" with an even kernel pads one more at the bottom
            int h = Math.max(dh * (kh - 1) + 1, 1 + rng.nextInt(40));
            int w = Math.max(dw * (kw - 1) + 1, 1 + rng.nextInt(70));
            int p = ConvGeometry.outputSize(h, 2 * ph + extraBottom, kh, sh, dh);
            int q = ConvGeometry.outputSize(w, 2 * pw, kw, 1, dw);
            ConvGeometry g = new ConvGeometry(n, c, h, w, f, 1, kh, kw, sh, 1, ph, pw, dh, dw, p, q);
            String name = "conv " + c + " -> " + f + ", kernel " + kh + "x" + kw + ", stride " + sh + "x1, padding "
                    + ph + "x" + pw + (extraBottom > 0 ? " (+1 bottom)" : "") + ", dilation " + dh + "x" + dw + ", "
                    + n + " images of " + h + "x" + w;
            if (g.isPointwise()) {
                continue;
            }
            assertTrue(ConvKernel.gatherable(g), name + " should have an implicit product");
            assertEquals(q >= ConvKernel.MIN_IMPLICIT_WIDTH, ConvKernel.implicit(g), name + ": path taken");

            float[] x = Tensor.randn(rng, n, c, h, w).data();
            float[] wt = Tensor.randn(rng, f, c, kh, kw).data();
            float[] y0 = Tensor.randn(rng, n, f, p, q).data();
            float[] y = y0.clone();
            float[] yRef = y0.clone();
            ConvKernel.forwardImplicit(x, wt, y, g, true);
            ConvKernel.forward(x, wt, yRef, g, true, ConvKernel.blockRows(g));
            for (int i = 0; i < y.length; i++) {
                assertEquals(Float.floatToIntBits(yRef[i]), Float.floatToIntBits(y[i]),
                        name + ": forward, element " + i + " is " + y[i] + ", im2col gives " + yRef[i]);
            }

            float[] dyW = Tensor.randn(rng, n, f, p, q).data();
            float[] dWeight = Tensor.randn(rng, f, c, kh, kw).data();
            float[] dWeightRef = dWeight.clone();
            ConvKernel.backwardWeightImplicit(x, dyW, dWeight, g);
            ConvKernel.backwardWeight(x, dyW, dWeightRef, g, ConvKernel.blockRows(g));
            // Sums over all N P Q output pixels (up to 3 x 40 x 70), in another order than im2col.
            Approx.assertClose(name + ": weight gradient", dWeightRef, dWeight, 1e-3, 1e-5);

            if (ConvKernel.flippable(g)) {
                backwardChecked++;
                float[] dy = Tensor.randn(rng, n, f, p, q).data();
                float[] dx = Tensor.randn(rng, n, c, h, w).data();
                float[] dxRef = dx.clone();
                ConvKernel.backwardDataImplicit(dy, wt, dx, g);
                ConvKernel.backwardData(dy, wt, dxRef, g, ConvKernel.blockRows(g));
                // Sums of up to F R S = 640 products of unit normals: their magnitude reaches tens, so
                // two summation orders may differ by some 1e-5 in absolute terms.
                Approx.assertClose(name + ": input gradient", dxRef, dx, 1e-4, 1e-5);
            }
        }
        assertTrue(backwardChecked >= 15, "only " + backwardChecked + " geometries had an implicit input gradient");
    }

    @Test
    void largeImagesOneAtATimeMatchTheBatch() {
        Generator rng = new Generator(32);
        // Padded ("same") and unpadded (the input read in place) 3 x 3 layers on 64 x 64 outputs.
        for (int pad : new int[] {1, 0}) {
            int h = 64 + 2 - 2 * pad;
            ConvGeometry g = new ConvGeometry(2, 3, h, h, 5, 1, 3, 3, 1, 1, pad, pad, 1, 1, 64, 64);
            String name = "2 images of " + h + "x" + h + ", padding " + pad;
            assertTrue(ConvKernel.perImage(g), name + " should run image by image");
            float[] x = Tensor.randn(rng, 2, 3, h, h).data();
            float[] w = Tensor.randn(rng, 5, 3, 3, 3).data();
            float[] y = new float[2 * 5 * 4096];
            float[] yRef = new float[y.length];
            ConvKernel.forwardImplicit(x, w, y, g, false);
            ConvKernel.forward(x, w, yRef, g, false, ConvKernel.blockRows(g));
            for (int i = 0; i < y.length; i++) {
                assertEquals(Float.floatToIntBits(yRef[i]), Float.floatToIntBits(y[i]), name + ": forward, element " + i);
            }

            float[] dy = Tensor.randn(rng, 2, 5, 64, 64).data();
            float[] dwByImage = new float[w.length];
            float[] dwBatch = new float[w.length];
            ConvKernel.backwardWeightImplicit(x, dy, dwByImage, g, true);
            ConvKernel.backwardWeightImplicit(x, dy, dwBatch, g, false);
            for (int i = 0; i < w.length; i++) {
                assertEquals(Float.floatToIntBits(dwBatch[i]), Float.floatToIntBits(dwByImage[i]),
                        name + ": weight gradient, element " + i);
            }
        }
    }

    @Test
    void imagesSpreadOverThreadsKeepBits() {
        Generator rng = new Generator(33);
        int saved = Parallel.threads();
        try {
            // 8 images divide among 2 threads. 3 images do not divide among 2 threads, but do among 3.
            for (int n : new int[] {8, 3}) {
                ConvGeometry g = new ConvGeometry(n, 4, 64, 64, 6, 1, 3, 3, 1, 1, 1, 1, 1, 1, 64, 64);
                float[] x = Tensor.randn(rng, n, 4, 64, 64).data();
                float[] w = Tensor.randn(rng, 6, 4, 3, 3).data();
                Parallel.setThreads(1);
                assertFalse(ConvKernel.splitsImages(n), "one thread splits nothing");
                float[] ref = new float[n * 6 * 4096];
                ConvKernel.forwardImplicit(x, w, ref, g, false);
                for (int threads : new int[] {2, 3}) {
                    Parallel.setThreads(threads);
                    String name = n + " images on " + threads + " threads";
                    assertEquals(n % threads == 0, ConvKernel.splitsImages(n), name);
                    float[] y = new float[ref.length];
                    ConvKernel.forwardImplicit(x, w, y, g, false);
                    for (int i = 0; i < y.length; i++) {
                        assertEquals(Float.floatToIntBits(ref[i]), Float.floatToIntBits(y[i]), name + ", element " + i);
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
