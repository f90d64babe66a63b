package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.junit.jupiter.api.Test;

/**
 * ConvKernel's batched path (one product over all images of a small-image batch) against the same
 * kernels run image by image, which take the per-image path: forward (also accumulating), input
 * and weight gradients, on random geometries with strides, dilations, paddings and the contiguous-row case.
 * Batches too large for one product run as products over groups of images, checked the same way.
 */
class ConvBatchedTest {

    @Test
    void batchedProductsEqualImageByImage() {
        Generator rng = new Generator(21);
        for (int t = 0; t < 40; t++) {
            int n = 2 + rng.nextInt(3);
            int c = 1 + rng.nextInt(5);
            int f = 1 + rng.nextInt(7);
            boolean same = t % 2 == 0;
            int kh = same ? 3 : 1 + rng.nextInt(3);
            int kw = same ? 3 : 1 + rng.nextInt(3);
            int sh = same ? 1 : 1 + rng.nextInt(2);
            int sw = same ? 1 : 1 + rng.nextInt(2);
            int ph = same ? 1 : rng.nextInt(2);
            int pw = same ? 1 : rng.nextInt(2);
            int dh = same ? 1 : 1 + rng.nextInt(2);
            int dw = same ? 1 : 1 + rng.nextInt(2);
            int h = Math.max(dh * (kh - 1) + 1, 2 + rng.nextInt(9));
            int w = Math.max(dw * (kw - 1) + 1, 2 + rng.nextInt(9));
            int p = ConvGeometry.outputSize(h, 2 * ph, kh, sh, dh);
            int q = ConvGeometry.outputSize(w, 2 * pw, kw, sw, dw);
            ConvGeometry g = new ConvGeometry(n, c, h, w, f, 1, kh, kw, sh, sw, ph, pw, dh, dw, p, q);
            ConvGeometry single = new ConvGeometry(1, c, h, w, f, 1, kh, kw, sh, sw, ph, pw, dh, dw, p, q);
            String name = "conv " + c + " -> " + f + ", kernel " + kh + "x" + kw + ", stride " + sh + "x" + sw
                    + ", padding " + ph + "x" + pw + ", dilation " + dh + "x" + dw + ", " + n + " images of " + h + "x"
                    + w;
            if (g.isPointwise()) {
                continue;
            }
            assertTrue(ConvKernel.batchesImages(g), name + " should take the batched path");

            float[] x = Tensor.randn(rng, n, c, h, w).data();
            float[] wt = Tensor.randn(rng, f, c, kh, kw).data();
            float[] dy = Tensor.randn(rng, n, f, p, q).data();
            float[] y0 = Tensor.randn(rng, n, f, p, q).data();

            float[] y = new float[dy.length];
            float[] yAcc = y0.clone();
            float[] dx = Tensor.randn(rng, n, c, h, w).data();
            float[] dxRef = dx.clone();
            ConvKernel.forward(x, wt, y, g, false);
            ConvKernel.forward(x, wt, yAcc, g, true);
            ConvKernel.backwardData(dy, wt, dx, g);
            float[] dWeight = Tensor.randn(rng, f, c, kh, kw).data();
            float[] dWeightRef = dWeight.clone();
            ConvKernel.backwardWeight(x, dy, dWeight, g);

            float[] yAccRef = y0.clone();
            float[] yRef = imageByImage(single, n, x, wt, dy, yAccRef, dxRef, dWeightRef);
            Approx.assertClose(name + ": forward", yRef, y, 1e-5, 1e-5);
            Approx.assertClose(name + ": forward, accumulating", yAccRef, yAcc, 1e-5, 1e-5);
            Approx.assertClose(name + ": input gradient", dxRef, dx, 1e-5, 1e-5);
            Approx.assertClose(name + ": weight gradient", dWeightRef, dWeight, 1e-4, 1e-5);
        }
    }

    @Test
    void largeBatchesRunInGroupsOfImages() {
        Generator rng = new Generator(22);
        // 16 images of 8 x 8 with 512 channels: the batch's im2col matrix would take 4.7 million
        // floats, so the products take 14 images, then 2.
        int n = 16;
        int c = 512;
        int f = 3;
        ConvGeometry g = new ConvGeometry(n, c, 8, 8, f, 1, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8);
        ConvGeometry single = new ConvGeometry(1, c, 8, 8, f, 1, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8);
        assertFalse(ConvKernel.batchesImages(g), "too large for one product");
        assertEquals(14, ConvKernel.imagesPerProduct(g), "images per product");
        ConvGeometry larger = new ConvGeometry(n, c, 16, 16, f, 1, 3, 3, 1, 1, 1, 1, 1, 1, 16, 16);
        assertEquals(1, ConvKernel.imagesPerProduct(larger), "16 x 16 images stay one per product");

        float[] x = Tensor.randn(rng, n, c, 8, 8).data();
        float[] wt = Tensor.randn(rng, f, c, 3, 3).data();
        float[] dy = Tensor.randn(rng, n, f, 8, 8).data();
        float[] y = new float[dy.length];
        float[] yAcc = Tensor.randn(rng, n, f, 8, 8).data();
        float[] yAccRef = yAcc.clone();
        float[] dx = Tensor.randn(rng, n, c, 8, 8).data();
        float[] dxRef = dx.clone();
        float[] dWeight = Tensor.randn(rng, f, c, 3, 3).data();
        float[] dWeightRef = dWeight.clone();
        ConvKernel.forward(x, wt, y, g, false);
        ConvKernel.forward(x, wt, yAcc, g, true);
        ConvKernel.backwardData(dy, wt, dx, g);
        ConvKernel.backwardWeight(x, dy, dWeight, g);

        float[] yRef = imageByImage(single, n, x, wt, dy, yAccRef, dxRef, dWeightRef);
        Approx.assertClose("grouped forward", yRef, y, 1e-5, 1e-4);
        Approx.assertClose("grouped forward, accumulating", yAccRef, yAcc, 1e-5, 1e-4);
        Approx.assertClose("grouped input gradient", dxRef, dx, 1e-5, 1e-4);
        Approx.assertClose("grouped weight gradient", dWeightRef, dWeight, 1e-4, 1e-3);
    }

    /**
     * Runs the kernels on each of the n images alone, with single as the geometry of one image.
     * Returns the forward output, and adds it into yAcc, the input gradients into dx and the
     * weight gradients into dWeight.
     */
    private static float[] imageByImage(ConvGeometry single, int n, float[] x, float[] wt, float[] dy, float[] yAcc,
            float[] dx, float[] dWeight) {
        int in = single.c() * single.h() * single.w();
        int out = single.f() * single.l();
        float[] y = new float[n * out];
        for (int i = 0; i < n; i++) {
            float[] xi = java.util.Arrays.copyOfRange(x, i * in, (i + 1) * in);
            float[] dyi = java.util.Arrays.copyOfRange(dy, i * out, (i + 1) * out);
            float[] yi = new float[out];
            ConvKernel.forward(xi, wt, yi, single, false);
            System.arraycopy(yi, 0, y, i * out, out);
            for (int j = 0; j < out; j++) {
                yAcc[i * out + j] += yi[j];
            }
            float[] dxi = java.util.Arrays.copyOfRange(dx, i * in, (i + 1) * in);
            ConvKernel.backwardData(dyi, wt, dxi, single);
            System.arraycopy(dxi, 0, dx, i * in, in);
            ConvKernel.backwardWeight(xi, dyi, dWeight, single);
        }
        return y;
    }
}
