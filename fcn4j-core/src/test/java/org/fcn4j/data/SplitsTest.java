package org.fcn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Splits by fraction (seeded) and by list file. */
class SplitsTest {
    @TempDir
    Path tmp;

    @Test
    void fractionsPartitionTheIndicesReproducibly() {
        List<int[]> parts = Splits.indicesByFraction(103, 17, 0.8, 0.1, 0.1);
        assertEquals(82, parts.get(0).length);
        assertEquals(10, parts.get(1).length);
        assertEquals(11, parts.get(2).length, "the last part takes the remainder");
        Set<Integer> all = new HashSet<>();
        for (int[] p : parts) {
            for (int i : p) {
                assertTrue(all.add(i), "index " + i + " appears in two parts");
            }
        }
        assertEquals(103, all.size());
        List<int[]> again = Splits.indicesByFraction(103, 17, 0.8, 0.1, 0.1);
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(parts.get(k), again.get(k), "part " + k + " for the same seed");
        }
        assertFalse(Arrays.equals(parts.get(1), Splits.indicesByFraction(103, 18, 0.8, 0.1, 0.1).get(1)),
                "another seed, another split");
    }

    @Test
    void fractionsBelowOneLeaveSamplesOut() {
        List<int[]> parts = Splits.indicesByFraction(10, 1, 0.5, 0.2);
        assertEquals(5, parts.get(0).length);
        assertEquals(2, parts.get(1).length);
        assertThrows(IllegalArgumentException.class, () -> Splits.indicesByFraction(10, 1, 0.7, 0.7));
        assertThrows(IllegalArgumentException.class, () -> Splits.indicesByFraction(10, 1, 0.0));
    }

    @Test
    void datasetViewsFollowTheIndices() {
        Dataset ds = DataLoaderTest.counting(20);
        List<Dataset> parts = Splits.byFraction(ds, 4, 0.75, 0.25);
        int[] idx = Splits.indicesByFraction(20, 4, 0.75, 0.25).get(1);
        assertEquals(5, parts.get(1).size());
        assertEquals(ds.get(idx[2]), parts.get(1).get(2));
        assertEquals(5, parts.get(1).numClasses());
    }

    @Test
    void listFileSelectsByName() throws IOException {
        Path list = tmp.resolve("val.txt");
        Files.write(list, List.of("# validation", "b", "", "d"));
        int[] idx = Splits.fromListFile(list, Map.of("a", 0, "b", 1, "c", 2, "d", 3));
        assertArrayEquals(new int[] {1, 3}, idx);
        Files.write(list, List.of("a", "zz"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Splits.fromListFile(list, Map.of("a", 0)));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertTrue(e.getMessage().contains("'zz'"), e.getMessage());
    }
}
