package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.fcn4j.metrics.ConfusionMatrixCsv;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fcn4j iou}: per-class IoU and mIoU of a confusion matrix stored as CSV. */
@Command(name = "iou", mixinStandardHelpOptions = true,
        description = {"Print the per-class IoU and the mIoU of a confusion matrix.",
            "The CSV contains C lines of C numbers (rows: true class, columns: predicted class; counts or "
                    + "percentages), optionally after one line of class names. Classes that are never true nor "
                    + "predicted are reported as absent and left out of the mIoU."})
final class IouCommand implements Callable<Integer> {
    @Option(names = "--confusion", required = true, paramLabel = "FILE.csv",
            description = "Confusion matrix as CSV, e.g. the one the evaluation command writes.")
    Path confusion;

    @Option(names = "--names", split = ",", paramLabel = "NAME",
            description = "Class names, comma-separated, in row order (default: the CSV's name line, else class 0, "
                    + "class 1, ...).")
    List<String> names;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(confusion)) {
            throw new IllegalArgumentException("confusion matrix file not found: " + confusion);
        }
        ConfusionMatrixCsv.Table table = ConfusionMatrixCsv.read(confusion);
        int classes = table.values().length;
        List<String> labels = names != null ? names : table.names();
        if (labels != null && labels.size() != classes) {
            throw new IllegalArgumentException((names != null ? "--names" : confusion + ": the name line") + " gives "
                    + labels.size() + " class names, but the matrix has " + classes + " classes");
        }
        System.out.print(table.metrics().format(labels));
        System.out.flush();
        return 0;
    }
}
