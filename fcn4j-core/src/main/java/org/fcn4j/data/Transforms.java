package org.fcn4j.data;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Joint augmentations and resizing: each applies one random draw to the input and the target of
 * a sample alike. Class maps are only ever moved or resampled by nearest neighbour, never
 * interpolated, so every target value stays a valid class.
 *
 * <p>Shape: input (C, H, W) and target (H, W) or (C_t, H, W) in; the same H and W out for flips,
 * (H', W') for crop and resize, (W, H) for a rotation by 90 or 270 degrees.
 */
public final class Transforms {
    private Transforms() {
    }

    /** Crops a random {@code height} x {@code width} window, the same for input and target. */
    public static JointTransform randomCrop(int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("crop size must be positive, got " + height + "x" + width);
        }
        return (s, rng) -> {
            int h = s.input().size(1);
            int w = s.input().size(2);
            if (height > h || width > w) {
                throw new IllegalArgumentException("crop " + height + "x" + width + " is larger than the sample, "
                        + Shape.str(s.input().shape()) + "; resize first or crop smaller");
            }
            int top = rng.nextInt(h - height + 1);
            int left = rng.nextInt(w - width + 1);
            return new Sample(crop(s.input(), top, left, height, width), crop(s.target(), top, left, height, width));
        };
    }

    /** Mirrors left-right with probability {@code p}. */
    public static JointTransform horizontalFlip(double p) {
        checkProbability(p);
        return (s, rng) -> rng.nextBoolean(p)
                ? new Sample(remap(s.input(), Geometry.FLIP_W), remap(s.target(), Geometry.FLIP_W)) : s;
    }

    /** Mirrors top-bottom with probability {@code p}. */
    public static JointTransform verticalFlip(double p) {
        checkProbability(p);
        return (s, rng) -> rng.nextBoolean(p)
                ? new Sample(remap(s.input(), Geometry.FLIP_H), remap(s.target(), Geometry.FLIP_H)) : s;
    }

    /** Rotates by 0, 90, 180 or 270 degrees counter-clockwise, each with probability 1/4. */
    public static JointTransform randomRotate90() {
        return (s, rng) -> {
            int k = rng.nextInt(4);
            return k == 0 ? s : new Sample(rotate90(s.input(), k), rotate90(s.target(), k));
        };
    }

    /**
     * Resizes to {@code height} x {@code width}: the input bilinearly, a class-map target by nearest
     * neighbour, a field target bilinearly. Both follow PyTorch's {@code F.interpolate} with
     * {@code align_corners=False} (source coordinate {@code (dst + 0.5) * in / out - 0.5}, clamped
     * at 0) and mode {@code 'nearest'} (source index {@code floor(dst * in / out)}).
     */
    public static JointTransform resize(int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("resize target must be positive, got " + height + "x" + width);
        }
        return (s, rng) -> new Sample(Resize.bilinear(s.input(), height, width),
                s.target().dim() == 2 ? Resize.nearest(s.target(), height, width)
                        : Resize.bilinear(s.target(), height, width));
    }

    /** Applies the transforms in order, drawing from one generator. */
    public static JointTransform compose(JointTransform... transforms) {
        return (s, rng) -> {
            Sample out = s;
            for (JointTransform t : transforms) {
                out = t.apply(out, rng);
            }
            return out;
        };
    }

    private static void checkProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
        }
    }

    // ------------------------------------------------------------ helpers on (C, H, W) or (H, W)

    private enum Geometry { FLIP_W, FLIP_H }

    static Tensor crop(Tensor t, int top, int left, int height, int width) {
        int[] s = t.shape();
        int h = s[s.length - 2];
        int w = s[s.length - 1];
        int planes = t.numel() / (h * w);
        float[] in = t.data();
        float[] out = new float[planes * height * width];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(in, (p * h + top + y) * w + left, out, (p * height + y) * width, width);
            }
        }
        int[] os = s.clone();
        os[s.length - 2] = height;
        os[s.length - 1] = width;
        return Tensor.of(out, os);
    }

    private static Tensor remap(Tensor t, Geometry g) {
        int[] s = t.shape();
        int h = s[s.length - 2];
        int w = s[s.length - 1];
        int planes = t.numel() / (h * w);
        float[] in = t.data();
        float[] out = new float[in.length];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                int srcRow = (p * h + (g == Geometry.FLIP_H ? h - 1 - y : y)) * w;
                int dstRow = (p * h + y) * w;
                if (g == Geometry.FLIP_W) {
                    for (int x = 0; x < w; x++) {
                        out[dstRow + x] = in[srcRow + w - 1 - x];
                    }
                } else {
                    System.arraycopy(in, srcRow, out, dstRow, w);
                }
            }
        }
        return Tensor.of(out, s);
    }

    /**
     * Rotates each plane by k * 90 degrees counter-clockwise, as {@code torch.rot90(t, k, dims=(-2, -1))}:
     * for k = 1, {@code out[y][x] = in[x][W - 1 - y]}, with out of size (W, H).
     */
    static Tensor rotate90(Tensor t, int k) {
        int[] s = t.shape();
        int h = s[s.length - 2];
        int w = s[s.length - 1];
        int planes = t.numel() / (h * w);
        float[] in = t.data();
        float[] out = new float[in.length];
        boolean swap = (k & 1) == 1;
        int oh = swap ? w : h;
        int ow = swap ? h : w;
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    int sy;
                    int sx;
                    switch (k & 3) {
                        case 1 -> { sy = x; sx = w - 1 - y; }
                        case 2 -> { sy = h - 1 - y; sx = w - 1 - x; }
                        case 3 -> { sy = h - 1 - x; sx = y; }
                        default -> { sy = y; sx = x; }
                    }
                    out[base + y * ow + x] = in[base + sy * w + sx];
                }
            }
        }
        int[] os = s.clone();
        os[s.length - 2] = oh;
        os[s.length - 1] = ow;
        return Tensor.of(out, os);
    }
}
