package org.fcn4j.nn;

import org.fcn4j.autograd.Backward;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.kernel.VectorOps;
import org.fcn4j.tensor.Arena;
import org.fcn4j.tensor.Tensor;

/**
 * Fused forward and backward kernels of the normalisation layers.
 *
 * <p>Legend: N batch, C channels, S = H * W (or the product of all trailing dimensions), P = N * C
 * planes of S contiguous values, G statistic groups, R rows and M row length (LayerNorm).
 *
 * <p>BatchNorm2d, InstanceNorm2d and GroupNorm share one plane kernel: plane p = (n, c) belongs to
 * statistic group {@code g = n * groupsPerSample + c / channelsPerGroup} (BatchNorm: g = c;
 * InstanceNorm: g = n * C + c; GroupNorm: g = n * G + c / (C / G)), and its affine parameters are
 * those of channel c. LayerNorm has its own row kernel because its gamma and beta vary per
 * element. Every reduction runs in double over a fixed order of planes, so results do not depend
 * on the thread count. Parallel loops write disjoint planes, rows or columns.
 */
final class NormKernels {
    private NormKernels() {
    }

    /** Assignment of planes (n, c) to statistic groups. */
    record Grouping(int n, int c, int s, int groupsPerSample, int channelsPerGroup) {
        /** BatchNorm: one group per channel, over (N, S). */
        static Grouping perChannel(int n, int c, int s) {
            return new Grouping(n, c, s, 0, 1);
        }

        /** InstanceNorm: one group per (sample, channel), over S. */
        static Grouping perPlane(int n, int c, int s) {
            return new Grouping(n, c, s, c, 1);
        }

        /** GroupNorm: one group per (sample, group of C / G channels). */
        static Grouping perGroup(int n, int c, int s, int groups) {
            return new Grouping(n, c, s, groups, c / groups);
        }

        int groupCount() {
            return groupsPerSample == 0 ? c : n * groupsPerSample;
        }

        int groupOf(int plane) {
            int sample = plane / c;
            int channel = plane % c;
            return sample * groupsPerSample + channel / channelsPerGroup;
        }

        /** Values per group. */
        long groupSize() {
            return groupsPerSample == 0 ? (long) n * s : (long) channelsPerGroup * s;
        }
    }

    /** Statistics used by one forward pass, in double; kept for backward. */
    record Stats(double[] mean, double[] var, double[] invStd) {
    }

    /** Returns the non-null operands, because the autograd graph takes no null inputs. */
    private static Tensor[] inputs(Tensor input, Tensor weight, Tensor bias) {
        return weight == null ? new Tensor[] {input} : new Tensor[] {input, weight, bias};
    }

    // ---------------------------------------------------------------- statistics

    /**
     * Computes each group's mean and biased variance in one pass per plane, then merges the planes
     * of a group with the pairwise update of Chan, Golub and LeVeque. The plane sums are of
     * x - x0, shifted by the plane's first value, so that a large mean does not cancel the variance.
     */
    static Stats groupStats(float[] x, Grouping gr, double eps) {
        int planes = gr.n * gr.c;
        int s = gr.s;
        double[] planeMean = new double[planes];   // (P)
        double[] planeM2 = new double[planes];     // (P) sum of squared deviations from the plane mean
        Parallel.forRange(planes, (start, end) -> {
            double[] sums = new double[2];
            for (int p = start; p < end; p++) {
                int base = p * s;
                double shift = s > 0 ? x[base] : 0;
                VectorOps.normStats(s, x, base, shift, sums);
                double m = sums[0] / s;
                planeMean[p] = shift + m;
                planeM2[p] = Math.max(0, sums[1] - sums[0] * m);
            }
        });

        int groups = gr.groupCount();
        double[] mean = new double[groups];
        double[] m2 = new double[groups];
        long[] count = new long[groups];
        for (int p = 0; p < planes; p++) {
            int g = gr.groupOf(p);
            long na = count[g];
            long nb = s;
            long nab = na + nb;
            double delta = planeMean[p] - mean[g];
            mean[g] += delta * nb / nab;
            m2[g] += planeM2[p] + delta * delta * ((double) na * nb / nab);
            count[g] = nab;
        }
        double[] var = new double[groups];
        double[] invStd = new double[groups];
        for (int g = 0; g < groups; g++) {
            var[g] = m2[g] / count[g];
            invStd[g] = 1.0 / Math.sqrt(var[g] + eps);
        }
        return new Stats(mean, var, invStd);
    }

