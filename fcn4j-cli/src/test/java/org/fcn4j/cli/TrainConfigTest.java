package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainConfigTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, text);
        return f;
    }

    private String error(String text, String... overrides) throws IOException {
        Path f = yaml(text);
        return assertThrows(IllegalArgumentException.class, () -> TrainConfig.load(f, List.of(overrides)))
                .getMessage();
    }

    @Test
    void defaultsAreTheCourseUNet() {
        TrainConfig c = TrainConfig.defaults();
        assertEquals(List.of(16, 32, 64, 128), c.getInts("model.widths"));
        assertEquals(128, c.getInt("model.bottleneck"));
        assertEquals("batch", c.getString("model.norm"));
        assertEquals("fashion-scenes", c.getString("data.dataset"));
        assertFalse(c.isSet("model.norm"));
    }

    @Test
    void fileAndOverridesApply() throws IOException {
        Path f = yaml("model:\n  norm: group:4\n  widths: [8, 16]\ntrain:\n  epochs: 3\n");
        TrainConfig c = TrainConfig.load(f, List.of("train.epochs=5", "optimizer.lr=0.01", "model.widths=[4,8,16]"));
        assertEquals("group:4", c.getString("model.norm"));
        assertEquals(5, c.getInt("train.epochs"));
        assertEquals(0.01, c.getDouble("optimizer.lr"));
        assertEquals(List.of(4, 8, 16), c.getInts("model.widths"));
        assertTrue(c.isSet("train.epochs"));
    }

    @Test
    void unknownKeyListsAllowedKeys() throws IOException {
        String m = error("model:\n  nrom: batch\n");
        assertTrue(m.contains("unknown key 'model.nrom'"), m);
        assertTrue(m.contains("norm"), m);
        assertTrue(m.contains("widths"), m);
        m = error("modle:\n  norm: batch\n");
        assertTrue(m.contains("'modle'"), m);
        assertTrue(m.contains("top-level keys"), m);
        m = error("", "train.epoch=3");
        assertTrue(m.contains("'train.epoch'"), m);
        assertTrue(m.contains("epochs"), m);
    }

    @Test
    void badValueNamesKeyAndAllowedValues() throws IOException {
        String m = error("model:\n  norm: bach\n");
        assertTrue(m.contains("model.norm"), m);
        assertTrue(m.contains("'bach'"), m);
        assertTrue(m.contains("group:G"), m);
        m = error("optimizer:\n  type: rmsprop\n");
        assertTrue(m.contains("optimizer.type"), m);
        assertTrue(m.contains("adam, adamw, sgd"), m);
        m = error("train:\n  epochs: -1\n");
        assertTrue(m.contains("train.epochs"), m);
        assertTrue(m.contains("integer > 0"), m);
        m = error("train:\n  epochs: ten\n");
        assertTrue(m.contains("an integer"), m);
        m = error("model:\n  dropout: 1.5\n");
        assertTrue(m.contains("[0, 1)"), m);
        m = error("optimizer:\n  betas: [0.9]\n");
        assertTrue(m.contains("optimizer.betas"), m);
        m = error("data:\n  dataset: voc2007\n");
        assertTrue(m.contains("data.root"), m);
        m = error("", "train.epochs");
        assertTrue(m.contains("key=value"), m);
        m = error("model: [1, 2\n");
        assertTrue(m.contains("invalid YAML"), m);
    }

    @Test
    void yamlDumpLoadsBack() throws IOException {
        TrainConfig c = TrainConfig.load(yaml("model:\n  base: 8\n"), List.of("seed=7"));
        Path again = dir.resolve("again.yaml");
        Files.writeString(again, c.toYaml());
        TrainConfig d = TrainConfig.load(again, List.of());
        assertEquals(c.flat(), d.flat());
    }
}
