package org.fcn4j.data;

import org.fcn4j.tensor.Tensor;

/** Resampling of (C, H, W) or (H, W) planes, with PyTorch's {@code F.interpolate} conventions. */
final class Resize {
    private Resize() {
    }

    /** Bilinear, {@code align_corners=False}: source {@code max(0, (dst + 0.5) * in / out - 0.5)}. */
    static Tensor bilinear(Tensor t, int oh, int ow) {
        int[] s = t.shape();
        int h = s[s.length - 2];
        int w = s[s.length - 1];
        int planes = t.numel() / (h * w);
        float[] in = t.data();
        float[] out = new float[planes * oh * ow];
        double sy = (double) h / oh;
        double sx = (double) w / ow;
        int[] x0 = new int[ow];
        int[] x1 = new int[ow];
        float[] fx = new float[ow];
        for (int x = 0; x < ow; x++) {
            double src = Math.max(0, (x + 0.5) * sx - 0.5);
            x0[x] = Math.min((int) src, w - 1);
            x1[x] = Math.min(x0[x] + 1, w - 1);
            fx[x] = (float) (src - x0[x]);
        }
        for (int y = 0; y < oh; y++) {
            double src = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) src, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            float fy = (float) (src - y0);
            for (int p = 0; p < planes; p++) {
                int r0 = (p * h + y0) * w;
                int r1 = (p * h + y1) * w;
                int o = (p * oh + y) * ow;
                for (int x = 0; x < ow; x++) {
                    float top = in[r0 + x0[x]] * (1 - fx[x]) + in[r0 + x1[x]] * fx[x];
                    float bottom = in[r1 + x0[x]] * (1 - fx[x]) + in[r1 + x1[x]] * fx[x];
                    out[o + x] = top * (1 - fy) + bottom * fy;
                }
            }
        }
        return Tensor.of(out, resized(s, oh, ow));
    }

    /** Nearest neighbour, PyTorch mode {@code 'nearest'}: source {@code min(floor(dst * in / out), in - 1)}. */
    static Tensor nearest(Tensor t, int oh, int ow) {
        int[] s = t.shape();
        int h = s[s.length - 2];
        int w = s[s.length - 1];
        int planes = t.numel() / (h * w);
        float[] in = t.data();
        float[] out = new float[planes * oh * ow];
        float sy = (float) h / oh;
        float sx = (float) w / ow;
        int[] xs = new int[ow];
        for (int x = 0; x < ow; x++) {
            xs[x] = Math.min((int) Math.floor(x * sx), w - 1);
        }
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < oh; y++) {
                int row = (p * h + Math.min((int) Math.floor(y * sy), h - 1)) * w;
                int o = (p * oh + y) * ow;
                for (int x = 0; x < ow; x++) {
                    out[o + x] = in[row + xs[x]];
                }
            }
        }
        return Tensor.of(out, resized(s, oh, ow));
    }

    private static int[] resized(int[] s, int oh, int ow) {
        int[] os = s.clone();
        os[s.length - 2] = oh;
        os[s.length - 1] = ow;
        return os;
    }
}
