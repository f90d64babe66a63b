package org.fcn4j.tensor;

import org.fcn4j.autograd.Backward;
import org.fcn4j.kernel.Gemm;
import org.fcn4j.kernel.Parallel;

/** Matrix products and operations that move elements: reshape, permute, concat, slice. */
final class Layout {
    private Layout() {
    }

    static Tensor matmul(Tensor a, Tensor b) {
        int[] sa = a.shapeRef();
        int[] sb = b.shapeRef();
        boolean batchedA = sa.length == 3;
        boolean batchedB = sb.length == 3;
        if (sa.length < 2 || sa.length > 3 || sb.length < 2 || sb.length > 3 || !batchedA && batchedB) {
            throw new IllegalArgumentException("matmul supports (M, K) x (K, N), (B, M, K) x (B, K, N) and "
                    + "(B, M, K) x (K, N), got " + Shape.str(sa) + " x " + Shape.str(sb));
        }
        int batch = batchedA ? sa[0] : 1;
        int m = sa[sa.length - 2];
        int k = sa[sa.length - 1];
        int kb = sb[sb.length - 2];
        int n = sb[sb.length - 1];
        if (k != kb || batchedB && sb[0] != batch) {
            throw new IllegalArgumentException("matmul: inner dimensions differ, got " + Shape.str(sa) + " x "
                    + Shape.str(sb));
        }
        int strideA = m * k;
        int strideB = batchedB ? k * n : 0;
        int strideC = m * n;
        float[] x = a.data();
        float[] y = b.data();
        float[] out = new float[batch * strideC];
        for (int i = 0; i < batch; i++) {
            Gemm.sgemm(false, false, m, n, k, x, i * strideA, k, y, i * strideB, n, out, i * strideC, n, false);
        }

        Backward backward = dOut -> {
            for (int i = 0; i < batch; i++) {
                if (a.requiresGrad()) {
                    // dA = dC B^T
                    Gemm.sgemm(false, true, m, k, n, dOut, i * strideC, n, y, i * strideB, n,
                            a.gradBuffer(), i * strideA, k, true);
                }
                if (b.requiresGrad()) {
                    // dB = A^T dC, summed over the batch when B is shared
                    Gemm.sgemm(true, false, k, n, m, x, i * strideA, k, dOut, i * strideC, n,
                            b.gradBuffer(), i * strideB, n, true);
                }
            }
        };
        int[] outShape = batchedA ? new int[] {batch, m, n} : new int[] {m, n};
        return Tensor.result("matmul", out, outShape, backward, a, b);
    }

