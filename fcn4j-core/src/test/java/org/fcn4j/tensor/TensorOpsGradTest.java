package org.fcn4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.fcn4j.autograd.GradCheck;
import org.junit.jupiter.api.Test;

class TensorOpsGradTest {
    private final Generator rng = new Generator(42);

    private Tensor param(int... shape) {
        return Tensor.randn(rng, shape).requiresGrad(true);
    }

    @Test
    void broadcastArithmeticGradients() {
        Tensor x = param(2, 3, 4, 5);
        Tensor c = param(1, 3, 1, 1);
        GradCheck.check("add", in -> in[0].add(in[1]), x, c);
        GradCheck.check("sub", in -> in[0].sub(in[1]), x, c);
        GradCheck.check("mul", in -> in[0].mul(in[1]), x, c);
        Tensor d = Tensor.uniform(rng, 1f, 2f, 3, 1, 1).requiresGrad(true);
        GradCheck.check("div", in -> in[0].div(in[1]), x, d);
    }

    @Test
    void reductionsAndMatmulGradients() {
        Tensor x = param(2, 3, 4);
        GradCheck.check("sum", in -> in[0].sum(new int[] {0, 2}, true), x);
        GradCheck.check("mean", in -> in[0].mean(new int[] {1}, false), x);
        GradCheck.check("var", in -> in[0].var(new int[] {2}, true, false), x);
        GradCheck.check("max", in -> in[0].max(new int[] {1}, false), x);
        Tensor a = param(3, 5);
        Tensor b = param(5, 2);
        GradCheck.check("matmul", in -> in[0].matmul(in[1]), a, b);
    }

    @Test
    void matmulMatchesHandProduct() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertArrayEquals(new float[] {58, 64, 139, 154}, a.matmul(b).data());
        assertEquals(2, a.matmul(b).dim());
    }

    @Test
    void maxTiesFollowPyTorch() {
        // torch.max(x) shares the gradient among ties; torch.max(x, dim) gives it to the first.
        Tensor x = Tensor.vector(3f, 1f, 3f).requiresGrad(true);
        x.max().backward();
        assertArrayEquals(new float[] {0.5f, 0f, 0.5f}, x.grad().data());

        Tensor y = Tensor.of(new float[] {3f, 1f, 3f}, 1, 3).requiresGrad(true);
        y.max(new int[] {1}, false).sum().backward();
        assertArrayEquals(new float[] {1f, 0f, 0f}, y.grad().data());
    }

    @Test
    void gradBufferToOverwriteRejectsSecondGradient() {
        Tensor x = param(2, 3);
        float[] first = x.gradBufferToOverwrite();
        assertEquals(6, first.length, "length of the new gradient");
        assertSame(first, x.gradBuffer(), "gradBuffer() after it returns the same storage");
        IllegalStateException e = assertThrows(IllegalStateException.class, x::gradBufferToOverwrite);
        assertEquals("gradBufferToOverwrite() is invalid once a gradient has reached the tensor. Add into "
                + "gradBuffer() instead", e.getMessage());
    }
}
