package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.junit.jupiter.api.Test;

/**
 * The matrix view against the kernels, on random configurations: conv(x) - bias = M vec(x) for
 * every padding mode; with zero padding, ConvTranspose2d with the same weight computes M^T, and
 * {@code <conv(x), y> = <x, convTranspose(y)>}.
 */
class ConvMatrixTest {
    private static final int CONFIGS = 60;

    private record Config(int in, int out, int groups, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
            int h, int w, PaddingMode mode) {
        @Override
        public String toString() {
            return String.format("in %d out %d groups %d kernel %dx%d stride %dx%d padding %dx%d dilation %dx%d "
                    + "input %dx%d mode %s", in, out, groups, kh, kw, sh, sw, ph, pw, dh, dw, h, w, mode);
        }
    }

    // Draws a configuration whose padded input fits the dilated kernel and whose padding the mode accepts.
    private static Config draw(Generator rng, PaddingMode mode) {
        while (true) {
            int groups = 1 + rng.nextInt(3);
            int in = groups * (1 + rng.nextInt(2));
            int out = groups * (1 + rng.nextInt(2));
            int kh = 1 + rng.nextInt(4);
            int kw = 1 + rng.nextInt(4);
            int sh = 1 + rng.nextInt(3);
            int sw = 1 + rng.nextInt(3);
            int ph = rng.nextInt(3);
            int pw = rng.nextInt(3);
            int dh = 1 + rng.nextInt(2);
            int dw = 1 + rng.nextInt(2);
            int h = 2 + rng.nextInt(6);
            int w = 2 + rng.nextInt(6);
            boolean fits = h + 2 * ph >= dh * (kh - 1) + 1 && w + 2 * pw >= dw * (kw - 1) + 1;
            boolean modeOk = switch (mode) {
                case REFLECT -> ph < h && pw < w;
                case CIRCULAR -> ph <= h && pw <= w;
                default -> true;
            };
            if (fits && modeOk) {
                return new Config(in, out, groups, kh, kw, sh, sw, ph, pw, dh, dw, h, w, mode);
            }
        }
    }

    private static Conv2d conv(Config c, Generator rng) {
        return new Conv2d(c.in, c.out, new int[] {c.kh, c.kw}, Conv2d.options().stride(c.sh, c.sw)
                .padding(c.ph, c.pw).dilation(c.dh, c.dw).groups(c.groups).paddingMode(c.mode), rng);
    }

    private static float[] times(Tensor m, float[] v) {
        int rows = m.size(0);
        int cols = m.size(1);
        float[] out = new float[rows];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += (double) m.data()[i * cols + j] * v[j];
            }
            out[i] = (float) s;
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Test
    void conv2dEqualsMatrixForEveryMode() {
        Generator rng = new Generator(11);
        for (PaddingMode mode : PaddingMode.values()) {
            for (int t = 0; t < CONFIGS / 4; t++) {
                Config c = draw(rng, mode);
                Conv2d conv = conv(c, rng);
                Tensor x = Tensor.randn(rng, 1, c.in, c.h, c.w);
                Tensor m = conv.matrix(c.h, c.w);
                int[] o = conv.outputSize(c.h, c.w);
                assertArrayEquals(new int[] {c.out * o[0] * o[1], c.in * c.h * c.w}, m.shape(), c + ": matrix shape");

                float[] y = conv.forward(x).data();
                int plane = o[0] * o[1];
                for (int i = 0; i < y.length; i++) {
                    y[i] -= conv.bias().data()[i / plane];
                }
                Approx.assertClose(c + ": conv(x) - bias vs M x", times(m, x.data()), y, 1e-5, 1e-5);
            }
        }
    }

    @Test
    void convTransposeIsTheTranspose() {
        Generator rng = new Generator(12);
        for (int t = 0; t < CONFIGS; t++) {
            Config c = draw(rng, PaddingMode.ZEROS);
            Conv2d conv = conv(c, rng);
            int[] o = conv.outputSize(c.h, c.w);

            // The transposed layer maps (out, o0, o1) back to (in, h, w); output padding picks h x w.
            ConvTranspose2d convT = new ConvTranspose2d(c.out, c.in, new int[] {c.kh, c.kw},
                    ConvTranspose2d.options().stride(c.sh, c.sw).padding(c.ph, c.pw).dilation(c.dh, c.dw)
                            .groups(c.groups).bias(false), rng);
            System.arraycopy(conv.weight().data(), 0, convT.weight().data(), 0, conv.weight().numel());
            int[] natural = convT.outputSize(o[0], o[1]);
            int[] size = {c.h, c.w};
            assertTrue(c.h - natural[0] >= 0, c + ": output padding is negative");
            assertTrue(c.h - natural[0] < c.sh, c + ": output padding reaches the stride");

            Tensor m = conv.matrix(c.h, c.w);
            Tensor mt = m.transpose();
            Tensor y = Tensor.randn(rng, 1, c.out, o[0], o[1]);
            Tensor back = convT.forward(y, size);
            Approx.assertClose(c + ": convTranspose(y) vs M^T y", times(mt, y.data()), back.data(), 1e-5, 1e-5);

            ConvTranspose2d sized = new ConvTranspose2d(c.out, c.in, new int[] {c.kh, c.kw},
                    ConvTranspose2d.options().stride(c.sh, c.sw).padding(c.ph, c.pw).dilation(c.dh, c.dw)
                            .groups(c.groups).outputPadding(c.h - natural[0], c.w - natural[1]).bias(false), rng);
            System.arraycopy(conv.weight().data(), 0, sized.weight().data(), 0, conv.weight().numel());
            Approx.assertClose(c + ": ConvTranspose2d.matrix vs Conv2d.matrix^T", mt, sized.matrix(o[0], o[1]), 0, 0);

            // Adjoint identity through the kernels alone (no matrix): <conv(x), y> = <x, convT(y)>.
            Tensor x = Tensor.randn(rng, 1, c.in, c.h, c.w);
            float[] cx = conv.forward(x).data();
            int plane = o[0] * o[1];
            for (int i = 0; i < cx.length; i++) {
                cx[i] -= conv.bias().data()[i / plane];
            }
            double lhs = dot(cx, y.data());
            double rhs = dot(x.data(), back.data());
            assertTrue(Math.abs(lhs - rhs) <= 1e-4 * (1 + Math.abs(lhs)), c + ": <Mx, y> = " + lhs
                    + " but <x, M^T y> = " + rhs);
        }
    }

