package org.fcn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.fcn4j.data.DataLoader;
import org.fcn4j.data.Dataset;
import org.fcn4j.data.Normalizer;
import org.fcn4j.io.AtomicFiles;
import org.fcn4j.io.ModelFile;
import org.fcn4j.loss.Loss;
import org.fcn4j.model.ModelConfig;
import org.fcn4j.model.Models;
import org.fcn4j.nn.Module;
import org.fcn4j.optim.LrScheduler;
import org.fcn4j.optim.Optimizer;
import org.fcn4j.tensor.Generator;
import org.fcn4j.train.Evaluation;
import org.fcn4j.train.Evaluations;
import org.fcn4j.train.Trainer;
import org.fcn4j.train.TrainingDivergedException;
import org.fcn4j.train.TrainingListener;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fcn4j train}: trains a model from a YAML configuration (defaults: the course's U-Net on
 * fashion-scenes), evaluates the best epoch on the test split and fills the run folder.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model, then evaluate it on the test split.",
            "With no options: the course's U-Net on the built-in fashion-scenes dataset, a few minutes on 2 cores.",
            "Run folder: config.yaml, model.safetensors (best epoch), checkpoint.safetensors, metrics.jsonl, "
                + "metrics.csv, test_metrics.json, confusion_matrix.csv and PNG charts."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (see --list-keys); "
            + "keys not given keep their defaults.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one key, e.g. --set train.epochs=3 "
            + "--set model.widths=[8,16]; repeatable, applied after --config.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in this folder from its last "
            + "checkpoint (its config.yaml is used; --config and --set are not allowed).")
    Path resume;

    @Option(names = "--list-keys", description = "Print every configuration key with its default and exit.")
    boolean listKeys;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        if (listKeys) {
            out.print(TrainConfig.describe());
            return 0;
        }
        TrainConfig c;
        Path runDir;
        if (resume != null) {
            if (config != null || !overrides.isEmpty()) {
                throw new IllegalArgumentException("--resume uses the run's own config.yaml; drop --config and --set");
            }
            Path saved = resume.resolve("config.yaml");
            if (!Files.isDirectory(resume)) {
                throw new IllegalArgumentException("run folder not found: " + resume + "; give --resume the run folder that "
                        + "train printed, runs/<name>-<timestamp>");
            }
            if (!Files.exists(saved)) {
                throw new IllegalArgumentException(resume + " is not a run folder: it has no config.yaml");
            }
            c = TrainConfig.load(saved, List.of());
            if (!c.isSet("data.target_normalization")) {
                // A run folder written before target normalisation existed trained on raw targets.
                c = TrainConfig.load(saved, List.of("data.target_normalization=none"));
            }
            runDir = resume;
        } else {
            c = TrainConfig.load(config, overrides);
            runDir = runDirectory(c);
        }
        TrainRun run = TrainRun.prepare(c, runDir, System.err);
        if (resume == null) {
            Files.createDirectories(runDir);
            AtomicFiles.writeString(runDir.resolve("config.yaml"), c.toYaml());
            run.writeReferenceInputs();
        }
        System.err.println("fcn4j: run folder " + runDir);
        System.err.println("fcn4j: " + run.describe());
        try {
            run.train(resume != null, out);
        } catch (TrainingDivergedException e) {
            System.err.println("fcn4j: " + e.getMessage());
            return 3;
        }
        run.finish(out);
        return 0;
    }

    private static Path runDirectory(TrainConfig c) {
        String explicit = c.getString("output.run_dir");
        if (explicit != null) {
            return Path.of(explicit);
        }
        String name = c.getString("name");
        if (name == null) {
            name = c.getString("model.type") + "-" + c.getString("data.dataset");
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        return Path.of(c.getString("output.dir")).resolve(name + "-" + stamp);
    }

    /** One training run: everything built from the configuration, then trained and evaluated. */
    static final class TrainRun {
        final TrainConfig config;
        final Path runDir;
        final String task;
        final Dataset trainSet;
        final Dataset valSet;
        final Dataset testSet;
        final Normalizer normalizer;
        final Normalizer targetNormalizer;
        final ModelConfig modelConfig;
        final Module model;
        final Generator modelRng;
        final Loss loss;
        final Optimizer optimizer;
        final LrScheduler schedule;
        final DataLoader trainLoader;
        final DataLoader valLoader;
        final Evaluation evaluation;
        final String selectMetric;
        final boolean maximize;
        final List<String> classNames;
        final Map<String, String> metadata = new LinkedHashMap<>();

        private TrainRun(TrainConfig c, Path runDir, PrintStream log) throws IOException {
            this.config = c;
            this.runDir = runDir;
            Map<String, Object> dataset = RunSetup.datasetDescription(c);
            trainSet = RunSetup.open(dataset, "train");
            valSet = RunSetup.open(dataset, "val");
            testSet = RunSetup.open(dataset, "test");
            task = RunSetup.task(c, trainSet);
            boolean seg = task.equals("segmentation");

            long t0 = System.nanoTime();
            normalizer = RunSetup.fitNormalizer(c, trainSet);
            if (normalizer != null) {
                log.printf(Locale.ROOT, "fcn4j: fitted %s normalisation on %d training images in %.1f s%n",
                        c.getString("data.normalization"), trainSet.size(), (System.nanoTime() - t0) / 1e9);
            }
            targetNormalizer = RunSetup.fitTargetNormalizer(c, trainSet, task);
            if (targetNormalizer != null) {
                log.printf(Locale.ROOT, "fcn4j: fitted %s target normalisation on the training split (offset %s, "
                        + "scale %s); outputs are mapped back to the target's units for metrics and predictions%n",
                        targetNormalizer.mode().name().toLowerCase(Locale.ROOT), offsets(targetNormalizer, true),
                        offsets(targetNormalizer, false));
            }
            int inChannels = trainSet.get(0).input().size(0);
            int outChannels = seg ? trainSet.numClasses() : trainSet.get(0).target().size(0);
            modelConfig = RunSetup.modelConfig(c, inChannels, outChannels);
            modelRng = new Generator(c.getLong("seed"));
            model = Models.create(modelConfig, modelRng);
            loss = RunSetup.loss(c, task);

            int batch = c.getInt("data.batch_size");
            int workers = c.getInt("data.workers");
            DataLoader.Options trainOptions = DataLoader.Options.of(batch).shuffled(c.getLong("seed")).withDropLast(true)
                    .withWorkers(workers).withTransform(RunSetup.augmentation(c)).withInputNormalizer(normalizer)
                    .withTargetNormalizer(targetNormalizer);
            trainLoader = new DataLoader(trainSet, trainOptions);
            valLoader = new DataLoader(valSet, DataLoader.Options.of(batch).withWorkers(workers)
                    .withInputNormalizer(normalizer).withTargetNormalizer(targetNormalizer));

            String select = c.getString("train.select_metric");
            if (select.equals("auto")) {
                select = seg ? "miou" : "val_loss";
            }
            List<String> allowed = seg ? List.of("miou", "pixel_accuracy", "val_loss") : List.of("val_loss", "mae", "mse");
            if (!allowed.contains(select)) {
                throw new IllegalArgumentException("train.select_metric: invalid value '" + select + "' for a " + task
                        + " task; expected one of " + String.join(", ", allowed));
            }
            selectMetric = select.equals("val_loss") ? select : "val_" + select;
            maximize = select.equals("miou") || select.equals("pixel_accuracy");
            int steps = c.getIntOrNull("train.steps_per_epoch") == null ? trainLoader.batchesPerEpoch()
                    : Math.min(trainLoader.batchesPerEpoch(), c.getInt("train.steps_per_epoch"));
            optimizer = RunSetup.optimizer(c, model.parameters());
            schedule = RunSetup.schedule(c, optimizer, steps * c.getInt("train.epochs"), maximize);
            classNames = seg ? names(trainSet) : List.of();
            if (seg) {
                evaluation = Evaluations.segmentation(outChannels, c.getInt("loss.ignore_index"));
            } else {
                // Validation metrics in the target's units, like those of evaluate; the loss stays normalised.
                evaluation = targetNormalizer == null ? Evaluations.regression()
                        : Evaluations.denormalized(Evaluations.regression(), targetNormalizer);
            }

            metadata.put(ModelFile.MODEL_KEY, modelConfig.toJson());
            metadata.put(ModelFile.TASK_KEY, task);
            metadata.put(ModelFile.DATASET_KEY, RunSetup.json(dataset));
            metadata.put(ModelFile.NORMALIZATION_KEY, RunSetup.json(normalizer == null ? Map.of() : normalizer.toMap()));
            if (targetNormalizer != null) {
                metadata.put(ModelFile.TARGET_NORMALIZATION_KEY, RunSetup.json(targetNormalizer.toMap()));
            }
            if (seg) {
                metadata.put(ModelFile.CLASSES_KEY, RunSetup.json(classNames));
                metadata.put("ignore_index", Integer.toString(c.getInt("loss.ignore_index")));
            }
            metadata.put("loss", loss.toString());
            metadata.put("batch_size", Integer.toString(batch));
            metadata.put("optimizer", optimizer.toString());
        }

        static TrainRun prepare(TrainConfig c, Path runDir, PrintStream log) throws IOException {
            return new TrainRun(c, runDir, log);
        }

        private static String offsets(Normalizer n, boolean offset) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < n.channels(); k++) {
                sb.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4g",
                        offset ? n.offset(k) : n.scale(k)));
            }
            return n.channels() == 1 ? sb.toString() : "[" + sb + "]";
        }

        private static List<String> names(Dataset ds) {
            List<String> n = ds.classNames();
            if (!n.isEmpty()) {
                return n;
            }
            List<String> out = new ArrayList<>();
            for (int k = 0; k < ds.numClasses(); k++) {
                out.add("class " + k);
            }
            return out;
        }

        String describe() {
            // The schedule has already set the optimiser's first rate, so name it beside the optimiser.
            return String.format(Locale.ROOT, "%s on %s (%s; %d train, %d val, %d test images), %,d parameters, %s%s, "
                    + "%d epochs x %d steps of %d", modelConfig.type(), config.getString("data.dataset"), task,
                    trainSet.size(), valSet.size(), testSet.size(), model.parameterCount(), optimizer,
                    schedule == null ? "" : " with " + schedule, config.getInt("train.epochs"), stepsPerEpoch(),
                    config.getInt("data.batch_size"));
        }

        int stepsPerEpoch() {
            Integer s = config.getIntOrNull("train.steps_per_epoch");
            return s == null ? trainLoader.batchesPerEpoch() : Math.min(s, trainLoader.batchesPerEpoch());
        }

        Trainer.Result result;

        /**
         * Writes what a reference implementation needs to repeat this run exactly:
         * {@code initial.safetensors} (the weights before training) and {@code train_order.json} (the
         * training-sample indices of each epoch, in batch order). tools/reference_train.py reads them.
         */
        void writeReferenceInputs() throws IOException {
            org.fcn4j.io.SafeTensors.write(runDir.resolve("initial.safetensors"), model.stateDict(), Map.of());
            List<Object> epochs = new ArrayList<>();
            int used = stepsPerEpoch() * config.getInt("data.batch_size");
            for (int e = 1; e <= config.getInt("train.epochs"); e++) {
                int[] order = trainLoader.order(e);
                List<Object> idx = new ArrayList<>();
                for (int i = 0; i < used; i++) {
                    idx.add(order[i]);
                }
                epochs.add(idx);
            }
            AtomicFiles.writeString(runDir.resolve("train_order.json"), RunSetup.json(Map.of("batch_size",
                    config.getInt("data.batch_size"), "epochs", epochs)) + "\n");
        }

        void train(boolean resume, PrintStream out) throws IOException {
            Progress progress = new Progress(System.err, Progress.stderrIsTerminal(),
                    config.getDouble("output.progress_seconds"));
            TrainingListener listener = new TrainingListener() {
                @Override
                public void onStep(Step s) {
                    progress.step(s.epoch(), s.epochs(), s.step(), s.steps(), s.loss(), s.lr(), s.imagesPerSecond(),
                            s.etaSeconds());
                }

                @Override
                public void onEpoch(Epoch e) {
                    progress.endLine();
                    out.println(epochLine(e));
                    out.flush();
                }

                @Override
                public void onResume(int completed, int epochs) {
                    out.println(completed < epochs
                            ? "resuming " + runDir + " after epoch " + completed + " of " + epochs
                            : runDir + " already finished its " + epochs + " epochs; evaluating its best model again");
                    out.flush();
                }
            };
            Integer early = config.getIntOrNull("train.early_stopping");
            Double clip = config.getDoubleOrNull("train.clip_grad_norm");
            Trainer.Options options = new Trainer.Options(config.getInt("train.epochs"),
                    config.getIntOrNull("train.steps_per_epoch") == null ? 0 : config.getInt("train.steps_per_epoch"),
                    clip == null ? 0 : clip, selectMetric, maximize, early == null ? 0 : early, runDir, metadata);
            Trainer trainer = new Trainer(model, RunSetup.lossFunction(loss), optimizer, schedule,
                    RunSetup.batches(trainLoader), RunSetup.batches(valLoader), evaluation, options, List.of(modelRng),
                    listener);
            try {
                result = resume ? trainer.resume() : trainer.fit();
            } finally {
                trainLoader.close();
                valLoader.close();
            }
        }

        private String epochLine(TrainingListener.Epoch e) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d", e.epoch(), e.epochs()));
            for (Map.Entry<String, Object> kv : e.record().entrySet()) {
                if (kv.getKey().equals("epoch")) {
                    continue;
                }
                Object v = kv.getValue();
                sb.append(' ').append(kv.getKey()).append(' ');
                sb.append(v instanceof Double d ? String.format(Locale.ROOT, kv.getKey().equals("lr") ? "%.3g" : "%.4f", d)
                        : String.valueOf(v));
            }
            if (e.best()) {
                sb.append(" (best)");
            }
            return sb.toString();
        }

        /** Evaluates the best model on the test split and writes the remaining files and charts. */
        void finish(PrintStream out) throws IOException {
            Path modelFile = runDir.resolve(Trainer.MODEL);
            Evaluator.Report report = Evaluator.evaluate(ModelFile.read(modelFile), testSet, "test", runDir,
                    config.getInt("data.batch_size"), config.getInt("output.samples"));
            if (config.getBool("output.charts")) {
                RunCharts.learningCurves(runDir, task);
            }
            out.println(report.summaryLine("test"));
            out.println("model: " + modelFile);
        }
    }
}
