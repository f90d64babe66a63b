package org.fcn4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files: metadata round trip, and a missing entry named with what to write. */
class ModelFileTest {

    @Test
    void missingEntryNamedWithFix(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.safetensors");
        ModelFile.write(file, Map.of("w", Tensor.of(new float[] {1, 2}, 2)), Map.of(ModelFile.TASK_KEY, "segmentation"));
        ModelFile.Contents contents = ModelFile.read(file);

        assertEquals("segmentation", contents.require(ModelFile.TASK_KEY));
        IOException e = assertThrows(IOException.class, () -> contents.require(ModelFile.MODEL_KEY));
        assertTrue(e.getMessage().contains("has no 'model' entry in its metadata"), e.getMessage());
        assertTrue(e.getMessage().contains("ModelFile.write"), e.getMessage());
    }
}
