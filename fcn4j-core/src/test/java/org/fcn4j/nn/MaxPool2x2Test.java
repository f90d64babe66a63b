package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * MaxPool2d(2), with a gradient and without, against a plain loop over the windows. The cases cover ties (the
 * first maximum in row order wins), NaN (the last NaN wins), odd sizes whose last row or column no
 * window reads, and planes whose number of outputs is not a multiple of 16.
 */
class MaxPool2x2Test {

    @Test
    void valuesAndGradientEqualAPlainLoop() {
        Generator rng = new Generator(3);
        int[][] shapes = {{1, 1, 2, 2}, {2, 3, 7, 9}, {3, 5, 8, 6}, {1, 2, 10, 34}, {2, 1, 33, 5}};
        for (int[] s : shapes) {
            String name = "MaxPool2d(2) on " + java.util.Arrays.toString(s);
            int n = s[0] * s[1] * s[2] * s[3];
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                // Few distinct values, so that windows tie; a few NaN of either sign.
                values[i] = rng.nextInt(4);
                if (rng.nextInt(23) == 0) {
                    values[i] = rng.nextInt(2) == 0 ? Float.NaN : Float.intBitsToFloat(0xffc00000);
                }
            }
            Tensor x = Tensor.of(values, s).requiresGrad(true);
            Tensor y = new MaxPool2d(2).forward(x);
            int oh = s[2] / 2;
            int ow = s[3] / 2;
            Tensor seed = Tensor.randn(rng, s[0], s[1], oh, ow);
            y.backward(seed);

            float[] expectedY = new float[s[0] * s[1] * oh * ow];
            float[] expectedDx = new float[n];
            for (int p = 0; p < s[0] * s[1]; p++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float best = 0;
                        int at = -1;
                        for (int a = 0; a < 2; a++) {
                            for (int b = 0; b < 2; b++) {
                                int idx = (p * s[2] + 2 * i + a) * s[3] + 2 * j + b;
                                float v = values[idx];
                                if (at < 0 || v > best || Float.isNaN(v)) {
                                    best = v;
                                    at = idx;
                                }
                            }
                        }
                        int o = (p * oh + i) * ow + j;
                        expectedY[o] = best;
                        expectedDx[at] += seed.data()[o];
                    }
                }
            }
            assertArrayEquals(y.shape(), new int[] {s[0], s[1], oh, ow}, name + ": output shape");
            assertArrayEquals(expectedY, y.data(), name + ": forward");
            assertArrayEquals(expectedDx, x.grad().data(), name + ": input gradient");

            // Without gradient recording the vector loop runs, with no indices kept.
            try (var _ = GradMode.noGrad()) {
                assertArrayEquals(expectedY, new MaxPool2d(2).forward(Tensor.of(values, s)).data(),
                        name + ": forward without gradient");
            }
        }
    }
}
