package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.imageio.ImageIO;

import org.fcn4j.data.ArrayDataset;
import org.fcn4j.data.Dataset;
import org.fcn4j.data.Datasets;
import org.fcn4j.data.Sample;
import org.fcn4j.io.ColorTable;
import org.fcn4j.io.NdArray;
import org.fcn4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fcn4j data show} and {@code fcn4j data export}, run through the command line. */
class DataCommandTest {
    @TempDir
    Path tmp;

    @Test
    void showWritesAGridForEveryBuiltInDataset() throws IOException {
        for (String name : Datasets.NAMES) {
            Path png = tmp.resolve(name + ".png");
            assertEquals(0, Main.run("data", "show", name, "--count", "8", "--output", png.toString()), name);
            BufferedImage img = ImageIO.read(png.toFile());
            // 4 pairs per row, each pair two 64-pixel tiles at zoom 3 plus gaps; two rows of 8 samples.
            assertEquals(4 * (2 * 192 + 18), img.getWidth(), name + " width");
            assertTrue(img.getHeight() >= 2 * (192 + 6), name + " height " + img.getHeight());
        }
    }

    @Test
    void showDrawsClassMapsInClassColours() throws IOException {
        Path png = tmp.resolve("scenes.png");
        assertEquals(0, Main.run("data", "show", "fashion-scenes", "--count", "1", "--zoom", "1", "--output",
                png.toString()));
        BufferedImage img = ImageIO.read(png.toFile());
        Sample s = Datasets.open("fashion-scenes", "train", 0).get(0);
        // The class map tile starts one tile and one gap to the right of the input tile.
        int x0 = 6 + 64 + 6;
        int y0 = 6;
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int want = ColorTable.displayColor((int) s.target().get(y, x));
                assertEquals(want, img.getRGB(x0 + x, y0 + y) & 0xFFFFFF, "class colour at (" + y + ", " + x + ")");
                colours.add(want);
            }
        }
        assertTrue(colours.size() >= 2, "background and at least one item");
    }

    @Test
    void paletteHasElevenDistinctColours() {
        Set<Integer> seen = new HashSet<>();
        for (int c = 0; c < 21; c++) {
            assertTrue(seen.add(ColorTable.displayColor(c)), "class " + c + " repeats a colour");
        }
    }

    @Test
    void exportWritesNumpyArraysMatchingTheDataset() throws IOException {
        Path dir = tmp.resolve("scenes-val");
        assertEquals(0, Main.run("data", "export", "fashion-scenes", "--split", "val", "--output", dir.toString(),
                "--count", "70"));
        NdArray inputs = Npy.read(dir.resolve("inputs.npy"));
        NdArray targets = Npy.read(dir.resolve("targets.npy"));
        assertArrayEquals(new int[] {70, 1, 64, 64}, inputs.shape());
        assertEquals(NdArray.DType.FLOAT32, inputs.dtype());
        assertArrayEquals(new int[] {70, 64, 64}, targets.shape());
        assertEquals(NdArray.DType.UINT8, targets.dtype());
        Dataset ds = Datasets.open("fashion-scenes", "val", 0);
        float[] in = inputs.toFloats();
        float[] tg = targets.toFloats();
        for (int i : new int[] {0, 33, 69}) {
            Sample s = ds.get(i);
            for (int k = 0; k < 4096; k++) {
                assertEquals(s.input().data()[k], in[i * 4096 + k], "input of sample " + i + " at " + k);
                assertEquals(s.target().data()[k], tg[i * 4096 + k], "target of sample " + i + " at " + k);
            }
        }
        ArrayDataset back = ArrayDataset.fromNpy(dir.resolve("inputs.npy"), dir.resolve("targets.npy"), 11);
        assertEquals(ds.get(42), back.get(42), "export read back as a dataset");
        List<String> classes = Files.readAllLines(dir.resolve("classes.txt"));
        assertEquals(11, classes.size());
        assertEquals("background", classes.get(0));
    }

    @Test
    void exportOfCellsAddsCleanImages() throws IOException {
        Path dir = tmp.resolve("n2n");
        assertEquals(0, Main.run("data", "export", "cells-noise2noise", "--split", "test", "--output", dir.toString(),
                "--count", "3"));
        assertArrayEquals(new int[] {3, 1, 64, 64}, Npy.read(dir.resolve("targets.npy")).shape());
        assertEquals(NdArray.DType.FLOAT32, Npy.read(dir.resolve("targets.npy")).dtype());
        NdArray clean = Npy.read(dir.resolve("clean.npy"));
        assertArrayEquals(new int[] {3, 1, 64, 64}, clean.shape());
        float[] in = Npy.read(dir.resolve("inputs.npy")).toFloats();
        float[] c = clean.toFloats();
        for (int k = 0; k < in.length; k++) {
            assertTrue(in[k] >= c[k], "input = clean + non-negative clutter at " + k);
        }
    }

    /** Writes a two-image VOC tree with images of different sizes; returns its root. */
    private Path vocTree() throws IOException {
        Path root = tmp.resolve("VOC2007");
        Files.createDirectories(root.resolve("JPEGImages"));
        Files.createDirectories(root.resolve("SegmentationClass"));
        Files.createDirectories(root.resolve("ImageSets/Segmentation"));
        int[][] sizes = {{40, 30}, {24, 36}};
        for (int i = 0; i < 2; i++) {
            int w = sizes[i][0];
            int h = sizes[i][1];
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img.setRGB(x, y, x < w / 2 ? 0xC00000 : 0x0000C0);
                    mask.getRaster().setSample(x, y, 0, x < w / 2 ? 0 : 7 + i);
                }
            }
            ImageIO.write(img, "jpeg", root.resolve("JPEGImages/img" + i + ".jpg").toFile());
            ImageIO.write(mask, "png", root.resolve("SegmentationClass/img" + i + ".png").toFile());
        }
        Files.write(root.resolve("ImageSets/Segmentation/val.txt"), List.of("img0", "img1"));
        return root;
    }

    @Test
    void showAndExportReadAVocFolder() throws IOException {
        Path root = vocTree();
        Path png = tmp.resolve("voc.png");
        assertEquals(0, Main.run("data", "show", "voc2007", "--root", root.toString(), "--split", "val", "--output",
                png.toString()));
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 0);

        Path dir = tmp.resolve("voc-export");
        assertEquals(2, Main.run("data", "export", "voc2007", "--root", root.toString(), "--split", "val",
                "--output", dir.toString()), "mixed sizes without --resize are rejected");
        assertEquals(0, Main.run("data", "export", "voc2007", "--root", root.toString(), "--split", "val",
                "--output", dir.toString(), "--resize", "16"));
        assertArrayEquals(new int[] {2, 3, 16, 16}, Npy.read(dir.resolve("inputs.npy")).shape());
        NdArray targets = Npy.read(dir.resolve("targets.npy"));
        assertArrayEquals(new int[] {2, 16, 16}, targets.shape());
        Set<Float> values = new HashSet<>();
        for (float v : targets.toFloats()) {
            values.add(v);
        }
        assertEquals(Set.of(0f, 7f, 8f), values, "resizing keeps class values exact");
        assertEquals(21, Files.readAllLines(dir.resolve("classes.txt")).size());
    }

    @Test
    void missingVocFolderFailsWithExitCode2() {
        assertEquals(2, Main.run("data", "show", "voc2007", "--root", tmp.resolve("nowhere").toString(), "--output",
                tmp.resolve("v.png").toString()));
        assertEquals(2, Main.run("data", "show", "voc2007", "--output", tmp.resolve("v.png").toString()));
    }

    @Test
    void unknownDatasetOrSplitFailsWithExitCode2() {
        assertEquals(2, Main.run("data", "show", "imagenet", "--output", tmp.resolve("x.png").toString()));
        assertEquals(2, Main.run("data", "export", "cells-denoise", "--split", "dev", "--output",
                tmp.resolve("d").toString()));
        assertEquals(2, Main.run("data", "show", "cells-denoise", "--count", "0", "--output",
                tmp.resolve("y.png").toString()));
    }
}
