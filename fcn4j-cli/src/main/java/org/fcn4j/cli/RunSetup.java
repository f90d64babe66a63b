package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

import org.fcn4j.data.ArrayDataset;
import org.fcn4j.data.CellsDataset;
import org.fcn4j.data.DataLoader;
import org.fcn4j.data.Dataset;
import org.fcn4j.data.Datasets;
import org.fcn4j.data.FashionScenes;
import org.fcn4j.data.JointTransform;
import org.fcn4j.data.Normalizer;
import org.fcn4j.data.Sample;
import org.fcn4j.data.TargetKind;
import org.fcn4j.data.Transforms;
import org.fcn4j.data.VocDataset;
import org.fcn4j.io.Json;
import org.fcn4j.loss.CrossEntropyLoss;
import org.fcn4j.loss.L1Loss;
import org.fcn4j.loss.Loss;
import org.fcn4j.loss.MSELoss;
import org.fcn4j.loss.PinballLoss;
import org.fcn4j.loss.SmoothL1Loss;
import org.fcn4j.model.ModelConfig;
import org.fcn4j.optim.Adam;
import org.fcn4j.optim.CosineAnnealingLR;
import org.fcn4j.optim.LrScheduler;
import org.fcn4j.optim.MultiStepLR;
import org.fcn4j.optim.OneCycleLR;
import org.fcn4j.optim.Optimizer;
import org.fcn4j.optim.ReduceLROnPlateau;
import org.fcn4j.optim.SGD;
import org.fcn4j.optim.StepLR;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.train.BatchSource;

/**
 * Turns a validated {@link TrainConfig} (or a model file's metadata) into the objects of a run:
 * datasets and their splits, input normalisation, loaders, model configuration, loss, optimiser,
 * schedule and task metrics. Shared by {@code train}, {@code evaluate} and {@code predict}.
 */
final class RunSetup {
    private RunSetup() {
    }

