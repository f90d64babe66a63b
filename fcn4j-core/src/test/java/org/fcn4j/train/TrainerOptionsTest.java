package org.fcn4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TrainerOptionsTest {
    @Test
    void metadataKeepsCallersOrder() {
        // Twenty keys in an order that is neither sorted nor a hash order, so that a copy in an
        // order of its own (Map.copyOf's is unspecified) would almost surely differ.
        Map<String, String> metadata = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String key = "key" + (i * 7 % 20);
            keys.add(key);
            metadata.put(key, Integer.toString(i));
        }
        Trainer.Options options = new Trainer.Options(1, 0, 0, "val_loss", false, 0, Path.of("run"), metadata);

        assertEquals(keys, new ArrayList<>(options.modelMetadata().keySet()),
                "model file metadata in the order the caller gave, so that equal runs write equal files");
        metadata.put("later", "x");
        assertEquals(20, options.modelMetadata().size(), "options keep a copy, not the caller's map");
        assertThrows(UnsupportedOperationException.class, () -> options.modelMetadata().put("k", "v"));
    }
}
