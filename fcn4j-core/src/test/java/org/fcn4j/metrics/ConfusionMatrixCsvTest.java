package org.fcn4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfusionMatrixCsvTest {
    @TempDir
    Path dir;

    @Test
    void writeThenReadKeepsCountsAndNames() throws IOException {
        ConfusionMatrix cm = new ConfusionMatrix(3).update(new int[] {0, 1, 0, 1, 2}, new int[] {0, 1, 0, 0, 2});
        Path file = dir.resolve("cm.csv");
        ConfusionMatrixCsv.write(file, cm, List.of("sky", "road", "car"));
        assertEquals(List.of("sky,road,car", "2,1,0", "0,1,0", "0,0,1"), Files.readAllLines(file));
        ConfusionMatrixCsv.Table t = ConfusionMatrixCsv.read(file);
        assertEquals(List.of("sky", "road", "car"), t.names());
        assertArrayEquals(new double[] {2, 1, 0}, t.values()[0]);
        assertEquals(cm.metrics().meanIoU(), t.metrics().meanIoU(), 1e-12);
    }

    @Test
    void readsPercentagesWithoutNames() throws IOException {
        Path file = Files.writeString(dir.resolve("pct.csv"), "# row-normalised\n 80.5, 19.5\n\n25,75\n");
        ConfusionMatrixCsv.Table t = ConfusionMatrixCsv.read(file);
        assertNull(t.names());
        assertArrayEquals(new double[] {80.5, 19.5}, t.values()[0]);
    }

    @Test
    void errorsNameFileLineAndField() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "a,b\n1,2\n3,x\n");
        IOException e = assertThrows(IOException.class, () -> ConfusionMatrixCsv.read(bad));
        assertTrue(e.getMessage().contains("bad.csv:3: field 2 is 'x', not a number"), e.getMessage());

        Path ragged = Files.writeString(dir.resolve("ragged.csv"), "1,2\n3\n");
        e = assertThrows(IOException.class, () -> ConfusionMatrixCsv.read(ragged));
        assertTrue(e.getMessage().contains("ragged.csv:2: expected 2 fields"), e.getMessage());

        Path negative = Files.writeString(dir.resolve("neg.csv"), "1,-2\n3,4\n");
        e = assertThrows(IOException.class, () -> ConfusionMatrixCsv.read(negative));
        assertTrue(e.getMessage().contains("neg.csv:1: field 2 is -2"), e.getMessage());

        Path notSquare = Files.writeString(dir.resolve("rect.csv"), "1,2\n3,4\n5,6\n");
        e = assertThrows(IOException.class, () -> ConfusionMatrixCsv.read(notSquare));
        assertTrue(e.getMessage().contains("rect.csv: expected a square matrix, got 3 rows of 2 columns"),
                e.getMessage());

        Path empty = Files.writeString(dir.resolve("empty.csv"), "# nothing\n");
        e = assertThrows(IOException.class, () -> ConfusionMatrixCsv.read(empty));
        assertTrue(e.getMessage().contains("no matrix rows"), e.getMessage());

        ConfusionMatrix cm = new ConfusionMatrix(2);
        assertThrows(IllegalArgumentException.class,
                () -> ConfusionMatrixCsv.write(dir.resolve("x.csv"), cm, List.of("a,b", "c")));
    }
}
