package org.fcn4j.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fcn4j.io.Json;

/**
 * The architecture of a model, enough to rebuild it from a model file: stored as JSON in the
 * file's metadata.
 *
 * @param type        "unet" or "fcn"
 * @param inChannels  input channels C_in
 * @param outChannels output channels (classes for segmentation, fields for regression)
 * @param widths      channels of each encoder level; its length is the depth (number of poolings)
 * @param bottleneck  channels of the bottleneck (U-Net) or of the last encoder stage (FCN)
 * @param norm        batch, instance, group:G, layer or none
 * @param upsampling  transpose, bilinear or nearest (U-Net decoder)
 * @param dropout     dropout probability on the bottleneck output, in [0, 1)
 */
public record ModelConfig(String type, int inChannels, int outChannels, List<Integer> widths, int bottleneck,
        String norm, String upsampling, double dropout) {

    public ModelConfig {
        if (!type.equals("unet") && !type.equals("fcn")) {
            throw new IllegalArgumentException("model type must be unet or fcn, got '" + type + "'");
        }
        if (inChannels <= 0 || outChannels <= 0 || bottleneck <= 0) {
            throw new IllegalArgumentException("in, out and bottleneck channels must be > 0, got " + inChannels + ", "
                    + outChannels + ", " + bottleneck);
        }
        if (widths.isEmpty() || widths.stream().anyMatch(w -> w <= 0)) {
            throw new IllegalArgumentException("widths must list at least one channel count > 0, got " + widths);
        }
        if (type.equals("fcn") && widths.size() != 4) {
            throw new IllegalArgumentException("the FCN model needs 4 encoder widths (strides 2, 4, 8, 16; the "
                    + "bottleneck is stride 32), got " + widths);
        }
        Norms.check(norm);
        if (!List.of("transpose", "bilinear", "nearest").contains(upsampling)) {
            throw new IllegalArgumentException("upsampling must be transpose, bilinear or nearest, got '" + upsampling
                    + "'");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        widths = List.copyOf(widths);
    }

    /** The course's U-Net: widths 16, 32, 64, 128, bottleneck 128, BatchNorm, transposed convolutions. */
    public static ModelConfig courseUNet(int inChannels, int outChannels) {
        return new ModelConfig("unet", inChannels, outChannels, List.of(16, 32, 64, 128), 128, "batch", "transpose", 0);
    }

    /**
     * The U-Net with widths {@code base * 2^i} for i &lt; depth and a bottleneck of {@code base * 2^depth}
     * channels (the shape of the original U-Net and of the unet-bench workload).
     */
    public static ModelConfig unetFromBase(int inChannels, int outChannels, int base, int depth) {
        List<Integer> widths = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            widths.add(base << i);
        }
        return new ModelConfig("unet", inChannels, outChannels, widths, base << depth, "batch", "transpose", 0);
    }

    /** The number of poolings; inputs are padded to a multiple of 2^depth. */
    public int depth() {
        return type.equals("fcn") ? 5 : widths.size();
    }

    public ModelConfig withNorm(String value) {
        return new ModelConfig(type, inChannels, outChannels, widths, bottleneck, value, upsampling, dropout);
    }

    public ModelConfig withUpsampling(String value) {
        return new ModelConfig(type, inChannels, outChannels, widths, bottleneck, norm, value, dropout);
    }

    public ModelConfig withDropout(double value) {
        return new ModelConfig(type, inChannels, outChannels, widths, bottleneck, norm, upsampling, value);
    }

    /** The configuration as a JSON object. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("in_channels", inChannels);
        m.put("out_channels", outChannels);
        m.put("widths", widths);
        m.put("bottleneck", bottleneck);
        m.put("norm", norm);
        m.put("upsampling", upsampling);
        m.put("dropout", dropout);
        return Json.write(m);
    }

    /** Parses {@link #toJson()}'s output; a missing or ill-typed field is an error naming it. */
    public static ModelConfig fromJson(String json) {
        Map<String, Object> m = Json.parseObject(json);
        List<Integer> widths = new ArrayList<>();
        for (Object o : (List<?>) field(m, "widths", List.class)) {
            widths.add(((Number) o).intValue());
        }
        return new ModelConfig((String) field(m, "type", String.class),
                ((Number) field(m, "in_channels", Number.class)).intValue(),
                ((Number) field(m, "out_channels", Number.class)).intValue(), widths,
                ((Number) field(m, "bottleneck", Number.class)).intValue(), (String) field(m, "norm", String.class),
                (String) field(m, "upsampling", String.class), ((Number) field(m, "dropout", Number.class)).doubleValue());
    }

    private static Object field(Map<String, Object> m, String key, Class<?> type) {
        Object v = m.get(key);
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("model configuration field '" + key + "' is missing or not "
                    + type.getSimpleName().toLowerCase(java.util.Locale.ROOT) + ": " + v);
        }
        return v;
    }
}
