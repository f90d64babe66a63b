package org.fcn4j.nn;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Resizes image planes to a given size or by a scale factor, by nearest-neighbour or bilinear
 * interpolation; {@link #interpolate} is the same operation as a function.
 *
 * <p>For output position d along an axis of input size {@code in} and output size {@code out},
 * with {@code scale = 1 / scaleFactor} when a scale factor is given and {@code in / out}
 * otherwise (both in float32, as PyTorch's CPU kernels):
 * <pre>
 *   nearest:                       src = min(floor(d * scale), in - 1)
 *   bilinear, alignCorners false:  src = max((d + 0.5) * scale - 0.5, 0)
 *   bilinear, alignCorners true:   src = d * (in - 1) / (out - 1)
 * </pre>
 * and bilinear mixes the neighbours floor(src) and floor(src) + 1 (clamped to in - 1) with
 * weights 1 - frac(src) and frac(src), along H and then W.
 *
 * <p>NOTE: with a scale factor, the coordinates use 1 / scaleFactor, not in / out, exactly as
 * PyTorch does when recompute_scale_factor is not set; for non-integer factors the two differ.
 *
 * <p>NOTE: in bilinear mode, an axis whose output size equals its input size is copied unchanged,
 * even when a scale factor such as 1.1 would give other coordinates, as PyTorch 1.13 does. In
 * nearest mode PyTorch 1.13 does so (and takes dst / 2 for a doubled size) only for inputs with
 * one channel, while its backward pass always does (so for several channels its gradient is then
 * not the forward's exact adjoint); fcn4j follows both.
 *
 * <p>NOTE: alignCorners true keeps the corner pixels' centres aligned, so values at the borders
 * are copied exactly; false (the default) treats pixels as areas, the convention of most image
 * libraries.
 *
 * <p>Arguments: an output size (H_out, W_out) or a scale factor per axis (positive);
 * {@code mode} (default NEAREST); {@code alignCorners} (default false, only for BILINEAR).
 *
 * <p>Shape:
 * <pre>
 *   input:  (N, C, H, W)
 *   output: (N, C, H_out, W_out), with H_out = floor(H * scaleFactorH) when a scale factor is
 *           given, and likewise W_out
 * </pre>
 */
public final class Upsample extends Module {
    /** Interpolation mode. */
    public enum Mode { NEAREST, BILINEAR }

    private final int[] size;           // (H_out, W_out) or null
    private final double[] scaleFactor; // (sH, sW) or null
    private final Mode mode;
    private final boolean alignCorners;

    private Upsample(int[] size, double[] scaleFactor, Mode mode, boolean alignCorners) {
        this.size = size;
        this.scaleFactor = scaleFactor;
        this.mode = mode;
        this.alignCorners = alignCorners;
        checkArguments(size, scaleFactor, mode, alignCorners);
    }

    /** Resizes to H_out x W_out. */
    public static Upsample toSize(int outH, int outW, Mode mode, boolean alignCorners) {
        return new Upsample(new int[] {outH, outW}, null, mode, alignCorners);
    }

    /** Scales both axes by {@code scaleFactor}, e.g. 2 to double the size. */
    public static Upsample byScale(double scaleFactor, Mode mode, boolean alignCorners) {
        return new Upsample(null, new double[] {scaleFactor, scaleFactor}, mode, alignCorners);
    }

    /** Scales H by {@code scaleH} and W by {@code scaleW}. */
    public static Upsample byScale(double scaleH, double scaleW, Mode mode, boolean alignCorners) {
        return new Upsample(null, new double[] {scaleH, scaleW}, mode, alignCorners);
    }

    @Override
    public Tensor forward(Tensor input) {
        return interpolate(input, size, scaleFactor, mode, alignCorners);
    }

    /**
     * Resizes {@code input} (N, C, H, W) as PyTorch's {@code F.interpolate}: give exactly one of
     * {@code size} (H_out, W_out) or {@code scaleFactor} (one value for both axes, or one per
     * axis); the other is null.
     */
    public static Tensor interpolate(Tensor input, int[] size, double[] scaleFactor, Mode mode,
            boolean alignCorners) {
        checkArguments(size, scaleFactor, mode, alignCorners);
        int[] shape = input.shape();
        if (shape.length != 4) {
            throw new IllegalArgumentException("interpolate: expected input of shape (N, C, H, W), got "
                    + Shape.str(shape));
        }
        int outH;
        int outW;
        double scaleH = 0;
        double scaleW = 0;
        if (size != null) {
            outH = size[0];
            outW = size.length == 2 ? size[1] : size[0];
        } else {
            scaleH = scaleFactor[0];
            scaleW = scaleFactor.length == 2 ? scaleFactor[1] : scaleFactor[0];
            outH = (int) Math.floor(shape[2] * scaleH);
            outW = (int) Math.floor(shape[3] * scaleW);
        }
        if (outH < 1 || outW < 1 || shape[2] < 1 || shape[3] < 1) {
            throw new IllegalArgumentException("interpolate: input " + Shape.str(shape) + " would give an output of "
                    + outH + " x " + outW + "; both must be non-empty");
        }
        // The kernels index planes * H_out * W_out in an int; a huge size or scale factor must fail here.
        if ((long) shape[0] * shape[1] * outH * outW > Integer.MAX_VALUE || outH == Integer.MAX_VALUE
                || outW == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("interpolate: input " + Shape.str(shape) + " would give an output of "
                    + outH + " x " + outW + " per plane, more than 2^31 - 1 values in all; use a smaller size or "
                    + "scale factor");
        }
        return mode == Mode.NEAREST
                ? ResizeKernels.nearest(input, outH, outW, scaleH, scaleW)
                : ResizeKernels.bilinear(input, outH, outW, scaleH, scaleW, alignCorners);
    }

    private static void checkArguments(int[] size, double[] scaleFactor, Mode mode, boolean alignCorners) {
        if ((size == null) == (scaleFactor == null)) {
            throw new IllegalArgumentException("interpolate: give either an output size or a scale factor, not "
                    + (size == null ? "neither" : "both"));
        }
        if (size != null && (size.length < 1 || size.length > 2 || size[0] < 1 || size[size.length - 1] < 1)) {
            throw new IllegalArgumentException("interpolate: size must be one or two positive ints, got "
                    + java.util.Arrays.toString(size));
        }
        if (scaleFactor != null) {
            boolean ok = scaleFactor.length >= 1 && scaleFactor.length <= 2;
            for (double s : scaleFactor) {
                ok &= s > 0 && !Double.isInfinite(s);
            }
            if (!ok) {
                throw new IllegalArgumentException("interpolate: scaleFactor must be one or two positive finite "
                        + "numbers, got " + java.util.Arrays.toString(scaleFactor));
            }
        }
        if (mode == null) {
            throw new IllegalArgumentException("interpolate: mode is missing; use NEAREST or BILINEAR");
        }
        if (alignCorners && mode == Mode.NEAREST) {
            throw new IllegalArgumentException("interpolate: alignCorners applies only to BILINEAR mode; pass false "
                    + "for NEAREST");
        }
    }

    @Override
    public String toString() {
        String target = size != null ? "size=(" + size[0] + ", " + size[1] + ")"
                : "scale_factor=(" + scaleFactor[0] + ", " + scaleFactor[1] + ")";
        return "Upsample(" + target + ", mode=" + mode.name().toLowerCase(java.util.Locale.ROOT)
                + (mode == Mode.BILINEAR ? ", align_corners=" + alignCorners : "") + ")";
    }
}