    /** A dataset description as stored in the model file: built-in name, seed and sizes, or a folder. */
    static Map<String, Object> datasetDescription(TrainConfig c) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", c.getString("data.dataset"));
        d.put("seed", c.getLong("data.seed"));
        d.put("root", c.getString("data.root"));
        d.put("train_size", c.get("data.train_size"));
        d.put("val_size", c.get("data.val_size"));
        d.put("test_size", c.get("data.test_size"));
        return d;
    }

    /**
     * Returns the name that run files and dataset descriptions use for a split: train, val or test,
     * with "validation" read as val and any case accepted.
     */
    static String splitName(String split) {
        return switch (FashionScenes.Split.parse(split)) {
            case TRAIN -> "train";
            case VALIDATION -> "val";
            case TEST -> "test";
        };
    }

    /**
     * Opens one split ("train", "val" or "test") of a described dataset, limited to its first
     * {@code <split>_size} samples when that size is set.
     */
    static Dataset open(Map<String, Object> description, String split) throws IOException {
        return open(description, split, false);
    }

    /**
     * As {@link #open(Map, String)}; with {@code cleanTargets}, a cells dataset's targets are replaced
     * by its clean images, to measure what a denoiser recovers (the error and bias against the truth,
     * not against a noisy target).
     */
    static Dataset open(Map<String, Object> description, String split, boolean cleanTargets) throws IOException {
        split = splitName(split);
        String name = (String) description.get("name");
        long seed = ((Number) description.get("seed")).longValue();
        Dataset ds;
        if (name.equals("npy")) {
            Object root = description.get("root");
            if (root == null) {
                throw new IllegalArgumentException("dataset npy needs its folder (data.root)");
            }
            ds = npyFolder(existingRoot(name, (String) root), split);
        } else if (name.equals("voc2007")) {
            Object root = description.get("root");
            if (root == null) {
                throw new IllegalArgumentException("dataset voc2007 needs its folder (data.root)");
            }
            // VOC2007 has train and val lists; the test split here is val, as its test masks are separate.
            ds = new VocDataset(existingRoot(name, (String) root), split.equals("train") ? "train" : "val");
        } else {
            ds = Datasets.open(name, split, seed);
        }
        if (cleanTargets) {
            if (!(ds instanceof CellsDataset cells)) {
                throw new IllegalArgumentException("clean targets exist only for the cells datasets, not " + name);
            }
            ds = withCleanTargets(cells);
        }
        Object size = description.get(split + "_size");
        if (size instanceof Number n && n.intValue() < ds.size()) {
            int[] idx = new int[n.intValue()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            ds = Datasets.subset(ds, idx);
        }
        return ds;
    }

    /**
     * Reads {@code root/<split>/inputs.npy} and {@code targets.npy}; a class-map dataset takes its
     * class count from {@code root/train/classes.txt} (one name per line) when present, so that every
     * split agrees even when one lacks the last class.
     */
    // Returns the dataset's folder, which must exist. A missing one is most often data.root left unset.
    private static Path existingRoot(String dataset, String root) {
        Path path = Path.of(root);
        if (!Files.isDirectory(path)) {
            String expected = dataset.equals("voc2007")
                    ? "the VOC2007 folder, e.g. --set data.root=/data/VOCdevkit/VOC2007"
                    : "the folder of the .npy files";
            throw new IllegalArgumentException("data.root " + root + ": folder not found. Set data.root to "
                    + expected);
        }
        return path;
    }

    private static Dataset npyFolder(Path root, String split) throws IOException {
        Path dir = root.resolve(split);
        if (!Files.isRegularFile(dir.resolve("inputs.npy")) || !Files.isRegularFile(dir.resolve("targets.npy"))) {
            throw new IllegalArgumentException("dataset npy: expected " + dir.resolve("inputs.npy") + " and "
                    + dir.resolve("targets.npy") + " (the layout of fcn4j data export --output " + dir + ")");
        }
        Path classes = root.resolve("train").resolve("classes.txt");
        int numClasses = Files.isRegularFile(classes)
                ? (int) Files.readAllLines(classes).stream().filter(l -> !l.isBlank()).count() : 0;
        return ArrayDataset.fromNpy(dir.resolve("inputs.npy"), dir.resolve("targets.npy"), numClasses);
    }

    private static Dataset withCleanTargets(CellsDataset cells) {
        return new Dataset() {
            @Override
            public int size() {
                return cells.size();
            }

            @Override
            public Sample get(int index) {
                return new Sample(cells.get(index).input(), cells.clean(index));
            }

            @Override
            public TargetKind targetKind() {
                return TargetKind.FIELD;
            }
        };
    }

    static Normalizer fitNormalizer(TrainConfig c, Dataset train) {
        return switch (c.getString("data.normalization")) {
            case "standard" -> Normalizer.fit(train, Normalizer.Mode.STANDARD);
            case "minmax" -> Normalizer.fit(train, Normalizer.Mode.MIN_MAX);
            default -> null;
        };
    }

    /**
     * Fits the regression-target normaliser on the training split, or returns null: {@code auto} is
     * standard for regression and none for segmentation (class maps are never normalised).
     *
     * <p>NOTE: standard and min-max are affine with a positive scale per channel, so the minimiser
     * of each pixel's loss maps back exactly: the mean for MSE, the median for L1, the q-quantile for
     * the pinball loss (the noise2noise argument survives). The loss values change scale, by 1/scale
     * for L1 and pinball and 1/scale^2 for MSE, which weighs the channels of a multi-channel target
     * equally.
     */
    static Normalizer fitTargetNormalizer(TrainConfig c, Dataset train, String task) {
        String mode = c.getString("data.target_normalization");
        boolean seg = task.equals("segmentation");
        if (seg && (mode.equals("standard") || mode.equals("minmax"))) {
            throw new IllegalArgumentException("data.target_normalization: invalid value '" + mode + "' for a "
                    + "segmentation task (class maps are never normalised); use auto or none");
        }
        return switch (mode) {
            case "auto" -> seg ? null : Normalizer.fitTargets(train, Normalizer.Mode.STANDARD);
            case "standard" -> Normalizer.fitTargets(train, Normalizer.Mode.STANDARD);
            case "minmax" -> Normalizer.fitTargets(train, Normalizer.Mode.MIN_MAX);
            default -> null;
        };
    }

    static JointTransform augmentation(TrainConfig c) {
        List<JointTransform> t = new ArrayList<>();
        Integer crop = c.getIntOrNull("data.crop");
        if (crop != null) {
            t.add(Transforms.randomCrop(crop, crop));
        }
        if (c.getBool("data.flip")) {
            t.add(Transforms.horizontalFlip(0.5));
        }
        return t.isEmpty() ? null : Transforms.compose(t.toArray(new JointTransform[0]));
    }

    /** The task implied by the configuration and the dataset's targets. */
    static String task(TrainConfig c, Dataset train) {
        String t = c.getString("task");
        String fromData = train.targetKind() == TargetKind.CLASS_MAP ? "segmentation" : "regression";
        if (!t.equals("auto") && !t.equals(fromData)) {
            throw new IllegalArgumentException("task: invalid value " + t + ", because dataset "
                    + c.getString("data.dataset") + " has " + (fromData.equals("segmentation") ? "class maps" : "fields")
                    + " as targets; set task: " + fromData + " or auto");
        }
        return fromData;
    }

    static ModelConfig modelConfig(TrainConfig c, int inChannels, int outChannels) {
        String type = c.getString("model.type");
        List<Integer> widths;
        int bottleneck;
        Integer base = c.getIntOrNull("model.base");
        if (base != null) {
            int depth = c.getInt("model.depth");
            widths = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                widths.add(base << i);
            }
            bottleneck = c.isSet("model.bottleneck") ? c.getInt("model.bottleneck") : base << depth;
        } else {
            widths = c.getInts("model.widths");
            bottleneck = c.getInt("model.bottleneck");
        }
        return new ModelConfig(type, inChannels, outChannels, widths, bottleneck, c.getString("model.norm"),
                c.getString("model.upsampling"), c.getDouble("model.dropout"));
    }

    /** The loss by name; "auto" is cross-entropy for segmentation, MSE for regression. */
    static Loss loss(TrainConfig c, String task) {
        String type = c.getString("loss.type");
        if (type.equals("auto")) {
            type = task.equals("segmentation") ? "cross_entropy" : "mse";
        }
        boolean classes = type.equals("cross_entropy");
        if (classes != task.equals("segmentation")) {
            throw new IllegalArgumentException("loss.type: " + type + " does not fit a " + task + " task; use "
                    + (task.equals("segmentation") ? "cross_entropy" : "mse, l1, pinball or smooth_l1"));
        }
        return switch (type) {
            case "cross_entropy" -> new CrossEntropyLoss().withIgnoreIndex(c.getInt("loss.ignore_index"))
                    .withLabelSmoothing(c.getDouble("loss.label_smoothing"));
            case "mse" -> new MSELoss();
            case "l1" -> new L1Loss();
            case "pinball" -> new PinballLoss(c.getDouble("loss.quantile"));
            case "smooth_l1" -> new SmoothL1Loss();
            default -> throw new IllegalArgumentException("unknown loss " + type);
        };
    }

    static Optimizer optimizer(TrainConfig c, List<Tensor> params) {
        double lr = c.getDouble("optimizer.lr");
        Double wd = c.getDoubleOrNull("optimizer.weight_decay");
        return switch (c.getString("optimizer.type")) {
            case "sgd" -> new SGD(params, SGD.Options.of(lr).withMomentum(c.getDouble("optimizer.momentum"))
                    .withNesterov(c.getBool("optimizer.nesterov")).withWeightDecay(wd == null ? 0 : wd));
            case "adam", "adamw" -> {
                boolean w = c.getString("optimizer.type").equals("adamw");
                Adam.Options o = (w ? Adam.Options.adamW() : Adam.Options.adam()).withLr(lr)
                        .withBetas(c.getNumbers("optimizer.betas").get(0), c.getNumbers("optimizer.betas").get(1))
                        .withEps(c.getDouble("optimizer.eps")).withAmsgrad(c.getBool("optimizer.amsgrad"));
                if (wd != null) {
                    o = o.withWeightDecay(wd);
                }
                yield new Adam(params, o);
            }
            default -> throw new IllegalArgumentException("unknown optimizer " + c.getString("optimizer.type"));
        };
    }

    /** The schedule, or null; {@code totalSteps} is needed by one-cycle. */
    static LrScheduler schedule(TrainConfig c, Optimizer opt, int totalSteps, boolean maximize) {
        return switch (c.getString("schedule.type")) {
            case "none" -> null;
            case "step" -> new StepLR(opt, c.getInt("schedule.step_size"), c.getDouble("schedule.gamma"));
            case "multistep" -> new MultiStepLR(opt, c.getInts("schedule.milestones").stream().mapToInt(i -> i)
                    .toArray(), c.getDouble("schedule.gamma"));
            case "cosine" -> new CosineAnnealingLR(opt, c.getInt("train.epochs"), c.getDouble("schedule.eta_min"));
            case "onecycle" -> {
                Double max = c.getDoubleOrNull("schedule.max_lr");
                yield new OneCycleLR(opt, OneCycleLR.Options.of(max == null ? 5 * opt.lr() : max, totalSteps)
                        .withPctStart(c.getDouble("schedule.pct_start"))
                        .withMomentum(!Double.isNaN(opt.momentum()) && opt.momentum() > 0, 0.85, 0.95));
            }
            case "plateau" -> new ReduceLROnPlateau(opt, ReduceLROnPlateau.Options.defaults()
                    .withMode(maximize ? "max" : "min").withFactor(c.getDouble("schedule.factor"))
                    .withPatience(c.getInt("schedule.patience")));
            default -> throw new IllegalArgumentException("unknown schedule " + c.getString("schedule.type"));
        };
    }

    static BatchSource batches(DataLoader loader) {
        return BatchSource.of(loader);
    }

    static BinaryOperator<Tensor> lossFunction(Loss loss) {
        return loss::forward;
    }

    static String json(Object o) {
        return Json.write(o);
    }
}
