package org.fcn4j.kernel;

/**
 * The scalar twin of {@link PanamaKernelSupport}: the same contracts in plain Java loops, used
 * when the Vector API is absent or the system property {@code fcn4j.scalar=true} asks for it.
 *
 * <p>Legend: MR = 4 rows and NR = 8 columns of C per tile; kc = depth of the packed panels.
 */
final class ScalarKernelSupport implements KernelSupport {
    private static final int MR = 4;
    private static final int NR = 8;

    @Override
    public String description() {
        return "scalar, sgemm tile " + MR + " x " + NR;
    }

    @Override
    public String toString() {
        return description();
    }

    @Override
    public int vectorBitSize() {
        return Float.SIZE;
    }

    @Override
    public int tileRows() {
        return MR;
    }

    @Override
    public int tileCols() {
        return NR;
    }

    // NOTE: a * b + c here, not Math.fma: without FMA hardware Math.fma is emulated and orders of
    // magnitude slower, and the scalar path is the one that must work everywhere.
    @Override
    public void gemmTile(int kc, float[] aPanel, int aOff, float[] bPanel, int bOff, float[] c, int cOff, int ldc) {
        float[] acc = new float[MR * NR]; // (MR, NR); small and local, so C2 can keep it off the heap
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * MR;
            int bi = bOff + p * NR;
            for (int r = 0; r < MR; r++) {
                float a = aPanel[ai + r];
                for (int j = 0; j < NR; j++) {
                    acc[r * NR + j] += a * bPanel[bi + j];
                }
            }
        }
        for (int r = 0; r < MR; r++) {
            int row = cOff + r * ldc;
            for (int j = 0; j < NR; j++) {
                c[row + j] += acc[r * NR + j];
            }
        }
    }

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void scaleShift(int n, float scale, float shift, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = scale * x[xOff + i] + shift;
        }
    }

    @Override
    public float sum(int n, float[] x, int xOff) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i];
        }
        return s;
    }
}
