package org.fcn4j.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class OptionalInputTest {
    @Test
    void nullInputIsSkippedInBackward() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        // A layer without bias passes null for it, as Conv2d(bias = false) does.
        Tensor y = Tensor.result("scale", new float[] {3f, 6f}, new int[] {2}, dOut -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < dx.length; i++) {
                dx[i] += 3f * dOut[i];
            }
        }, x, null);
        y.sum().backward();
        assertArrayEquals(new float[] {3f, 3f}, x.grad().data());
    }
}
