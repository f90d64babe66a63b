package org.fcn4j.tensor;

import java.util.Arrays;

/** Shape arithmetic and the wording of shape errors, shared by every operation. */
public final class Shape {
    private Shape() {
    }

    /** Returns the number of elements of a shape; rejects negative dimensions and overflow. */
    public static int numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31 - 1 elements");
            }
        }
        return (int) n;
    }

    /** Formats a shape as PyTorch prints it, e.g. {@code (8, 1, 64, 64)}. */
    public static String str(int... shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** Row-major strides of a contiguous tensor. */
    public static int[] strides(int... shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** Normalises a possibly negative axis; rejects axes outside [-rank, rank). */
    public static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for a tensor of rank " + rank);
        }
        return a;
    }

    /** The broadcast shape of a and b under NumPy and PyTorch rules. */
    public static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast: dimension " + i + " is " + da + " against " + db);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * For each flat index of {@code out}, the flat index of the element of {@code in} that
     * broadcasting reads. {@code in} must broadcast to {@code out}.
     */
    public static int[] broadcastIndex(int[] out, int[] in) {
        int rank = out.length;
        int[] inStrides = new int[rank];
        int[] s = strides(in);
        for (int i = 0; i < rank; i++) {
            int j = i - (rank - in.length);
            inStrides[i] = j < 0 || in[j] == 1 ? 0 : s[j];
        }
        int n = numel(out);
        int[] map = new int[n];
        int[] counter = new int[rank];
        int idx = 0;
        for (int flat = 0; flat < n; flat++) {
            map[flat] = idx;
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                idx += inStrides[d];
                if (counter[d] < out[d]) {
                    break;
                }
                idx -= inStrides[d] * counter[d];
                counter[d] = 0;
            }
        }
        return map;
    }

    /** Throws unless {@code actual} equals {@code expected}, naming what was checked. */
    public static void check(String what, int[] expected, int[] actual) {
        if (!Arrays.equals(expected, actual)) {
            throw new IllegalArgumentException(what + ": expected shape " + str(expected) + ", got " + str(actual));
        }
    }
}
