package org.fcn4j.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.GroupNorm;
import org.fcn4j.nn.InstanceNorm2d;
import org.fcn4j.nn.Module;

/** The normalisation layers a model can use, by configuration name. */
final class Norms {
    private static final Pattern GROUP = Pattern.compile("group:([1-9][0-9]*)");

    private Norms() {
    }

    static void check(String norm) {
        if (!norm.equals("batch") && !norm.equals("instance") && !norm.equals("layer") && !norm.equals("none")
                && !GROUP.matcher(norm).matches()) {
            throw new IllegalArgumentException("norm must be batch, instance, group:G, layer or none, got '" + norm + "'");
        }
    }

    /**
     * Creates the layer for {@code channels}, or returns null for "none". NOTE: instance has affine
     * parameters (PyTorch's default has none), so every choice has a per-channel gamma and beta. The
     * layer choice is GroupNorm with one group: it normalises over (C, H, W) of each image, for any size.
     */
    static Module create(String norm, int channels) {
        Matcher g = GROUP.matcher(norm);
        if (g.matches()) {
            return new GroupNorm(Integer.parseInt(g.group(1)), channels);
        }
        return switch (norm) {
            case "batch" -> new BatchNorm2d(channels);
            case "instance" -> new InstanceNorm2d(channels, 1e-5, 0.1, true, false);
            case "layer" -> new GroupNorm(1, channels);
            case "none" -> null;
            default -> throw new IllegalArgumentException("unknown norm '" + norm + "'");
        };
    }
}
