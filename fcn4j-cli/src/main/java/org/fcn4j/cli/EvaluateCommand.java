package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import org.fcn4j.data.Dataset;
import org.fcn4j.io.ModelFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fcn4j evaluate}: metrics of a trained model on a dataset split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate a model file on a dataset split and write its confusion matrix.",
            "Without --data: the test split of the built-in dataset the model was trained on (same seed and sizes), "
                + "which reproduces the test metrics printed at the end of training."})
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "model.safetensors of a run folder.")
    Path model;

    @Option(names = "--data", paramLabel = "NAME|DIR", description = "Built-in dataset name (fashion-scenes, "
            + "cells-denoise, ...), a VOC2007 folder, or a folder of exported splits (SPLIT/inputs.npy and "
            + "SPLIT/targets.npy); default: the model's training dataset.")
    String data;

    @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT",
            description = "train, val or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--output", paramLabel = "DIR", description = "Folder for confusion_matrix.csv, "
            + "SPLIT_metrics.json and the charts (default: the model file's folder for the test split, else its "
            + "subfolder SPLIT, so that the training run's test results stay).")
    Path output;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per batch (default: the training batch "
            + "size stored in the model file).")
    Integer batchSize;

    @Option(names = "--clean-targets", description = "For the cells datasets: compare with the clean images instead "
            + "of the dataset's (possibly noisy) targets, to measure a denoiser's error and bias against the truth.")
    boolean cleanTargets;

    @Override
    public Integer call() throws IOException {
        // "validation" and "VAL" name the val split, whose size limit and output folder are "val".
        split = RunSetup.splitName(split);
        ModelFile.Contents file = ModelFile.read(model);
        Evaluator.Loaded loaded = Evaluator.load(file);
        Map<String, Object> description = new LinkedHashMap<>(loaded.dataset());
        if (data != null) {
            description = new LinkedHashMap<>();
            boolean folder = data.contains("/") || data.contains("\\");
            boolean exported = folder && Files.isRegularFile(Path.of(data, split, "inputs.npy"));
            String name = data;
            if (exported) {
                name = "npy";
            } else if (folder) {
                name = "voc2007";
            }
            description.put("name", name);
            description.put("root", folder ? data : null);
            description.put("seed", loaded.dataset().getOrDefault("seed", 0L));
        }
        Dataset ds = RunSetup.open(description, split, cleanTargets);
        String stored = file.metadata().get("batch_size");
        int batch = 32;
        if (batchSize != null) {
            batch = batchSize;
        } else if (stored != null) {
            batch = Integer.parseInt(stored);
        }
        Path out = output != null ? output : defaultOutput(model, split);
        Evaluator.Report report = Evaluator.evaluate(file, ds, split, out, batch, 6);
        if (report.segmentation() != null) {
            System.out.print(report.segmentation().format(report.classes()));
        }
        System.out.println(report.summaryLine(split));
        if (report.segmentation() != null) {
            System.out.println("confusion matrix: " + out.resolve("confusion_matrix.csv"));
        }
        return 0;
    }

    /**
     * Returns the model file's folder for the test split, which training has already written the
     * same results to. Other splits go to its subfolder of their name, because in the folder their
     * confusion matrix and charts would replace the training run's test results.
     */
    static Path defaultOutput(Path model, String split) {
        Path folder = model.toAbsolutePath().getParent();
        return split.equals("test") ? folder : folder.resolve(split);
    }
}
