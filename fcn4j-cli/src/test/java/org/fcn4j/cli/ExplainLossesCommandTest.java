package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainLossesCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsFitsAndWritesPng() throws Exception {
        Path png = dir.resolve("plots/losses.png");
        CliRun run = CliRun.of("explain", "losses", "--samples", "20000", "--steps", "300", "--network-samples", "4000",
                "--network-steps", "300", "--output", png.toString());
        assertEquals(0, run.exitCode(), run.err());
        for (String row : new String[] {"MSE ", "MAE ", "pinball 0.1 ", "pinball 0.9 "}) {
            assertEquals(2, run.out().lines().filter(l -> l.startsWith(row)).count(), row + " rows in\n" + run.out());
        }
        assertTrue(run.out().contains("mean              1.0000"), run.out());
        assertTrue(run.out().contains("median            0.6931"), run.out());
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "PNG written to " + png);
        assertEquals(1400, image.getWidth());
    }
}
