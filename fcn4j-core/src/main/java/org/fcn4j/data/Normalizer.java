package org.fcn4j.data;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Per-channel normalisation of images, with statistics fitted on the training split only and then
 * applied unchanged to validation, test and prediction inputs:
 * <ul>
 *   <li>{@link Mode#STANDARD}: {@code y = (x - mean_c) / std_c}, std the population standard
 *       deviation (divide by n);</li>
 *   <li>{@link Mode#MIN_MAX}: {@code y = (x - min_c) / (max_c - min_c)}.</li>
 * </ul>
 *
 * <p>Fit with {@link #fit(Dataset, Mode)} (inputs) or {@link #fitTargets(Dataset, Mode)} (field
 * targets), or feed a {@link Fitter} yourself for data larger than memory: it makes one pass,
 * accumulates in double precision and merges per-image statistics with Chan's parallel update,
 * so a large mean does not cancel the variance.
 *
 * <p>NOTE: a constant channel (scale below {@code 2^-20} times the channel's magnitude, or zero)
 * gets scale 1, so it maps to {@code x - offset}, about 0, instead of NaN or infinity. A 2x2
 * image of zeros and one of 1e6 both min-max scale to zeros.
 *
 * <p>Ignored values (a fill value such as -9999, or NaN, for gridded fields with missing data)
 * take no part in the fit. {@link #transform} writes them as 0 (the channel mean in standard
 * mode, its minimum in min-max mode), so inputs stay finite; {@link #transformTarget} writes them
 * as NaN, so a loss can mask them. Without an ignored value, a NaN in the data is an error.
 *
 * <p>{@link #toMap()} and {@link #fromMap(Map)} store the statistics as a few text entries, which
 * model files keep so evaluation and prediction reapply them.
 *
 * <p>Shape: transform and inverse accept (C, H, W) or (N, C, H, W), C = {@link #channels()}, and
 * return the same shape.
 */
public final class Normalizer {
    /** The transform's kind. */
    public enum Mode { STANDARD, MIN_MAX }

    private static final double CONSTANT_TOLERANCE = 0x1.0p-20;

    private final Mode mode;
    private final double[] mean;   // (C)
    private final double[] std;    // (C) population standard deviation
    private final double[] min;    // (C)
    private final double[] max;    // (C)
    private final long[] count;    // (C) values fitted per channel
    private final Float ignore;    // null: nothing ignored; NaN: NaN ignored; else this fill value
    private final float[] offset;  // (C) y = (x - offset) / scale
    private final float[] scale;   // (C)

    private Normalizer(Mode mode, double[] mean, double[] std, double[] min, double[] max, long[] count,
            Float ignore) {
        this.mode = mode;
        this.mean = mean;
        this.std = std;
        this.min = min;
        this.max = max;
        this.count = count;
        this.ignore = ignore;
        int c = mean.length;
        offset = new float[c];
        scale = new float[c];
        for (int i = 0; i < c; i++) {
            double o = mode == Mode.STANDARD ? mean[i] : min[i];
            double s = mode == Mode.STANDARD ? std[i] : max[i] - min[i];
            double magnitude = Math.max(Math.abs(min[i]), Math.abs(max[i]));
            if (!(s > CONSTANT_TOLERANCE * magnitude) || s < Float.MIN_NORMAL) {
                s = 1;
            }
            offset[i] = (float) o;
            scale[i] = (float) s;
        }
    }

    /** Fits on the inputs of {@code train}, which must be the training split only. */
    public static Normalizer fit(Dataset train, Mode mode) {
        return fit(train, mode, null, false);
    }

    /** Fits on the inputs of {@code train}, skipping {@code ignore} (NaN to skip NaNs). */
    public static Normalizer fit(Dataset train, Mode mode, float ignore) {
        return fit(train, mode, ignore, false);
    }

    /** Fits on the field targets of {@code train} (regression), for {@link DataLoader.Options#withTargetNormalizer}. */
    public static Normalizer fitTargets(Dataset train, Mode mode) {
        return fitTargets(train, mode, null);
    }

    /**
     * Fits on the field targets of {@code train}, skipping {@code ignore} (NaN to skip NaNs; null
     * to skip nothing).
     */
    public static Normalizer fitTargets(Dataset train, Mode mode, Float ignore) {
        if (train.targetKind() != TargetKind.FIELD) {
            throw new IllegalArgumentException("fitTargets needs a dataset with field targets; class maps are never"
                    + " normalised");
        }
        return fit(train, mode, ignore, true);
    }

    private static Normalizer fit(Dataset train, Mode mode, Float ignore, boolean targets) {
        if (train.size() == 0) {
            throw new IllegalArgumentException("cannot fit a normalizer on an empty dataset");
        }
        Fitter f = null;
        for (int i = 0; i < train.size(); i++) {
            Tensor t = targets ? train.get(i).target() : train.get(i).input();
            if (f == null) {
                f = new Fitter(mode, t.size(0), ignore);
            }
            f.add(t);
        }
        return f.finish();
    }

    /** Starts a streaming fit over {@code channels} channels; {@code ignore} null ignores nothing. */
    public static Fitter fitter(Mode mode, int channels, Float ignore) {
        return new Fitter(mode, channels, ignore);
    }

    /**
     * One-pass accumulator of per-channel count, mean, sum of squared deviations (M2), min and max.
     * Each added image's statistics are computed exactly, then merged with Chan et al.'s update
     * {@code M2 = M2_a + M2_b + delta^2 * n_a * n_b / n}, which stays accurate when the mean is
     * large against the spread. Not thread-safe; fit parts in parallel and {@link #merge} them.
     */
    public static final class Fitter {
        private final Mode mode;
        private final int channels;
        private final Float ignore;
        private final long[] n;
        private final double[] mean;
        private final double[] m2;
        private final double[] min;
        private final double[] max;

        private Fitter(Mode mode, int channels, Float ignore) {
            if (channels < 1) {
                throw new IllegalArgumentException("channels must be at least 1, got " + channels);
            }
            this.mode = mode;
            this.channels = channels;
            this.ignore = ignore;
            n = new long[channels];
            mean = new double[channels];
            m2 = new double[channels];
            min = new double[channels];
            max = new double[channels];
            Arrays.fill(min, Double.POSITIVE_INFINITY);
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
        }

        /** Adds an image (C, H, W) or a batch (N, C, H, W). */
        public Fitter add(Tensor t) {
            int[] s = t.shape();
            int c = channelsOf(s);
            if (c != channels) {
                throw new IllegalArgumentException("expected (" + channels + ", H, W) or (N, " + channels
                        + ", H, W), got " + Shape.str(s));
            }
            int images = s.length == 4 ? s[0] : 1;
            int plane = s[s.length - 1] * s[s.length - 2];
            float[] d = t.data();
            for (int img = 0; img < images; img++) {
                for (int ch = 0; ch < channels; ch++) {
                    addPlane(ch, d, (img * channels + ch) * plane, plane);
                }
            }
            return this;
        }

        private void addPlane(int ch, float[] d, int from, int len) {
            // Exact two-pass statistics of this plane in double, then one Chan merge.
            long k = 0;
            double sum = 0;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int i = from; i < from + len; i++) {
                float v = d[i];
                if (isIgnored(v)) {
                    continue;
                }
                if (Float.isNaN(v)) {
                    throw new IllegalArgumentException("channel " + ch + " contains NaN; fit with ignore NaN to skip"
                            + " missing values");
                }
                k++;
                sum += v;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            if (k == 0) {
                return;
            }
            double m = sum / k;
            double q = 0;
            for (int i = from; i < from + len; i++) {
                float v = d[i];
                if (!isIgnored(v)) {
                    double dv = v - m;
                    q += dv * dv;
                }
            }
            merge(ch, k, m, q, lo, hi);
        }

        private boolean isIgnored(float v) {
            return ignore != null && (Float.isNaN(ignore) ? Float.isNaN(v) : v == ignore);
        }

        private void merge(int ch, long nb, double meanB, double m2B, double lo, double hi) {
            long na = n[ch];
            long total = na + nb;
            double delta = meanB - mean[ch];
            mean[ch] += delta * nb / total;
            m2[ch] += m2B + delta * delta * ((double) na * nb / total);
            n[ch] = total;
            min[ch] = Math.min(min[ch], lo);
            max[ch] = Math.max(max[ch], hi);
        }

        /** Adds the statistics of another fitter of the same mode, channels and ignored value. */
        public Fitter merge(Fitter other) {
            if (other.channels != channels || other.mode != mode || !java.util.Objects.equals(other.ignore, ignore)) {
                throw new IllegalArgumentException("cannot merge a fitter (" + other.mode + ", " + other.channels
                        + " channels) into one (" + mode + ", " + channels + " channels) of another kind");
            }
            for (int ch = 0; ch < channels; ch++) {
                if (other.n[ch] > 0) {
                    merge(ch, other.n[ch], other.mean[ch], other.m2[ch], other.min[ch], other.max[ch]);
                }
            }
            return this;
        }

        /** Returns the fitted normalizer; every channel needs at least one value that is not ignored. */
        public Normalizer finish() {
            double[] std = new double[channels];
            for (int ch = 0; ch < channels; ch++) {
                if (n[ch] == 0) {
                    throw new IllegalStateException("channel " + ch + " has no value to fit (all ignored or no data)");
                }
                std[ch] = Math.sqrt(Math.max(0, m2[ch] / n[ch]));
            }
            return new Normalizer(mode, mean.clone(), std, min.clone(), max.clone(), n.clone(), ignore);
        }
    }

    public Mode mode() {
        return mode;
    }

    public int channels() {
        return mean.length;
    }

    /** Per-channel means of the training data. */
    public double[] mean() {
        return mean.clone();
    }

    /** Per-channel population standard deviations of the training data. */
    public double[] std() {
        return std.clone();
    }

    public double[] min() {
        return min.clone();
    }

    public double[] max() {
        return max.clone();
    }

    /** Returns the value subtracted from channel c: its mean or its minimum. */
    public float offset(int c) {
        return offset[c];
    }

    /** Returns the divisor of channel c after the constant-channel guard. */
    public float scale(int c) {
        return scale[c];
    }

    /** Returns the normalised copy of (C, H, W) or (N, C, H, W); ignored values become 0. */
    public Tensor transform(Tensor t) {
        return apply(t, false, 0f);
    }

    /**
     * Returns the normalised copy of a target, with ignored values written as NaN so that a loss
     * can mask the missing pixels; the {@link DataLoader} uses it for field targets.
     */
    public Tensor transformTarget(Tensor t) {
        return apply(t, false, Float.NaN);
    }

    /** Maps normalised values back, {@code x = y * scale_c + offset_c}, e.g. for regression outputs. */
    public Tensor inverse(Tensor t) {
        return apply(t, true, 0f);
    }

    private Tensor apply(Tensor t, boolean inverse, float ignoredOut) {
        int[] s = t.shape();
        int c = channels();
        int ch = channelsOf(s);
        if (ch != c) {
            throw new IllegalArgumentException("expected (" + c + ", H, W) or (N, " + c + ", H, W) for a normalizer "
                    + "fitted on " + c + " channels, got " + Shape.str(s));
        }
        int plane = s[s.length - 1] * s[s.length - 2];
        float[] in = t.data();
        float[] out = new float[in.length];
        boolean checkIgnore = ignore != null && !inverse;
        for (int p = 0; p < in.length / plane; p++) {
            int k = p % c;
            float o = offset[k];
            float sc = scale[k];
            float inv = 1f / sc;
            for (int i = p * plane; i < (p + 1) * plane; i++) {
                float v = in[i];
                if (inverse) {
                    out[i] = v * sc + o;
                } else if (checkIgnore && (Float.isNaN(ignore) ? Float.isNaN(v) : v == ignore)) {
                    out[i] = ignoredOut;
                } else {
                    out[i] = (v - o) * inv;
                }
            }
        }
        return Tensor.of(out, s);
    }

    /**
     * Returns the fitted statistics as text: keys {@code mode}, {@code channels}, {@code mean},
     * {@code std}, {@code min}, {@code max}, {@code count} (comma-separated per channel, exact
     * round trip) and {@code ignore} when values are ignored.
     */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("mode", mode.name().toLowerCase(Locale.ROOT));
        m.put("channels", Integer.toString(channels()));
        m.put("mean", join(mean));
        m.put("std", join(std));
        m.put("min", join(min));
        m.put("max", join(max));
        StringBuilder sb = new StringBuilder();
        for (long v : count) {
            sb.append(sb.isEmpty() ? "" : ",").append(v);
        }
        m.put("count", sb.toString());
        if (ignore != null) {
            m.put("ignore", Float.toString(ignore));
        }
        return m;
    }

    /**
     * Rebuilds a normalizer from {@link #toMap()}, or from the JSON object that a model file stores
     * it as ({@code ModelFile.Contents.json}), whose values are read as text. Rejects missing or
     * malformed entries.
     */
    public static Normalizer fromMap(Map<String, ?> entries) {
        Map<String, String> m = new LinkedHashMap<>();
        entries.forEach((k, v) -> m.put(k, v == null ? null : String.valueOf(v)));
        String modeText = require(m, "mode");
        Mode mode;
        try {
            mode = Mode.valueOf(modeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("normalizer entry mode is '" + modeText + "', expected standard or "
                    + "min_max", e);
        }
        int c;
        try {
            c = Integer.parseInt(require(m, "channels"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("normalizer entry channels is not an integer: " + m.get("channels"), e);
        }
        if (c < 1) {
            throw new IllegalArgumentException("normalizer entry channels must be at least 1, got " + c);
        }
        double[] counts = split(m, "count", c);
        long[] n = new long[c];
        for (int i = 0; i < c; i++) {
            n[i] = (long) counts[i];
        }
        String ig = m.get("ignore");
        Float ignore = ig == null ? null : Float.valueOf(ig);
        return new Normalizer(mode, split(m, "mean", c), split(m, "std", c), split(m, "min", c), split(m, "max", c),
                n, ignore);
    }

    /** Returns C of a (C, H, W) or (N, C, H, W) shape, or -1 for any other rank. */
    private static int channelsOf(int[] shape) {
        if (shape.length == 3) {
            return shape[0];
        }
        if (shape.length == 4) {
            return shape[1];
        }
        return -1;
    }

    private static String require(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("normalizer entry '" + key + "' is missing; entries present: "
                    + m.keySet());
        }
        return v;
    }

    private static double[] split(Map<String, String> m, String key, int c) {
        String[] parts = require(m, key).split(",");
        if (parts.length != c) {
            throw new IllegalArgumentException("normalizer entry '" + key + "' has " + parts.length + " values, "
                    + "expected " + c + " (one per channel)");
        }
        double[] out = new double[c];
        for (int i = 0; i < c; i++) {
            try {
                out[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("normalizer entry '" + key + "' value " + i + " is not a number: '"
                        + parts[i] + "'", e);
            }
        }
        return out;
    }

    private static String join(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Normalizer(" + toMap() + ")";
    }
}
