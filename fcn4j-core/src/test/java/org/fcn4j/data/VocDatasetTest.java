package org.fcn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.fcn4j.io.ColorTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VOC folder layout, on a tiny synthetic tree written here. */
class VocDatasetTest {
    @TempDir
    Path root;

    private void image(String name, int w, int h, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        ImageIO.write(img, "jpeg", root.resolve("JPEGImages").resolve(name + ".jpg").toFile());
    }

    private void mask(String name, int w, int h, int inner, int border) throws IOException {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int c = 0; c < 256; c++) {
            int rgb = ColorTable.vocColor(c);
            r[c] = (byte) (rgb >> 16);
            g[c] = (byte) (rgb >> 8);
            b[c] = (byte) rgb;
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, g,
                b));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean edge = x == 0 || y == 0 || x == w - 1 || y == h - 1;
                img.getRaster().setSample(x, y, 0, edge ? border : inner);
            }
        }
        ImageIO.write(img, "png", root.resolve("SegmentationClass").resolve(name + ".png").toFile());
    }

    private void list(String split, String... names) throws IOException {
        Files.write(root.resolve("ImageSets/Segmentation/" + split + ".txt"), List.of(names));
    }

    @BeforeEach
    void tree() throws IOException {
        Files.createDirectories(root.resolve("JPEGImages"));
        Files.createDirectories(root.resolve("SegmentationClass"));
        Files.createDirectories(root.resolve("ImageSets/Segmentation"));
        image("2007_000001", 10, 8, 0xFF0000);
        mask("2007_000001", 10, 8, 15, 255);
        image("2007_000002", 6, 6, 0x0000FF);
        mask("2007_000002", 6, 6, 0, 3);
        list("train", "2007_000001");
        list("val", "2007_000002", "");
    }

    @Test
    void readsSplitsImagesAndMasks() throws IOException {
        VocDataset train = new VocDataset(root, "train");
        assertEquals(1, train.size());
        assertEquals(21, train.numClasses());
        assertEquals("person", train.classNames().get(15));
        Sample s = train.get(0);
        assertArrayEquals(new int[] {3, 8, 10}, s.input().shape());
        assertArrayEquals(new int[] {8, 10}, s.target().shape());
        assertEquals(255f, s.target().get(0, 0), "border is ignored");
        assertEquals(15f, s.target().get(4, 5), "inside is person");
        assertEquals(1f, s.input().get(0, 4, 5), 3 / 255f, "red channel of a red image");

        VocDataset val = new VocDataset(root, "val");
        assertEquals(List.of("2007_000002"), val.names());
        assertEquals(3f, val.get(0).target().get(0, 0));
    }

    @Test
    void maskOfAnotherSizeIsRejected() throws IOException {
        mask("2007_000002", 7, 6, 0, 0);
        VocDataset val = new VocDataset(root, "val");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> val.get(0));
        String msg = e.getCause().getMessage();
        assertTrue(msg.contains("SegmentationClass"), msg);
        assertTrue(msg.contains("2007_000002.png"), msg);
        assertTrue(msg.contains("7x6"), msg);
        assertTrue(msg.contains("6x6"), msg);
    }

    @Test
    void classOutsideVocIsRejected() throws IOException {
        mask("2007_000001", 10, 8, 30, 255);
        VocDataset train = new VocDataset(root, "train");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> train.get(0));
        String msg = e.getCause().getMessage();
        assertTrue(msg.contains("2007_000001.png"), msg);
        assertTrue(msg.contains("class 30"), msg);
    }

    @Test
    void missingFilesAreReportedAtOpen() throws IOException {
        list("test", "2007_000001", "2007_000404");
        IOException e = assertThrows(IOException.class, () -> new VocDataset(root, "test"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertTrue(e.getMessage().contains("2007_000404"), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> new VocDataset(root, "trainval"));
        assertTrue(missing.getMessage().contains("trainval.txt"), missing.getMessage());
    }

    @Test
    void batchesAfterCrop() throws IOException {
        VocDataset val = new VocDataset(root, "val");
        Dataset both = Datasets.subset(val, new int[] {0, 0});
        try (DataLoader loader = new DataLoader(both, DataLoader.Options.of(2)
                .withTransform(Transforms.randomCrop(4, 4)))) {
            Batch b = loader.batch(0, 0);
            assertArrayEquals(new int[] {2, 3, 4, 4}, b.inputs().shape());
            assertArrayEquals(new int[] {2, 4, 4}, b.targets().shape());
        }
    }
}
