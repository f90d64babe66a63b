package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.fcn4j.train.MetricsLog;

/** The learning-curve picture of a run folder, from its metrics.jsonl. */
final class RunCharts {
    private RunCharts() {
    }

    static void learningCurves(Path runDir, String task) throws IOException {
        MetricsLog log = MetricsLog.load(runDir);
        List<String> names = task.equals("segmentation") ? List.of("val_miou", "val_pixel_accuracy")
                : List.of("val_mae", "val_bias");
        List<double[]> values = new ArrayList<>();
        for (String n : names) {
            values.add(log.column(n));
        }
        Charts.learningCurves(runDir.resolve("learning_curves.png"), log.column("epoch"), log.column("train_loss"),
                log.column("val_loss"), names, values);
    }
}
