package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void plainModePrintsWholeLines() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), false, 3600);
        p.step(1, 2, 1, 10, 0.5, 1e-3, 100, 30);
        p.step(1, 2, 10, 10, 0.25, 1e-3, 120, 20);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("\r"), out);
        assertEquals(1, out.lines().count(), "only the end of the epoch within the interval: " + out);
        assertTrue(out.contains("epoch 1/2 step 10/10 loss 0.2500 lr 0.00100 120 img/s ETA 20s"), out);
    }

    @Test
    void terminalModeRedrawsOneLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), true, 10);
        p.step(1, 1, 5, 10, 0.5, 0.1, 10, 125);
        p.endLine();
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\r[############            ] epoch 1/1 step 5/10"), out);
        assertTrue(out.contains("ETA 2m05s"), out);
        assertFalse(out.contains("\n"), out);
    }

    @Test
    void durationFormats() {
        assertEquals("?", Progress.duration(Double.NaN));
        assertEquals("42s", Progress.duration(42.2));
        assertEquals("1h02m", Progress.duration(3725));
    }
}
