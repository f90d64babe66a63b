package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which command lines make {@link Main#main} start the kernels' compilation before parsing. */
class MainTest {

    @Test
    void computingCommandsStartTheKernels() {
        assertTrue(Main.runsKernels("train"), "train");
        assertTrue(Main.runsKernels("--threads", "2", "bench", "unet", "--size", "small"), "bench unet after --threads");
        assertTrue(Main.runsKernels("evaluate", "--model", "m.safetensors"), "evaluate");
        assertTrue(Main.runsKernels("predict"), "predict");
    }

    @Test
    void otherCommandLinesDoNot() {
        assertFalse(Main.runsKernels(), "no arguments");
        assertFalse(Main.runsKernels("--version"), "--version alone, which names no command");
        assertFalse(Main.runsKernels("explain", "losses"), "explain");
        assertFalse(Main.runsKernels("help", "train"), "help");
    }
}