    static Tensor reshape(Tensor x, int[] newShape) {
        int[] shape = newShape.clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension can be -1, got "
                            + Shape.str(newShape));
                }
                inferred = i;
            } else {
                known *= shape[i];
            }
        }
        if (inferred >= 0 && known > 0 && x.numel() % known == 0) {
            shape[inferred] = (int) (x.numel() / known);
        }
        if (inferred >= 0 && shape[inferred] == -1 || Shape.numel(shape) != x.numel()) {
            throw new IllegalArgumentException("reshape: cannot view shape " + Shape.str(x.shapeRef()) + " ("
                    + x.numel() + " elements) as " + Shape.str(newShape));
        }
        Backward backward = dOut -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < dx.length; i++) {
                dx[i] += dOut[i];
            }
        };
        return Tensor.result("reshape", x.data(), shape, backward, x);
    }

    static Tensor permute(Tensor x, int[] order) {
        int[] shape = x.shapeRef();
        int rank = shape.length;
        if (order.length != rank) {
            throw new IllegalArgumentException("permute: order " + java.util.Arrays.toString(order)
                    + " has " + order.length + " axes, tensor of shape " + Shape.str(shape) + " has " + rank);
        }
        boolean[] seen = new boolean[rank];
        int[] outShape = new int[rank];
        for (int i = 0; i < rank; i++) {
            int ax = Shape.axis(order[i], rank);
            if (seen[ax]) {
                throw new IllegalArgumentException("permute: axis " + ax + " appears twice in "
                        + java.util.Arrays.toString(order));
            }
            seen[ax] = true;
            outShape[i] = shape[ax];
        }
        // Source strides in output-axis order: walking the output row-major reads the source here.
        int[] inStrides = Shape.strides(shape);
        int[] srcStride = new int[rank];
        for (int i = 0; i < rank; i++) {
            srcStride[i] = inStrides[Shape.axis(order[i], rank)];
        }
        int n = x.numel();
        int[] src = new int[n];
        int[] counter = new int[rank];
        int idx = 0;
        for (int flat = 0; flat < n; flat++) {
            src[flat] = idx;
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                idx += srcStride[d];
                if (counter[d] < outShape[d]) {
                    break;
                }
                idx -= srcStride[d] * counter[d];
                counter[d] = 0;
            }
        }
        float[] in = x.data();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = in[src[i]];
        }
        Backward backward = dOut -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < n; i++) {
                dx[src[i]] += dOut[i];
            }
        };
        return Tensor.result("permute", out, outShape, backward, x);
    }

    static Tensor concat(int axis, Tensor[] tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("concat needs at least one tensor");
        }
        int[] first = tensors[0].shapeRef();
        int ax = Shape.axis(axis, first.length);
        int[] outShape = first.clone();
        outShape[ax] = 0;
        for (Tensor t : tensors) {
            int[] s = t.shapeRef();
            boolean compatible = s.length == first.length;
            for (int i = 0; compatible && i < s.length; i++) {
                compatible = i == ax || s[i] == first[i];
            }
            if (!compatible) {
                throw new IllegalArgumentException("concat along axis " + axis + ": shape " + Shape.str(s)
                        + " does not match " + Shape.str(first) + " outside that axis");
            }
            outShape[ax] += s[ax];
        }
        int outer = 1;
        for (int i = 0; i < ax; i++) {
            outer *= first[i];
        }
        int inner = 1;
        for (int i = ax + 1; i < first.length; i++) {
            inner *= first[i];
        }
        int outRow = outShape[ax] * inner;
        float[] out = Arena.floatsToOverwrite(Shape.numel(outShape)); // every row below is copied in
        int offset = 0;
        int[] offsets = new int[tensors.length];
        for (int t = 0; t < tensors.length; t++) {
            offsets[t] = offset;
            offset += tensors[t].shapeRef()[ax] * inner;
        }
        final int outerF = outer;
        final int innerF = inner;
        Parallel.forRange(outerF, (o0, o1) -> {
            for (int t = 0; t < tensors.length; t++) {
                int row = tensors[t].shapeRef()[ax] * innerF;
                float[] in = tensors[t].data();
                for (int o = o0; o < o1; o++) {
                    System.arraycopy(in, o * row, out, o * outRow + offsets[t], row);
                }
            }
        });
        Backward backward = dOut -> {
            for (int t = 0; t < tensors.length; t++) {
                if (!tensors[t].requiresGrad()) {
                    continue;
                }
                int row = tensors[t].shapeRef()[ax] * innerF;
                // The first gradient to reach an input is written, not added to a zero-filled array.
                // Its "+ 0f" turns -0 into +0, as the addition did, so the results keep their bits.
                boolean fresh = tensors[t].gradOrNull() == null;
                float[] dx = fresh ? tensors[t].gradBufferToOverwrite() : tensors[t].gradBuffer();
                int off = offsets[t];
                Parallel.forRange(outerF, (o0, o1) -> {
                    for (int o = o0; o < o1; o++) {
                        int base = o * outRow + off;
                        int to = o * row;
                        if (fresh) {
                            for (int j = 0; j < row; j++) {
                                dx[to + j] = dOut[base + j] + 0f;
                            }
                        } else {
                            for (int j = 0; j < row; j++) {
                                dx[to + j] += dOut[base + j];
                            }
                        }
                    }
                });
            }
        };
        return Tensor.result("concat", out, outShape, backward, tensors);
    }

    static Tensor slice(Tensor x, int axis, int start, int end) {
        int[] shape = x.shapeRef();
        int ax = Shape.axis(axis, shape.length);
        if (start < 0 || end > shape[ax] || start > end) {
            throw new IllegalArgumentException("slice [" + start + ", " + end + ") is outside [0, " + shape[ax]
                    + "] on axis " + axis + " of shape " + Shape.str(shape));
        }
        int outer = 1;
        for (int i = 0; i < ax; i++) {
            outer *= shape[i];
        }
        int inner = 1;
        for (int i = ax + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int[] outShape = shape.clone();
        outShape[ax] = end - start;
        int inRow = shape[ax] * inner;
        int outRow = (end - start) * inner;
        float[] in = x.data();
        float[] out = new float[outer * outRow];
        for (int o = 0; o < outer; o++) {
            System.arraycopy(in, o * inRow + start * inner, out, o * outRow, outRow);
        }
        final int outerF = outer;
        final int innerF = inner;
        Backward backward = dOut -> {
            float[] dx = x.gradBuffer();
            for (int o = 0; o < outerF; o++) {
                int base = o * inRow + start * innerF;
                for (int j = 0; j < outRow; j++) {
                    dx[base + j] += dOut[o * outRow + j];
                }
            }
        };
        return Tensor.result("slice", out, outShape, backward, x);
    }
}