    /** Statistics of rows of length m (LayerNorm), one shifted pass per row. */
    static Stats rowStats(float[] x, int rows, int m, double eps) {
        double[] mean = new double[rows];
        double[] var = new double[rows];
        double[] invStd = new double[rows];
        Parallel.forRange(rows, (start, end) -> {
            for (int r = start; r < end; r++) {
                int base = r * m;
                double shift = x[base];
                double sum = 0;
                double sumSq = 0;
                for (int j = 0; j < m; j++) {
                    double d = x[base + j] - shift;
                    sum += d;
                    sumSq += d * d;
                }
                double mu = sum / m;
                mean[r] = shift + mu;
                var[r] = Math.max(0, sumSq / m - mu * mu);
                invStd[r] = 1.0 / Math.sqrt(var[r] + eps);
            }
        });
        return new Stats(mean, var, invStd);
    }

    // ---------------------------------------------------------------- plane kernel (BatchNorm, InstanceNorm, GroupNorm)

    /**
     * y = (x - mean_g) * invStd_g * gamma_c + beta_c for every plane (n, c) of group g.
     *
     * @param batchStats true when the statistics were computed from this input, so that the
     *        backward pass includes their dependence on x; false for running statistics
     * @param weight gamma (C) or null; bias beta (C) or null
     */
    static Tensor planeForward(String name, Tensor input, Grouping gr, Stats st, boolean batchStats,
            Tensor weight, Tensor bias) {
        return planeForward(name, input, gr, st, batchStats, weight, bias, false);
    }

    /**
     * As above, followed by ReLU when {@code relu} is true: y = max(0, norm(x)) in one pass, and in
     * the backward pass dy is zeroed where y is not positive before the norm's gradient. This saves
     * the separate ReLU's output (a whole activation) and two passes over memory.
     *
     * <p>NOTE: the backward pass does not read y: it recomputes y's sign from x with the forward
     * pass's own per-plane coefficients, so the caller may give y's storage back to the arena once
     * its consumers no longer need it (the U-Net does so for its skip connections).
     */
    static Tensor planeForward(String name, Tensor input, Grouping gr, Stats st, boolean batchStats,
            Tensor weight, Tensor bias, boolean relu) {
        float[] x = input.data();                           // (N, C, S)
        float[] gamma = weight == null ? null : weight.data();  // (C)
        float[] beta = bias == null ? null : bias.data();       // (C)
        int s = gr.s;
        int c = gr.c;
        int planes = gr.n * c;

        // y = (x - mu) * scale + shift per plane; the ReLU's backward recomputes y from these.
        float[] mu = new float[planes];     // (P)
        float[] scale = new float[planes];  // (P)
        float[] shift = new float[planes];  // (P)
        for (int p = 0; p < planes; p++) {
            int g = gr.groupOf(p);
            int ch = p % c;
            mu[p] = (float) st.mean[g];
            scale[p] = (float) (st.invStd[g] * (gamma == null ? 1 : gamma[ch]));
            shift[p] = beta == null ? 0f : beta[ch];
        }

        float[] y = Arena.floatsToOverwrite(x.length);      // (N, C, S)
        Parallel.forRange(planes, (start, end) -> {
            for (int p = start; p < end; p++) {
                int base = p * s;
                if (relu) {
                    normRelu(x, y, base, base + s, mu[p], scale[p], shift[p]);
                } else {
                    float m = mu[p];
                    float k = scale[p];
                    float b = shift[p];
                    for (int i = base; i < base + s; i++) {
                        y[i] = (x[i] - m) * k + b;
                    }
                }
            }
        });

        Relu r = relu ? new Relu(mu, scale, shift) : null;
        Backward backward = dOut -> planeBackward(dOut, input, gr, st, batchStats, weight, bias, r);
        return Tensor.result(relu ? name + "_relu" : name, y, input.shape(), backward, inputs(input, weight, bias));
    }