    @Test
    void sameWidthPathMatchesMatrix() {
        // Stride 1 with an output as wide as the input takes im2col's contiguous-run path.
        Generator rng = new Generator(14);
        for (int t = 0; t < 30; t++) {
            int k = 1 + rng.nextInt(5);
            int d = 1 + rng.nextInt(2);
            int h = 1 + d * (k - 1) / 2 + rng.nextInt(6);
            int w = 1 + d * (k - 1) / 2 + rng.nextInt(6);
            int groups = 1 + rng.nextInt(2);
            Conv2d conv = new Conv2d(2 * groups, 2, new int[] {k, 1 + rng.nextInt(5)}, Conv2d.options()
                    .padding("same").dilation(d).groups(groups), rng);
            String context = conv + " on " + h + "x" + w;
            assertTrue(ConvKernel.hasContiguousRows(new ConvGeometry(1, 1, h, w, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, h, w)));
            Tensor m = conv.matrix(h, w);
            Tensor x = Tensor.randn(rng, 1, 2 * groups, h, w).requiresGrad(true);
            Tensor y = conv.forward(x);
            float[] ym = times(m, x.data());
            for (int i = 0; i < ym.length; i++) {
                ym[i] += conv.bias().data()[i / (h * w)];
            }
            Approx.assertClose(context + ": forward vs M x", ym, y.data(), 1e-5, 1e-5);

            Tensor dy = Tensor.randn(rng, y.shape());
            y.backward(dy);
            Approx.assertClose(context + ": input gradient vs M^T dy", times(m.transpose(), dy.data()),
                    x.grad().data(), 1e-5, 1e-5);
        }
    }

    @Test
    void rowBlocksGiveTheSameResult() {
        Generator rng = new Generator(13);
        try (var scope = GradMode.noGrad()) {
            for (int t = 0; t < 30; t++) {
                Config c = draw(rng, PaddingMode.ZEROS);
                if (t % 3 == 0) {
                    // Stride 1 and "same" width, for the contiguous-run path of im2col and col2im.
                    c = new Config(c.in, c.out, c.groups, c.kh, 2 * c.pw + 1, 1, 1, c.ph, c.pw, c.dh, 1,
                            Math.max(c.h, c.dh * (c.kh - 1) + 1), c.w, c.mode);
                }
                Conv2d conv = conv(c, rng);
                int[] o = conv.outputSize(c.h, c.w);
                int n = 2;
                ConvGeometry g = new ConvGeometry(n, c.in, c.h, c.w, c.out, c.groups, c.kh, c.kw, c.sh, c.sw, c.ph,
                        c.pw, c.dh, c.dw, o[0], o[1]);
                float[] x = Tensor.randn(rng, n, c.in, c.h, c.w).data();
                float[] dy = Tensor.randn(rng, n, c.out, o[0], o[1]).data();
                float[] w = conv.weight().data();

                float[] y = new float[dy.length];
                float[] dx = new float[x.length];
                float[] dw = new float[w.length];
                ConvKernel.forward(x, w, y, g, false, o[0]);
                ConvKernel.backwardData(dy, w, dx, g, o[0]);
                ConvKernel.backwardWeight(x, dy, dw, g, o[0]);
                for (int rows = 1; rows < o[0]; rows++) {
                    float[] yb = new float[dy.length];
                    float[] dxb = new float[x.length];
                    float[] dwb = new float[w.length];
                    ConvKernel.forward(x, w, yb, g, false, rows);
                    ConvKernel.backwardData(dy, w, dxb, g, rows);
                    ConvKernel.backwardWeight(x, dy, dwb, g, rows);
                    Approx.assertClose(c + ", blocks of " + rows + " rows: forward", y, yb, 1e-5, 1e-5);
                    Approx.assertClose(c + ", blocks of " + rows + " rows: input gradient", dx, dxb, 1e-5, 1e-5);
                    Approx.assertClose(c + ", blocks of " + rows + " rows: weight gradient", dw, dwb, 1e-5, 1e-5);
                }
            }
        }
    }
}
