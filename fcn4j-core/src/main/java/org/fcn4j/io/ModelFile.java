package org.fcn4j.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.fcn4j.Fcn4j;
import org.fcn4j.tensor.Tensor;

/**
 * A trained model as one safetensors file: the weights under PyTorch-style state_dict names, and in
 * the metadata everything that evaluation and prediction need (model configuration, input
 * normalisation, class names, dataset, fcn4j version), so that the file is self-contained.
 *
 * <p>Metadata values are strings, as the format requires; structured values (configuration,
 * statistics, class names, dataset) are JSON text. The keys are the constants of this class. A file
 * without {@link #FORMAT_KEY} equal to {@link #FORMAT} is rejected as "not an fcn4j model": this
 * check separates model files from checkpoints and from safetensors files of other programs.
 */
public final class ModelFile {
    /** Metadata key of the format marker. */
    public static final String FORMAT_KEY = "format";
    /** Format marker of model files. */
    public static final String FORMAT = "fcn4j-model/1";
    /** Metadata key of the fcn4j version that wrote the file. */
    public static final String VERSION_KEY = "fcn4j_version";
    /** Metadata key of the model configuration (JSON object, e.g. {"type": "unet", ...}). */
    public static final String MODEL_KEY = "model";
    /** Metadata key of the input normalisation statistics (JSON object; empty when inputs are not normalised). */
    public static final String NORMALIZATION_KEY = "normalization";
    /**
     * Metadata key of the regression-target normalisation statistics (JSON object, absent or empty when
     * targets are not normalised): the network then outputs normalised values, and evaluation and
     * prediction map them back to the target's units with the inverse transform.
     */
    public static final String TARGET_NORMALIZATION_KEY = "target_normalization";
    /** Metadata key of the class names (JSON array; absent for regression models). */
    public static final String CLASSES_KEY = "classes";
    /** Metadata key of the training data description (JSON object: built-in name, seed and sizes, or paths). */
    public static final String DATASET_KEY = "dataset";
    /** Metadata key of the task: "segmentation" or "regression". */
    public static final String TASK_KEY = "task";

    private ModelFile() {
    }

    /** Weights and metadata read from a model file. */
    public record Contents(Path path, Map<String, Tensor> stateDict, Map<String, String> metadata) {
        /** A metadata value, or an error naming the file and the missing key. */
        public String require(String key) throws IOException {
            String v = metadata.get(key);
            if (v == null) {
                throw new IOException(path + ": model file has no '" + key + "' entry in its metadata; write model "
                        + "files with ModelFile.write and the entries of docs/java-api.md (model, task, and for "
                        + "evaluation normalization, classes, dataset)");
            }
            return v;
        }

        /** A JSON object stored under {@code key}. */
        public Map<String, Object> json(String key) throws IOException {
            try {
                return Json.parseObject(require(key));
            } catch (IllegalArgumentException e) {
                throw new IOException(path + ": metadata '" + key + "' is not a JSON object: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Writes a model file atomically. {@code metadata} contains the keys of this class (except format and
     * version, which are added); the state dictionary is written in its iteration order.
     */
    public static void write(Path path, Map<String, Tensor> stateDict, Map<String, String> metadata) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        meta.put(VERSION_KEY, Fcn4j.version());
        meta.putAll(metadata);
        SafeTensors.write(path, stateDict, meta);
    }

    /** Reads a model file, checking that it is one. */
    public static Contents read(Path path) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(path);
        String format = c.metadata().get(FORMAT_KEY);
        if (!FORMAT.equals(format)) {
            throw new IOException(path + ": not an fcn4j model file (metadata '" + FORMAT_KEY + "' is "
                    + (format == null ? "missing" : "'" + format + "'") + ", expected '" + FORMAT + "'); pass the "
                    + "model.safetensors of a run folder, not a checkpoint or another program's file");
        }
        return new Contents(path, c.tensors(), c.metadata());
    }
}
