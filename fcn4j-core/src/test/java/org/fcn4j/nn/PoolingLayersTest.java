package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.autograd.GradCheck;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.junit.jupiter.api.Test;

class PoolingLayersTest {
    private final Generator rng = new Generator(77);

    /** Distinct values at least 0.05 apart, so that no max-pooling window has a near tie. */
    private Tensor distinct(int... shape) {
        int n = Tensor.zeros(shape).numel();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        rng.shuffle(order);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = order[i] * 0.1f - n * 0.05f;
        }
        return Tensor.of(d, shape).requiresGrad(true);
    }

    @Test
    void bilinearWorkedExample() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor y = Upsample.interpolate(x, new int[] {4, 4}, null, Upsample.Mode.BILINEAR, false);
        float[] expected = {
            1f, 1.25f, 1.75f, 2f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.5f, 2.75f, 3.25f, 3.5f,
            3f, 3.25f, 3.75f, 4f};
        assertArrayEquals(new int[] {1, 1, 4, 4}, y.shape());
        Approx.assertClose("bilinear 2x2 to 4x4, align_corners false", expected, y.data(), 1e-6, 0);
        Tensor byScale = Upsample.byScale(2, Upsample.Mode.BILINEAR, false).forward(x);
        Approx.assertClose("bilinear by scale factor 2", expected, byScale.data(), 1e-6, 0);
    }

    @Test
    void bilinearAlignCornersKeepsCorners() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor y = Upsample.toSize(3, 3, Upsample.Mode.BILINEAR, true).forward(x);
        Approx.assertClose("bilinear 2x2 to 3x3, align_corners true", new float[] {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4},
                y.data(), 1e-6, 0);
    }

    @Test
    void nearestRepeatsPixels() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 2, 3);
        Tensor y = Upsample.toSize(4, 4, Upsample.Mode.NEAREST, false).forward(x);
        // rows: floor(i * 2 / 4) = 0, 0, 1, 1; columns: floor(j * 3 / 4) = 0, 0, 1, 2
        Approx.assertClose("nearest 2x3 to 4x4", new float[] {1, 1, 2, 3, 1, 1, 2, 3, 4, 4, 5, 6, 4, 4, 5, 6},
                y.data(), 0, 0);
    }

    @Test
    void ceilModeDropsWindowStartingInPadding() {
        // 7 + 2 * 1 padding, kernel 2, stride 2: ceil gives 5 windows, but the fifth would start at
        // input row 7, inside the right padding, so PyTorch keeps 4.
        Tensor y = new MaxPool2d(2, MaxPool2d.options().padding(1).ceilMode(true)).forward(Tensor.ones(1, 1, 7, 7));
        assertArrayEquals(new int[] {1, 1, 4, 4}, y.shape());
        Tensor z = new MaxPool2d(2, MaxPool2d.options().ceilMode(true)).forward(Tensor.ones(1, 1, 7, 7));
        assertArrayEquals(new int[] {1, 1, 4, 4}, z.shape(), "ceil mode keeps a window that starts inside");
        Tensor f = new MaxPool2d(2, 2).forward(Tensor.ones(1, 1, 7, 7));
        assertArrayEquals(new int[] {1, 1, 3, 3}, f.shape());
    }

    @Test
    void adaptiveWindowsOverlap() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5}, 1, 1, 1, 5);
        Tensor y = new AdaptiveAvgPool2d(1, 3).forward(x);
        // windows [0, 2), [1, 4), [3, 5)
        Approx.assertClose("adaptive 5 to 3", new float[] {1.5f, 3f, 4.5f}, y.data(), 1e-6, 0);
    }

    @Test
    void avgPoolDivisors() {
        Tensor x = Tensor.ones(1, 1, 3, 3);
        Tensor with = new AvgPool2d(2, AvgPool2d.options().padding(1)).forward(x);
        Approx.assertClose("count_include_pad true", new float[] {0.25f, 0.5f, 0.5f, 1f}, with.data(), 1e-7, 0);
        Tensor without = new AvgPool2d(2, AvgPool2d.options().padding(1).countIncludePad(false)).forward(x);
        Approx.assertClose("count_include_pad false", new float[] {1, 1, 1, 1}, without.data(), 1e-7, 0);
        Tensor override = new AvgPool2d(2, AvgPool2d.options().padding(1).divisorOverride(2)).forward(x);
        Approx.assertClose("divisor_override 2", new float[] {0.5f, 1, 1, 2}, override.data(), 1e-7, 0);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor x = distinct(2, 2, 5, 6);
        MaxPool2d.Options strided = MaxPool2d.options().stride(2).padding(1).ceilMode(true);
        GradCheck.check("MaxPool2d(3, 2, 1, dilation 1, ceil)", in -> new MaxPool2d(3, strided).forward(in[0]), x);
        GradCheck.check("MaxPool2d(2, 1, 0, dilation 2)", in -> new MaxPool2d(2, MaxPool2d.options().stride(1).dilation(2)).forward(in[0]), x);
        GradCheck.check("AvgPool2d ceil, no pad count",
                in -> new AvgPool2d(3, AvgPool2d.options().stride(2).padding(1).ceilMode(true).countIncludePad(false))
                        .forward(in[0]), x);
        GradCheck.check("AdaptiveAvgPool2d(3, 4)", in -> new AdaptiveAvgPool2d(3, 4).forward(in[0]), x);
        GradCheck.check("nearest to 7x4", in -> Upsample.toSize(7, 4, Upsample.Mode.NEAREST, false).forward(in[0]), x);
        GradCheck.check("bilinear x1.5", in -> Upsample.byScale(1.5, Upsample.Mode.BILINEAR, false).forward(in[0]), x);
        GradCheck.check("bilinear align corners to 8x3",
                in -> Upsample.toSize(8, 3, Upsample.Mode.BILINEAR, true).forward(in[0]), x);
    }

    @Test
    void invalidArgumentsAreRejected() {
        IllegalArgumentException pad = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool2d(3, MaxPool2d.options().padding(2)));
        assertTrue(pad.getMessage().contains("half the kernel size"), pad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AvgPool2d.options().divisorOverride(0));
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2, AvgPool2d.options().stride(0)));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool2d(5).forward(Tensor.ones(1, 1, 3, 3)));
        assertTrue(small.getMessage().contains("would be"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Upsample.toSize(4, 4, Upsample.Mode.NEAREST, true));
        assertThrows(IllegalArgumentException.class,
                () -> Upsample.interpolate(Tensor.ones(1, 1, 2, 2), new int[] {4}, new double[] {2}, Upsample.Mode.NEAREST,
                        false));
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> Upsample.byScale(1e6, Upsample.Mode.NEAREST, false).forward(Tensor.ones(1, 1, 3, 3)));
        assertTrue(huge.getMessage().contains("more than 2^31 - 1 values"), huge.getMessage());
        IllegalArgumentException adaptive = assertThrows(IllegalArgumentException.class,
                () -> new AdaptiveAvgPool2d(100_000).forward(Tensor.ones(1, 1, 3, 3)));
        assertTrue(adaptive.getMessage().contains("more than 2^31 - 1"), adaptive.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> new AvgPool2d(2).forward(Tensor.ones(4, 4)));
        assertTrue(rank.getMessage().contains("got (4, 4)"), rank.getMessage());
    }
}
