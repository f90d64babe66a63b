package org.fcn4j.tensor;

import org.fcn4j.autograd.Backward;

/** Reductions over chosen axes. Accumulation is in double, so long sums keep float32 accuracy. */
final class Reductions {
    private Reductions() {
    }

    /** The reduced shape with the reduced axes kept as size 1, and a mask of reduced axes. */
    private static int[] keptShape(int[] shape, int[] axes, boolean[] reduced) {
        int[] kept = shape.clone();
        for (int a : axes) {
            int ax = Shape.axis(a, shape.length);
            if (reduced[ax]) {
                throw new IllegalArgumentException("axis " + a + " listed twice in a reduction over shape "
                        + Shape.str(shape));
            }
            reduced[ax] = true;
            kept[ax] = 1;
        }
        return kept;
    }

    private static int[] outShape(int[] shape, boolean[] reduced, boolean keepDim) {
        if (keepDim) {
            int[] s = shape.clone();
            for (int i = 0; i < s.length; i++) {
                if (reduced[i]) {
                    s[i] = 1;
                }
            }
            return s;
        }
        int count = 0;
        for (boolean r : reduced) {
            if (!r) {
                count++;
            }
        }
        int[] s = new int[count];
        int j = 0;
        for (int i = 0; i < shape.length; i++) {
            if (!reduced[i]) {
                s[j++] = shape[i];
            }
        }
        return s;
    }

    static Tensor sum(Tensor x, int[] axes, boolean keepDim) {
        return scaledSum(x, axes, keepDim, false);
    }

    static Tensor mean(Tensor x, int[] axes, boolean keepDim) {
        return scaledSum(x, axes, keepDim, true);
    }

    private static Tensor scaledSum(Tensor x, int[] axes, boolean keepDim, boolean mean) {
        int[] shape = x.shapeRef();
        boolean[] reduced = new boolean[shape.length];
        int[] kept = keptShape(shape, axes, reduced);
        int[] map = Shape.broadcastIndex(shape, kept);
        int outSize = Shape.numel(kept);
        int count = outSize == 0 ? 0 : x.numel() / outSize;
        float scale = mean ? 1f / count : 1f;

        double[] acc = new double[outSize];
        float[] in = x.data();
        for (int i = 0; i < in.length; i++) {
            acc[map[i]] += in[i];
        }
        float[] out = new float[outSize];
        for (int i = 0; i < outSize; i++) {
            out[i] = (float) (acc[i] * scale);
        }

        Backward backward = dOut -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < dx.length; i++) {
                dx[i] += dOut[map[i]] * scale;
            }
        };
        return Tensor.result(mean ? "mean" : "sum", out, outShape(shape, reduced, keepDim), backward, x);
    }

    static Tensor max(Tensor x, int[] axes, boolean keepDim, boolean shareTies) {
        int[] shape = x.shapeRef();
        if (x.numel() == 0) {
            throw new IllegalArgumentException("max of an empty tensor of shape " + Shape.str(shape));
        }
        boolean[] reduced = new boolean[shape.length];
        int[] kept = keptShape(shape, axes, reduced);
        int[] map = Shape.broadcastIndex(shape, kept);
        int outSize = Shape.numel(kept);

        float[] in = x.data();
        float[] out = new float[outSize];
        int[] argmax = new int[outSize];
        java.util.Arrays.fill(out, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(argmax, -1);
        for (int i = 0; i < in.length; i++) {
            int o = map[i];
            // NaN propagates, as in torch.max.
            if (argmax[o] < 0 || in[i] > out[o] || Float.isNaN(in[i]) && !Float.isNaN(out[o])) {
                out[o] = in[i];
                argmax[o] = i;
            }
        }

        // torch.max(x, dim) sends the gradient to the index it returns; torch.max(x) and torch.amax
        // over several axes share it evenly among tied maxima (PyTorch 1.13).
        Backward backward = dOut -> {
            float[] dx = x.gradBuffer();
            if (!shareTies) {
                for (int o = 0; o < outSize; o++) {
                    dx[argmax[o]] += dOut[o];
                }
                return;
            }
            int[] ties = new int[outSize];
            for (int i = 0; i < in.length; i++) {
                if (in[i] == out[map[i]] || Float.isNaN(in[i]) && Float.isNaN(out[map[i]])) {
                    ties[map[i]]++;
                }
            }
            for (int i = 0; i < in.length; i++) {
                int o = map[i];
                if (in[i] == out[o] || Float.isNaN(in[i]) && Float.isNaN(out[o])) {
                    dx[i] += dOut[o] / ties[o];
                }
            }
        };
        return Tensor.result("max", out, outShape(shape, reduced, keepDim), backward, x);
    }

    static Tensor var(Tensor x, int[] axes, boolean unbiased, boolean keepDim) {
        Tensor centred = x.sub(mean(x, axes, true));
        Tensor meanSquare = mean(centred.square(), axes, keepDim);
        if (!unbiased) {
            return meanSquare;
        }
        int[] shape = x.shapeRef();
        boolean[] reduced = new boolean[shape.length];
        int[] kept = keptShape(shape, axes, reduced);
        int n = x.numel() / Math.max(1, Shape.numel(kept));
        // NOTE: n = 1 gives n / (n - 1) = infinity and a NaN variance, as torch.var does.
        return meanSquare.mul((float) n / (n - 1));
    }
}
