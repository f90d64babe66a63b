package org.fcn4j.model;

import org.fcn4j.nn.Module;
import org.fcn4j.tensor.Generator;

/** Builds a model from its configuration. */
public final class Models {
    private Models() {
    }

    /** A new model with PyTorch's default initialisation drawn from {@code rng}. */
    public static Module create(ModelConfig config, Generator rng) {
        return switch (config.type()) {
            case "unet" -> new UNet(config, rng);
            case "fcn" -> new FCN(config, rng);
            default -> throw new IllegalArgumentException("unknown model type " + config.type());
        };
    }
}
