package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
    @TempDir
    Path dir;

    private static BufferedImage read(Path f) throws IOException {
        BufferedImage img = ImageIO.read(f.toFile());
        assertTrue(img != null, f + " is not a readable PNG");
        return img;
    }

    @Test
    void everyChartWritesAPng() throws IOException {
        double[] epochs = {1, 2, 3};
        Charts.learningCurves(dir.resolve("curves.png"), epochs, new double[] {1, 0.7, 0.5},
                new double[] {1.1, 0.8, Double.NaN}, List.of("miou"), List.of(new double[] {0.2, 0.3, 0.35}));
        assertEquals(800, read(dir.resolve("curves.png")).getWidth());

        long[][] counts = {{90, 10, 0}, {5, 15, 0}, {0, 0, 0}};
        Charts.confusionMatrix(dir.resolve("cm.png"), counts, List.of("bg", "shirt", "bag"), "Confusion");
        read(dir.resolve("cm.png"));

        Charts.iouBars(dir.resolve("iou.png"), new double[] {0.8, 0.5, Double.NaN}, List.of("bg", "shirt", "bag"), 0.65);
        read(dir.resolve("iou.png"));
    }

    @Test
    void sampleGridUsesClassColours() throws IOException {
        int h = 4;
        int w = 4;
        float[] input = new float[h * w];
        float[] target = new float[h * w];
        float[] pred = new float[h * w];
        target[0] = 1;
        pred[0] = 2;
        Path f = dir.resolve("samples.png");
        Charts.sampleGrid(f, List.of(new Charts.SampleRow(input, 1, h, w, target, pred)), true);
        BufferedImage img = read(f);
        int cell = 96;
        int targetX = 6 + cell + 6 + 2;
        int predX = 6 + 2 * (cell + 6) + 2;
        int y = 22 + 2;
        assertEquals(Charts.classColor(1).getRGB() & 0xffffff, img.getRGB(targetX, y) & 0xffffff);
        assertEquals(Charts.classColor(2).getRGB() & 0xffffff, img.getRGB(predX, y) & 0xffffff);
        assertEquals(0, img.getRGB(predX + cell - 4, y + cell - 4) & 0xffffff, "background is black");

        Path fields = dir.resolve("fields.png");
        Charts.sampleGrid(fields, List.of(new Charts.SampleRow(input, 1, h, w, target, pred)), false);
        assertEquals(3 * (cell + 6) + 6 + 80, read(fields).getWidth(), "field grid has a colour scale");
    }
}
