package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.data.Batch;
import org.fcn4j.data.DataLoader;
import org.fcn4j.data.Dataset;
import org.fcn4j.data.Normalizer;
import org.fcn4j.io.AtomicFiles;
import org.fcn4j.io.Json;
import org.fcn4j.io.ModelFile;
import org.fcn4j.metrics.ConfusionMatrixCsv;
import org.fcn4j.metrics.SegmentationMetrics;
import org.fcn4j.model.ModelConfig;
import org.fcn4j.model.Models;
import org.fcn4j.nn.Module;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.train.Evaluation;
import org.fcn4j.train.Evaluations;

/**
 * A model rebuilt from its file (architecture, weights, normalisation, classes, dataset), and its
 * evaluation on a dataset: metrics over the whole split, the confusion matrix CSV (the format
 * {@code fcn4j iou} reads), SPLIT_metrics.json and the pictures.
 */
final class Evaluator {
    private Evaluator() {
    }

    /** A model rebuilt from its file, with its normalisation, classes and training dataset. */
    record Loaded(ModelFile.Contents file, Module model, ModelConfig config, String task, Normalizer normalizer,
            Normalizer targetNormalizer, List<String> classes, int ignoreIndex, Map<String, Object> dataset) {
        boolean segmentation() {
            return task.equals("segmentation");
        }

        /** Normalises a (N, C, H, W) batch of raw inputs with the training statistics. */
        Tensor normalize(Tensor batch) {
            if (normalizer == null) {
                return batch;
            }
            int n = batch.size(0);
            Tensor[] out = new Tensor[n];
            int[] s = batch.shape();
            for (int i = 0; i < n; i++) {
                Tensor one = batch.slice(0, i, i + 1).reshape(s[1], s[2], s[3]);
                out[i] = normalizer.transform(one).reshape(1, s[1], s[2], s[3]);
            }
            return Tensor.concat(0, out);
        }

        /**
         * Maps a regression output (N, C, H, W) back to the target's units when the model was trained on
         * normalised targets; returns other outputs unchanged.
         */
        Tensor denormalize(Tensor output) {
            return targetNormalizer == null ? output : targetNormalizer.inverse(output);
        }
    }

    static Loaded load(ModelFile.Contents f) throws IOException {
        ModelConfig config;
        try {
            config = ModelConfig.fromJson(f.require(ModelFile.MODEL_KEY));
        } catch (IllegalArgumentException e) {
            throw new IOException(f.path() + ": invalid model configuration in the metadata: " + e.getMessage(), e);
        }
        Module model = Models.create(config, new Generator(0));
        try {
            model.loadStateDict(f.stateDict(), true);
        } catch (IllegalArgumentException e) {
            throw new IOException(f.path() + ": the weights do not fit the model configuration it declares: "
                    + e.getMessage(), e);
        }
        model.eval();
        String task = f.require(ModelFile.TASK_KEY);
        Normalizer normalizer = normalizer(f, ModelFile.NORMALIZATION_KEY);
        Normalizer targetNormalizer = f.metadata().containsKey(ModelFile.TARGET_NORMALIZATION_KEY)
                ? normalizer(f, ModelFile.TARGET_NORMALIZATION_KEY) : null;
        if (targetNormalizer != null && (task.equals("segmentation")
                || targetNormalizer.channels() != config.outChannels())) {
            throw new IOException(f.path() + ": the target normalisation has " + targetNormalizer.channels()
                    + " channel(s) for a " + task + " model with " + config.outChannels() + " output channel(s)");
        }
        List<String> classes = new ArrayList<>();
        if (task.equals("segmentation")) {
            for (Object o : (List<?>) Json.parse(f.require(ModelFile.CLASSES_KEY))) {
                classes.add(String.valueOf(o));
            }
        }
        String ignore = f.metadata().get("ignore_index");
        return new Loaded(f, model, config, task, normalizer, targetNormalizer, classes, ignore == null ? 255 : Integer.parseInt(ignore),
                f.json(ModelFile.DATASET_KEY));
    }

    private static Normalizer normalizer(ModelFile.Contents f, String key) throws IOException {
        Map<String, Object> stats = f.json(key);
        if (stats.isEmpty()) {
            return null;
        }
        try {
            return Normalizer.fromMap(stats);
        } catch (IllegalArgumentException e) {
            throw new IOException(f.path() + ": invalid '" + key + "' statistics in the metadata: " + e.getMessage(), e);
        }
    }

