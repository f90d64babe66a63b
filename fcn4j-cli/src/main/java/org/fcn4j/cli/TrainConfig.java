package org.fcn4j.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The training configuration: a YAML file (sections model, data, loss, optimizer, schedule, train,
 * output, plus name, task and seed at the top), {@code --set key=value} overrides, and defaults.
 *
 * <p>Everything is validated before any work starts: an unknown key, or a value of the wrong type or
 * outside its allowed set, fails with the dotted key, the value and what is allowed. Each key and its
 * default are defined once, in {@link #SCHEMA}; {@code ./fcn4j train --help-config} prints the table.
 */
final class TrainConfig {

    /** Value kinds; each parses and checks a raw YAML value. */
    enum Kind { INT, POSITIVE_INT, NON_NEGATIVE_INT, NUMBER, POSITIVE_NUMBER, FRACTION, BOOL, STRING, CHOICE,
        INT_LIST, NUMBER_LIST, NORM }

    /** One configuration key: its kind, default (null: unset), allowed choices and help. */
    record Key(String path, Kind kind, Object defaultValue, List<String> choices, String help) {
    }

    private static final Pattern GROUP_NORM = Pattern.compile("group:[1-9][0-9]*");

    static final Map<String, Key> SCHEMA = new LinkedHashMap<>();

    private static void key(String path, Kind kind, Object def, String help, String... choices) {
        SCHEMA.put(path, new Key(path, kind, def, List.of(choices), help));
    }

    static {
        key("name", Kind.STRING, null, "run name; the run folder is <output.dir>/<name>-<timestamp> (default: "
                + "<model.type>-<data.dataset>)");
        key("task", Kind.CHOICE, "auto", "segmentation (class maps, cross-entropy, mIoU) or regression (fields); "
                + "auto takes the dataset's", "auto", "segmentation", "regression");
        key("seed", Kind.INT, 0L, "seed of the weight initialisation, shuffling and dropout");

        key("model.type", Kind.CHOICE, "unet", "network architecture", "unet", "fcn");
        key("model.widths", Kind.INT_LIST, List.of(16L, 32L, 64L, 128L), "channels of each encoder level "
                + "(its length is the depth); ignored when model.base is set");
        key("model.base", Kind.POSITIVE_INT, null, "when set, widths are base * 2^i for i < model.depth");
        key("model.depth", Kind.POSITIVE_INT, 4L, "number of pooling steps when model.base is set");
        key("model.bottleneck", Kind.POSITIVE_INT, 128L, "bottleneck channels (with model.base: base * 2^depth "
                + "unless set)");
        key("model.norm", Kind.NORM, "batch", "normalisation after each convolution: batch, instance, group:G, "
                + "layer or none");
        key("model.upsampling", Kind.CHOICE, "transpose", "decoder upsampling: transpose (2x2 stride 2), or "
                + "bilinear / nearest followed by a 3x3 convolution", "transpose", "bilinear", "nearest");
        key("model.dropout", Kind.FRACTION, 0.0, "dropout probability before the bottleneck's second convolution");

        key("data.dataset", Kind.CHOICE, "fashion-scenes", "built-in dataset, or voc2007 or npy (folder in "
                + "data.root)", "fashion-scenes", "cells-denoise", "cells-noise2noise", "cells-pure-noise", "voc2007",
                "npy");
        key("data.root", Kind.STRING, null, "folder of a dataset on disk (voc2007: the VOC2007 folder that "
                + "holds JPEGImages/; npy: a folder with train/, val/ and test/, each holding inputs.npy and "
                + "targets.npy as `fcn4j data export` writes them)");
        key("data.train_size", Kind.POSITIVE_INT, null, "training samples used (default: the whole split)");
        key("data.val_size", Kind.POSITIVE_INT, 256L, "validation samples used (unset: the whole split)");
        key("data.test_size", Kind.POSITIVE_INT, null, "test samples used (default: the whole split)");
        key("data.seed", Kind.INT, 0L, "seed of the generated samples and of the splits");
        key("data.batch_size", Kind.POSITIVE_INT, 32L, "images per batch");
        key("data.workers", Kind.POSITIVE_INT, 1L, "data-loading threads (separate from compute threads)");
        key("data.normalization", Kind.CHOICE, "standard", "input normalisation fitted on the training split",
                "standard", "minmax", "none");
        key("data.target_normalization", Kind.CHOICE, "auto", "regression-target normalisation fitted on the "
                + "training split, inverted on outputs for evaluation and prediction: auto is standard for "
                + "regression, none for segmentation", "auto", "standard", "minmax", "none");
        key("data.crop", Kind.POSITIVE_INT, null, "random square crop of this size for training "
                + "(needed for datasets of mixed image sizes)");
        key("data.flip", Kind.BOOL, false, "random horizontal flips for training");

        key("loss.type", Kind.CHOICE, "auto", "loss: auto is cross_entropy for segmentation, mse for regression",
                "auto", "cross_entropy", "mse", "l1", "pinball", "smooth_l1");
        key("loss.quantile", Kind.FRACTION, 0.5, "level q of the pinball loss, in (0, 1)");
        key("loss.ignore_index", Kind.INT, 255L, "target class skipped by the loss and metrics");
        key("loss.label_smoothing", Kind.FRACTION, 0.0, "cross-entropy label smoothing, in [0, 1)");

        key("optimizer.type", Kind.CHOICE, "adam", "optimiser", "adam", "adamw", "sgd");
        key("optimizer.lr", Kind.POSITIVE_NUMBER, 1e-3, "learning rate");
        key("optimizer.momentum", Kind.NUMBER, 0.9, "SGD momentum");
        key("optimizer.nesterov", Kind.BOOL, false, "SGD Nesterov momentum");
        key("optimizer.weight_decay", Kind.NUMBER, null, "weight decay (default 0; AdamW 0.01)");
        key("optimizer.betas", Kind.NUMBER_LIST, List.of(0.9, 0.999), "Adam betas [beta1, beta2]");
        key("optimizer.eps", Kind.POSITIVE_NUMBER, 1e-8, "Adam epsilon");
        key("optimizer.amsgrad", Kind.BOOL, false, "Adam's AMSGrad variant");

        key("schedule.type", Kind.CHOICE, "onecycle", "learning-rate schedule", "none", "step", "multistep", "cosine",
                "onecycle", "plateau");
        key("schedule.step_size", Kind.POSITIVE_INT, 10L, "step: epochs between decays");
        key("schedule.gamma", Kind.POSITIVE_NUMBER, 0.1, "step, multistep: decay factor");
        key("schedule.milestones", Kind.INT_LIST, List.of(), "multistep: epochs at which the rate decays");
        key("schedule.eta_min", Kind.NUMBER, 0.0, "cosine: final learning rate");
        key("schedule.max_lr", Kind.POSITIVE_NUMBER, null, "onecycle: peak learning rate (default: 5 x "
                + "optimizer.lr)");
        key("schedule.pct_start", Kind.FRACTION, 0.3, "onecycle: fraction of the steps spent increasing");
        key("schedule.factor", Kind.FRACTION, 0.1, "plateau: factor applied to the rate");
        key("schedule.patience", Kind.NON_NEGATIVE_INT, 10L, "plateau: epochs without improvement first");

        key("train.epochs", Kind.POSITIVE_INT, 8L, "epochs (each followed by a validation pass)");
        key("train.steps_per_epoch", Kind.POSITIVE_INT, 40L, "batches per epoch, drawn from a new shuffle of the "
                + "whole training split each epoch (unset: the whole split)");
        key("train.clip_grad_norm", Kind.POSITIVE_NUMBER, null, "clip gradients to this global L2 norm");
        key("train.select_metric", Kind.CHOICE, "auto", "validation metric that picks the best epoch: auto is "
                + "miou for segmentation, val_loss for regression", "auto", "miou", "pixel_accuracy", "val_loss",
                "mae", "mse");
        key("train.early_stopping", Kind.POSITIVE_INT, null, "stop after this many epochs without a better "
                + "selection metric");

        key("output.dir", Kind.STRING, "runs", "parent folder of run folders");
        key("output.run_dir", Kind.STRING, null, "exact run folder (overrides output.dir and the timestamp)");
        key("output.samples", Kind.NON_NEGATIVE_INT, 6L, "test images in the sample-prediction grid");
        key("output.charts", Kind.BOOL, true, "write PNG charts in the run folder");
        key("output.progress_seconds", Kind.POSITIVE_NUMBER, 10.0, "seconds between plain progress lines when "
                + "stderr is not a terminal");
    }

    private final Map<String, Object> values;
    private final Map<String, Object> explicit;

    private TrainConfig(Map<String, Object> values, Map<String, Object> explicit) {
        this.values = values;
        this.explicit = explicit;
    }

    /** The defaults alone. */
    static TrainConfig defaults() {
        return build(new LinkedHashMap<>(), "defaults");
    }

    /**
     * Loads {@code file} (may be null: defaults only), then applies {@code overrides} ("key=value", the
     * value in YAML syntax, e.g. {@code model.widths=[8,16]}), then validates.
     */
    static TrainConfig load(Path file, List<String> overrides) throws IOException {
        Map<String, Object> flat = new LinkedHashMap<>();
        String source = "defaults";
        if (file != null) {
            source = file.toString();
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(file + ": configuration file not found (the examples are in the "
                        + "repository's examples/ folder)");
            }
            Object root;
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                root = yaml().load(r);
            } catch (YAMLException e) {
                throw new IllegalArgumentException(file + ": invalid YAML: " + e.getMessage(), e);
            }
            if (root != null) {
                if (!(root instanceof Map<?, ?> map)) {
                    throw new IllegalArgumentException(file + ": expected a mapping of sections (model:, data:, ...) "
                            + "at the top, got " + root.getClass().getSimpleName());
                }
                flatten(file.toString(), "", map, flat);
            }
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set expects key=value, e.g. --set train.epochs=5, got '" + o + "'");
            }
            String key = o.substring(0, eq).trim();
            String text = o.substring(eq + 1).trim();
            Object value;
            try {
                value = text.isEmpty() ? null : yaml().load(text);
            } catch (YAMLException e) {
                throw new IllegalArgumentException("--set " + key + ": invalid value '" + text + "': " + e.getMessage());
            }
            flat.put(key, value);
            source = source.equals("defaults") ? "--set" : source + " and --set";
        }
        return build(flat, source);
    }

    private static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    private static void flatten(String file, String prefix, Map<?, ?> map, Map<String, Object> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> sub) {
                if (!isSection(key)) {
                    throw unknown(file, key);
                }
                flatten(file, key + ".", sub, out);
            } else {
                out.put(key, e.getValue());
            }
        }
    }

    private static boolean isSection(String key) {
        for (String k : SCHEMA.keySet()) {
            if (k.startsWith(key + ".")) {
                return true;
            }
        }
        return false;
    }

    private static IllegalArgumentException unknown(String source, String key) {
        int dot = key.lastIndexOf('.');
        String section = dot < 0 ? "" : key.substring(0, dot + 1);
        TreeSet<String> siblings = new TreeSet<>();
        for (String k : SCHEMA.keySet()) {
            if (k.startsWith(section)) {
                String rest = k.substring(section.length());
                int d = rest.indexOf('.');
                siblings.add(d < 0 ? rest : rest.substring(0, d));
            }
        }
        return new IllegalArgumentException(source + ": unknown key '" + key + "'; allowed "
                + (section.isEmpty() ? "top-level keys" : "keys under '" + section.substring(0, dot) + "'") + ": "
                + String.join(", ", siblings));
    }

    private static TrainConfig build(Map<String, Object> flat, String source) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Key k : SCHEMA.values()) {
            values.put(k.path(), k.defaultValue());
        }
        Map<String, Object> explicit = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : flat.entrySet()) {
            Key k = SCHEMA.get(e.getKey());
            if (k == null) {
                if (isSection(e.getKey())) {
                    throw new IllegalArgumentException(source + ": '" + e.getKey() + "' is a section; set one of its "
                            + "keys, e.g. " + firstKeyOf(e.getKey()));
                }
                throw unknown(source, e.getKey());
            }
            Object v = e.getValue() == null ? null : check(source, k, e.getValue());
            values.put(k.path(), v);
            explicit.put(k.path(), v);
        }
        TrainConfig c = new TrainConfig(values, explicit);
        c.checkCombinations(source);
        return c;
    }

    private static String firstKeyOf(String section) {
        for (String k : SCHEMA.keySet()) {
            if (k.startsWith(section + ".")) {
                return k;
            }
        }
        return section;
    }

    private static Object check(String source, Key k, Object raw) {
        String where = source + ": " + k.path();
        switch (k.kind()) {
            case INT, POSITIVE_INT, NON_NEGATIVE_INT -> {
                if (!(raw instanceof Integer || raw instanceof Long)) {
                    throw invalid(where, raw, "an integer");
                }
                long v = ((Number) raw).longValue();
                if (k.kind() == Kind.POSITIVE_INT && v <= 0 || k.kind() == Kind.NON_NEGATIVE_INT && v < 0) {
                    throw invalid(where, raw, k.kind() == Kind.POSITIVE_INT ? "an integer > 0" : "an integer >= 0");
                }
                return v;
            }
            case NUMBER, POSITIVE_NUMBER, FRACTION -> {
                if (!(raw instanceof Number n)) {
                    throw invalid(where, raw, "a number");
                }
                double v = n.doubleValue();
                if (!Double.isFinite(v) || k.kind() == Kind.POSITIVE_NUMBER && v <= 0
                        || k.kind() == Kind.FRACTION && (v < 0 || v >= 1)) {
                    throw invalid(where, raw, switch (k.kind()) {
                        case POSITIVE_NUMBER -> "a number > 0";
                        case FRACTION -> "a number in [0, 1)";
                        default -> "a finite number";
                    });
                }
                return v;
            }
            case BOOL -> {
                if (!(raw instanceof Boolean)) {
                    throw invalid(where, raw, "true or false");
                }
                return raw;
            }
            case STRING -> {
                return String.valueOf(raw);
            }
            case CHOICE -> {
                String s = String.valueOf(raw);
                if (!k.choices().contains(s)) {
                    throw invalid(where, raw, "one of " + String.join(", ", k.choices()));
                }
                return s;
            }
            case NORM -> {
                String s = String.valueOf(raw);
                if (!List.of("batch", "instance", "layer", "none").contains(s) && !GROUP_NORM.matcher(s).matches()) {
                    throw invalid(where, raw, "one of batch, instance, group:G (G a positive integer), layer, none");
                }
                return s;
            }
            case INT_LIST, NUMBER_LIST -> {
                if (!(raw instanceof List<?> list)) {
                    throw invalid(where, raw, "a list, e.g. [16, 32, 64]");
                }
                List<Object> out = new ArrayList<>();
                for (Object o : list) {
                    if (k.kind() == Kind.INT_LIST && !(o instanceof Integer || o instanceof Long)
                            || !(o instanceof Number)) {
                        throw invalid(where, raw, k.kind() == Kind.INT_LIST ? "a list of integers" : "a list of numbers");
                    }
                    if (k.kind() == Kind.INT_LIST && ((Number) o).longValue() <= 0) {
                        throw invalid(where, raw, "a list of integers > 0");
                    }
                    out.add(k.kind() == Kind.INT_LIST ? (Object) ((Number) o).longValue()
                            : (Object) ((Number) o).doubleValue());
                }
                return List.copyOf(out);
            }
        }
        throw new AssertionError(k.kind());
    }

    private static IllegalArgumentException invalid(String where, Object raw, String allowed) {
        return new IllegalArgumentException(where + ": invalid value '" + raw + "'; expected " + allowed);
    }

    private void checkCombinations(String source) {
        if (getString("data.dataset").equals("npy") && getString("data.root") == null) {
            throw new IllegalArgumentException(source + ": data.dataset npy needs data.root, the folder that contains "
                    + "train/inputs.npy and train/targets.npy (and val/, test/)");
        }
        if (getString("data.dataset").equals("voc2007") && getString("data.root") == null) {
            throw new IllegalArgumentException(source + ": data.dataset voc2007 needs data.root, the VOC2007 folder "
                    + "(the one that contains JPEGImages/ and SegmentationClass/)");
        }
        List<Double> betas = getNumbers("optimizer.betas");
        if (betas.size() != 2 || betas.get(0) < 0 || betas.get(0) >= 1 || betas.get(1) < 0 || betas.get(1) >= 1) {
            throw new IllegalArgumentException(source + ": optimizer.betas: invalid value " + betas
                    + "; expected two numbers in [0, 1)");
        }
        if (getString("loss.type").equals("pinball") && getDouble("loss.quantile") <= 0) {
            throw new IllegalArgumentException(source + ": loss.quantile: invalid value 0; expected a number in (0, 1)");
        }
        if (getString("model.type").equals("unet") && get("model.base") == null && getInts("model.widths").isEmpty()) {
            throw new IllegalArgumentException(source + ": model.widths: invalid value []; expected one width per "
                    + "level, e.g. [16, 32, 64, 128]");
        }
    }

    // ---------------------------------------------------------------- access

    Object get(String key) {
        if (!SCHEMA.containsKey(key)) {
            throw new IllegalArgumentException("no configuration key '" + key + "'");
        }
        return values.get(key);
    }

    /** Whether the key was set in the file or by --set (not a default). */
    boolean isSet(String key) {
        return explicit.containsKey(key) && explicit.get(key) != null;
    }

    String getString(String key) {
        Object v = get(key);
        return v == null ? null : (String) v;
    }

    int getInt(String key) {
        return Math.toIntExact((Long) get(key));
    }

    Integer getIntOrNull(String key) {
        Object v = get(key);
        return v == null ? null : Math.toIntExact((Long) v);
    }

    long getLong(String key) {
        return (Long) get(key);
    }

    double getDouble(String key) {
        return (Double) get(key);
    }

    Double getDoubleOrNull(String key) {
        return (Double) get(key);
    }

    boolean getBool(String key) {
        return (Boolean) get(key);
    }

    List<Integer> getInts(String key) {
        List<Integer> out = new ArrayList<>();
        for (Object o : (List<?>) get(key)) {
            out.add(Math.toIntExact((Long) o));
        }
        return out;
    }

    List<Double> getNumbers(String key) {
        List<Double> out = new ArrayList<>();
        for (Object o : (List<?>) get(key)) {
            out.add((Double) o);
        }
        return out;
    }

    /** All keys with their values, in schema order (for the run folder's config.yaml). */
    Map<String, Object> flat() {
        return new LinkedHashMap<>(values);
    }

    /** The configuration as nested YAML, every key written (defaults included), so a run can be repeated. */
    String toYaml() {
        Map<String, Object> nested = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            String[] parts = e.getKey().split("\\.");
            Map<String, Object> m = nested;
            for (int i = 0; i < parts.length - 1; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> sub = (Map<String, Object>) m.computeIfAbsent(parts[i], x -> new LinkedHashMap<>());
                m = sub;
            }
            m.put(parts[parts.length - 1], e.getValue());
        }
        org.yaml.snakeyaml.DumperOptions o = new org.yaml.snakeyaml.DumperOptions();
        o.setDefaultFlowStyle(org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        return new Yaml(o).dump(nested);
    }

    /** The key table: key, default, help. */
    static String describe() {
        StringBuilder sb = new StringBuilder();
        for (Key k : SCHEMA.values()) {
            String def = k.defaultValue() == null ? "(unset)" : String.valueOf(k.defaultValue());
            sb.append(String.format("  %-26s %-18s %s%n", k.path(), def, k.help()));
            if (!k.choices().isEmpty() && k.kind() == Kind.CHOICE) {
                sb.append(String.format("  %-26s %-18s one of: %s%n", "", "", String.join(", ", k.choices())));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return Arrays.toString(values.entrySet().toArray());
    }
}
