package org.fcn4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search path for data files, and the full Fashion-MNIST training set when installed. */
class DataFilesTest {
    @TempDir
    Path tmp;

    @Test
    void configuredDirectoryComesFirst() throws IOException {
        Path f = tmp.resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "stand-in");
        String old = System.getProperty("fcn4j.data.dir");
        System.setProperty("fcn4j.data.dir", tmp.toString());
        try {
            assertEquals(tmp.toAbsolutePath().normalize(), DataFiles.searchPath().get(0));
            assertEquals(f.toAbsolutePath().normalize(), DataFiles.find("fashion-mnist/t10k-labels-idx1-ubyte.gz"));
            assertTrue(DataFiles.find("fashion-mnist/t10k-images-idx3-ubyte.gz").toString()
                    .endsWith("data/fashion-mnist/t10k-images-idx3-ubyte.gz"), "other files still come from data/");
        } finally {
            if (old == null) {
                System.clearProperty("fcn4j.data.dir");
            } else {
                System.setProperty("fcn4j.data.dir", old);
            }
        }
    }

    @Test
    void repositoryDataIsFoundFromAModuleDirectory() {
        Path repoData = Path.of("..", "data").toAbsolutePath().normalize();
        assertTrue(DataFiles.searchPath().contains(repoData), "search path " + DataFiles.searchPath());
    }

    @Test
    void missingFileListsTheSearchPath() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DataFiles.find("no-such-set/file.gz"));
        assertTrue(e.getMessage().contains("no-such-set/file.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("FCN4J_DATA"), e.getMessage());
    }

    @Test
    void installedTrainingSetLoads() {
        Assumptions.assumeTrue(Files.isRegularFile(Path.of(
                "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")),
                "the full Fashion-MNIST set is not installed (apt-get install dataset-fashion-mnist)");
        FashionMnist train = FashionMnist.load("train");
        assertEquals(60000, train.size());
        int[] counts = new int[10];
        for (int i = 0; i < train.size(); i++) {
            counts[train.label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, counts[c], "photos of class " + c);
        }
    }
}