    /** Metrics of one evaluation. */
    record Report(String task, Map<String, Double> metrics, SegmentationMetrics segmentation, List<String> classes) {
        String summaryLine(String split) {
            StringBuilder sb = new StringBuilder(split);
            metrics.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
            return sb.toString();
        }
    }

    /**
     * Evaluates the model of {@code file} on {@code data}, the given split, writing
     * confusion_matrix.csv (segmentation), SPLIT_metrics.json and the pictures into {@code outDir}.
     */
    static Report evaluate(ModelFile.Contents file, Dataset data, String split, Path outDir, int batchSize,
            int samples) throws IOException {
        Loaded m = load(file);
        boolean seg = m.segmentation();
        Evaluations.Segmentation segEval = seg ? Evaluations.segmentation(m.classes().size(), m.ignoreIndex()) : null;
        Evaluation regEval = seg ? null : Evaluations.regression();
        List<Charts.SampleRow> rows = new ArrayList<>();
        try (DataLoader loader = new DataLoader(data, DataLoader.Options.of(batchSize));
                GradMode.Scope scope = GradMode.noGrad()) {
            for (Batch b : loader.epoch(0)) {
                Tensor out = m.denormalize(m.model().forward(m.normalize(b.inputs())));
                if (seg) {
                    segEval.update(out, b.targets());
                } else {
                    regEval.update(out, b.targets());
                }
                addSamples(rows, samples, b, out, seg);
            }
        }
        Files.createDirectories(outDir);
        Map<String, Double> metrics = new LinkedHashMap<>(seg ? segEval.results() : regEval.results());
        SegmentationMetrics sm = null;
        if (seg) {
            sm = segEval.matrix().metrics();
            ConfusionMatrixCsv.write(outDir.resolve("confusion_matrix.csv"), segEval.matrix(), m.classes());
            Charts.confusionMatrix(outDir.resolve("confusion_matrix.png"), segEval.matrix().counts(), m.classes(),
                    "Confusion matrix (% of each true class)");
            Charts.iouBars(outDir.resolve("iou_per_class.png"), sm.ious(), m.classes(), sm.meanIoU());
        }
        Map<String, Object> json = new LinkedHashMap<>(metrics);
        if (sm != null) {
            Map<String, Object> perClass = new LinkedHashMap<>();
            double[] iou = sm.ious();
            for (int k = 0; k < iou.length; k++) {
                perClass.put(m.classes().get(k), iou[k]);
            }
            json.put("iou", perClass);
        }
        json.put("images", data.size());
        AtomicFiles.writeString(outDir.resolve(split + "_metrics.json"), Json.write(json) + "\n");
        Charts.sampleGrid(outDir.resolve("samples.png"), rows, seg);
        return new Report(m.task(), metrics, sm, m.classes());
    }

    private static void addSamples(List<Charts.SampleRow> rows, int max, Batch b, Tensor out, boolean seg) {
        int[] s = b.inputs().shape();
        int h = s[2];
        int w = s[3];
        int plane = h * w;
        for (int i = 0; i < b.size() && rows.size() < max; i++) {
            float[] input = new float[s[1] * plane];
            System.arraycopy(b.inputs().data(), i * input.length, input, 0, input.length);
            float[] target = new float[plane];
            float[] pred = new float[plane];
            if (seg) {
                System.arraycopy(b.targets().data(), i * plane, target, 0, plane);
                int k = out.size(1);
                for (int p = 0; p < plane; p++) {
                    int best = 0;
                    for (int c = 1; c < k; c++) {
                        if (out.data()[(i * k + c) * plane + p] > out.data()[(i * k + best) * plane + p]) {
                            best = c;
                        }
                    }
                    pred[p] = best;
                }
            } else {
                int tc = b.targets().size(1);
                System.arraycopy(b.targets().data(), i * tc * plane, target, 0, plane);
                System.arraycopy(out.data(), i * out.size(1) * plane, pred, 0, plane);
            }
            rows.add(new Charts.SampleRow(input, s[1], h, w, target, pred));
        }
    }
}
