package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.fcn4j.metrics.ConfusionMatrix;
import org.fcn4j.metrics.ConfusionMatrixCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IouCommandTest {
    @TempDir
    Path dir;

    @Test
    void countsWithAbsentClass() throws IOException {
        // targets [0, 1, 0, 0], predictions [0, 1, 0, 1]; class 2 never occurs
        ConfusionMatrix cm = new ConfusionMatrix(3).update(new int[] {0, 1, 0, 1}, new int[] {0, 1, 0, 0});
        Path csv = dir.resolve("cm.csv");
        ConfusionMatrixCsv.write(csv, cm, null);
        CliRun run = CliRun.of("iou", "--confusion", csv.toString(), "--names", "bg,cell,debris");
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals("class   IoU", lines.get(0));
        assertEquals("bg      0.6667", lines.get(1));
        assertEquals("cell    0.5000", lines.get(2));
        assertEquals("debris  absent", lines.get(3));
        assertEquals("mIoU 0.5833", lines.get(4));
        assertTrue(lines.get(5).contains("2 present classes of 3"), lines.get(5));
        assertTrue(lines.get(5).endsWith("debris"), lines.get(5));
    }

    @Test
    void percentMatrixWithNameLine() throws IOException {
        Path csv = Files.writeString(dir.resolve("pct.csv"), "Vegetation,Other\n51,49\n20,80\n");
        CliRun run = CliRun.of("iou", "--confusion", csv.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains(String.format("Vegetation  %.4f", 51.0 / 120)), run.out());
        assertTrue(run.out().contains(String.format("Other       %.4f", 80.0 / 149)), run.out());
        assertTrue(run.out().contains(String.format("mIoU %.4f", (51.0 / 120 + 80.0 / 149) / 2)), run.out());
    }

    @Test
    void roadScenesExampleGivesCourseVegetationIou() {
        CliRun run = CliRun.of("iou", "--confusion", Path.of("..", "examples", "road-scenes-confusion.csv").toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(15, lines.size(), run.out());
        assertEquals("Vegetation    0.4250", lines.get(4));
        assertEquals("Truck         0.4245", lines.get(13));
        assertEquals("mIoU 0.4534", lines.get(14));
    }

    @Test
    void badFileNamesLineAndField() throws IOException {
        Path csv = Files.writeString(dir.resolve("bad.csv"), "1,2\n3,oops\n");
        CliRun run = CliRun.of("iou", "--confusion", csv.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("bad.csv:2: field 2 is 'oops', not a number"), run.err());

        run = CliRun.of("iou", "--confusion", dir.resolve("missing.csv").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("not found"), run.err());
        assertTrue(run.err().contains("missing.csv"), run.err());

        Path ok = Files.writeString(dir.resolve("ok.csv"), "1,2\n3,4\n");
        run = CliRun.of("iou", "--confusion", ok.toString(), "--names", "a,b,c");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--names gives 3 class names, but the matrix has 2 classes"), run.err());
    }
}