    // NOTE: Math.max keeps NaN, as torch.relu does.
    private static void normRelu(float[] x, float[] y, int from, int to, float mu, float scale, float shift) {
        for (int i = from; i < to; i++) {
            y[i] = Math.max((x[i] - mu) * scale + shift, 0f);
        }
    }

    /**
     * The ReLU fused after the norm, as the per-plane coefficients of y = max(0, (x - mu) * scale +
     * shift). The backward pass recomputes y from x with them, bit for bit as the forward pass did.
     */
    private record Relu(float[] mu, float[] scale, float[] shift) {
    }

    /**
     * Gradients of {@link #planeForward}. With xc = x - mean_g, dxhat = gamma_c * dy and M values
     * per group: dx = invStd * (dxhat - sum(dxhat) / M - xhat * sum(dxhat * xhat) / M) with batch
     * statistics, dx = invStd * dxhat with fixed ones; dgamma_c = sum(dy * xhat) and
     * dbeta_c = sum(dy) over the planes of channel c.
     *
     * <p>With a fused ReLU (relu not null), dy is masked where it is read, in both passes over the
     * planes, rather than by a pass of its own, which saves a read and a write of a whole
     * activation per layer.
     */
    private static void planeBackward(float[] dy, Tensor input, Grouping gr, Stats st, boolean batchStats,
            Tensor weight, Tensor bias, Relu relu) {
        float[] x = input.data();
        float[] gamma = weight == null ? null : weight.data();
        int s = gr.s;
        int c = gr.c;
        int planes = gr.n * c;

        // Per-plane sums of dy and dy * xc.
        double[] sumDy = new double[planes];     // (P)
        double[] sumDyXc = new double[planes];   // (P)
        boolean masked = relu != null;
        Parallel.forRange(planes, (start, end) -> {
            double[] sums = new double[2];
            for (int p = start; p < end; p++) {
                float mu = (float) st.mean[gr.groupOf(p)];
                VectorOps.normBackwardSums(s, dy, x, p * s, mu, masked, masked ? relu.scale[p] : 0f,
                        masked ? relu.shift[p] : 0f, sums);
                sumDy[p] = sums[0];
                sumDyXc[p] = sums[1];
            }
        });

        // Parameter gradients, summed over samples in plane order.
        if (weight != null && weight.requiresGrad()) {
            float[] dGamma = weight.gradBuffer();
            for (int ch = 0; ch < c; ch++) {
                double acc = 0;
                for (int p = ch; p < planes; p += c) {
                    acc += st.invStd[gr.groupOf(p)] * sumDyXc[p];
                }
                dGamma[ch] += (float) acc;
            }
        }
        if (bias != null && bias.requiresGrad()) {
            float[] dBeta = bias.gradBuffer();
            for (int ch = 0; ch < c; ch++) {
                double acc = 0;
                for (int p = ch; p < planes; p += c) {
                    acc += sumDy[p];
                }
                dBeta[ch] += (float) acc;
            }
        }
        if (!input.requiresGrad()) {
            return;
        }

        // Group sums of dxhat and dxhat * xc.
        int groups = gr.groupCount();
        double[] sumDxhat = new double[groups];     // (G)
        double[] sumDxhatXc = new double[groups];   // (G)
        if (batchStats) {
            for (int p = 0; p < planes; p++) {
                int g = gr.groupOf(p);
                double w = gamma == null ? 1 : gamma[p % c];
                sumDxhat[g] += w * sumDy[p];
                sumDxhatXc[g] += w * sumDyXc[p];
            }
        }

        // dx = invStd * (dxhat - mean(dxhat)) + b * xc per plane, in double and centred before
        // scaling: in small groups the two terms nearly cancel, and float32 left an error of
        // invStd * ulp(dxhat) (6e-5 for a group of one value with eps 1e-5, where PyTorch gives 0).
        // The first gradient to reach x is written, not added to zeros.
        double m = gr.groupSize();
        boolean add = input.gradOrNull() != null;
        float[] dx = add ? input.gradBuffer() : input.gradBufferToOverwrite();
        Parallel.forRange(planes, (start, end) -> {
            for (int p = start; p < end; p++) {
                int g = gr.groupOf(p);
                double inv = st.invStd[g];
                double w = gamma == null ? 1 : gamma[p % c];
                double meanDxhat = sumDxhat[g] / m;
                double b = -inv * inv * inv * sumDxhatXc[g] / m;
                float mu = (float) st.mean[g];
                VectorOps.normBackwardDx(s, dy, x, p * s, mu, masked, masked ? relu.scale[p] : 0f,
                        masked ? relu.shift[p] : 0f, inv, w, meanDxhat, b, dx, add);
            }
        });
    }

