package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Every configuration in examples/ passes validation, and fashion-scenes.yaml spells out the defaults. */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    @Test
    void everyExampleValidates() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 6, "examples found: " + files);
        for (Path f : files) {
            TrainConfig.load(f, List.of());
        }
    }

    @Test
    void fashionScenesExampleIsTheDefaultRun() throws IOException {
        TrainConfig example = TrainConfig.load(EXAMPLES.resolve("fashion-scenes.yaml"), List.of());
        TrainConfig defaults = TrainConfig.defaults();
        for (String key : TrainConfig.SCHEMA.keySet()) {
            // "auto" defaults resolve from the dataset, so the example may name the resolved value.
            if (!key.equals("name") && !"auto".equals(defaults.get(key))) {
                assertEquals(defaults.get(key), example.get(key), key);
            }
        }
    }
}