    // ---------------------------------------------------------------- row kernel (LayerNorm)

    /** y[r, j] = (x[r, j] - mean_r) * invStd_r * gamma_j + beta_j over rows of length m. */
    static Tensor rowForward(String name, Tensor input, int rows, int m, Stats st, Tensor weight, Tensor bias) {
        float[] x = input.data();                               // (R, M)
        float[] gamma = weight == null ? null : weight.data();  // (M)
        float[] beta = bias == null ? null : bias.data();       // (M)
        float[] y = new float[x.length];                        // (R, M)
        Parallel.forRange(rows, (start, end) -> {
            for (int r = start; r < end; r++) {
                float mu = (float) st.mean[r];
                float inv = (float) st.invStd[r];
                int base = r * m;
                for (int j = 0; j < m; j++) {
                    float v = (x[base + j] - mu) * inv;
                    y[base + j] = gamma == null ? v : v * gamma[j] + beta[j];
                }
            }
        });
        Backward backward = dOut -> rowBackward(dOut, input, rows, m, st, weight, bias);
        return Tensor.result(name, y, input.shape(), backward, inputs(input, weight, bias));
    }

    private static void rowBackward(float[] dy, Tensor input, int rows, int m, Stats st, Tensor weight,
            Tensor bias) {
        float[] x = input.data();
        float[] gamma = weight == null ? null : weight.data();

        // Parameter gradients: columns in parallel, rows in order.
        boolean needGamma = weight != null && weight.requiresGrad();
        boolean needBeta = bias != null && bias.requiresGrad();
        if (needGamma || needBeta) {
            float[] dGamma = needGamma ? weight.gradBuffer() : null;
            float[] dBeta = needBeta ? bias.gradBuffer() : null;
            Parallel.forRange(m, (start, end) -> {
                double[] accGamma = new double[end - start];
                double[] accBeta = new double[end - start];
                for (int r = 0; r < rows; r++) {
                    float mu = (float) st.mean[r];
                    double inv = st.invStd[r];
                    int base = r * m;
                    for (int j = start; j < end; j++) {
                        accGamma[j - start] += dy[base + j] * (x[base + j] - mu) * inv;
                        accBeta[j - start] += dy[base + j];
                    }
                }
                for (int j = start; j < end; j++) {
                    if (dGamma != null) {
                        dGamma[j] += (float) accGamma[j - start];
                    }
                    if (dBeta != null) {
                        dBeta[j] += (float) accBeta[j - start];
                    }
                }
            });
        }
        if (!input.requiresGrad()) {
            return;
        }

        float[] dx = input.gradBuffer();
        Parallel.forRange(rows, (start, end) -> {
            for (int r = start; r < end; r++) {
                float mu = (float) st.mean[r];
                double inv = st.invStd[r];
                int base = r * m;
                double sumDxhat = 0;
                double sumDxhatXc = 0;
                for (int j = 0; j < m; j++) {
                    double g = gamma == null ? dy[base + j] : (double) dy[base + j] * gamma[j];
                    sumDxhat += g;
                    sumDxhatXc += g * (x[base + j] - mu);
                }
                // In double, and centred before scaling: with short rows, inv * g and the mean term
                // nearly cancel, and float32 left an error of inv * ulp(g) (6e-5 for a row of one).
                double meanG = sumDxhat / m;
                double b = -inv * inv * inv * sumDxhatXc / m;
                for (int j = 0; j < m; j++) {
                    double g = gamma == null ? dy[base + j] : (double) dy[base + j] * gamma[j];
                    dx[base + j] += (float) (inv * (g - meanG) + b * (x[base + j] - mu));
                }
            }
        });
    }
}
