package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.fcn4j.io.ModelFile;
import org.fcn4j.model.FCN;
import org.fcn4j.model.LayerSummary;
import org.fcn4j.model.ModelConfig;
import org.fcn4j.model.Models;
import org.fcn4j.model.UNet;
import org.fcn4j.nn.Module;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Shape;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fcn4j summary}: layer output shapes and parameter counts of a model. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Print each block's output shape and parameter count, the total and the bottleneck size.",
            "Example: fcn4j summary --input 1x64x64 (the course's U-Net)."})
final class SummaryCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "CONFIG|FILE", description = "A training YAML configuration, or a "
            + "model.safetensors; default: the default configuration (the course's U-Net).")
    Path model;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a configuration key, e.g. "
            + "--set model.base=32; repeatable.")
    List<String> overrides = new java.util.ArrayList<>();

    @Option(names = "--input", required = true, paramLabel = "CxHxW", description = "Input size: channels x height x "
            + "width in pixels, e.g. 1x64x64.")
    String input;

    @Option(names = "--classes", defaultValue = "1", paramLabel = "K", description = "Output channels when the model "
            + "comes from a configuration (default: ${DEFAULT-VALUE}).")
    int classes;

    @Override
    public Integer call() throws IOException {
        // The limit -1 keeps trailing empty parts, so that 1x64x64x is rejected.
        String[] parts = input.toLowerCase(Locale.ROOT).split("x", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("--input expects CxHxW, e.g. 1x64x64, got '" + input + "'");
        }
        int c;
        int h;
        int w;
        try {
            c = Integer.parseInt(parts[0]);
            h = Integer.parseInt(parts[1]);
            w = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--input expects positive integers CxHxW, got '" + input + "'");
        }
        if (c < 1 || h < 1 || w < 1) {
            throw new IllegalArgumentException("--input expects positive integers CxHxW, got '" + input + "'");
        }
        ModelConfig config;
        if (model != null && model.toString().endsWith(".safetensors")) {
            config = Evaluator.load(ModelFile.read(model)).config();
        } else {
            TrainConfig t = TrainConfig.load(model, overrides);
            config = RunSetup.modelConfig(t, c, classes);
        }
        if (config.inChannels() != c) {
            throw new IllegalArgumentException("the model takes " + config.inChannels() + " input channel(s), --input "
                    + "has " + c);
        }
        Module net = Models.create(config, new Generator(0));
        System.out.println(net);
        List<LayerSummary> rows;
        if (net instanceof UNet unet) {
            rows = unet.summarize(c, h, w);
        } else {
            rows = ((FCN) net).summarize(c, h, w);
        }
        System.out.printf(Locale.ROOT, "%-12s %-44s %-20s %12s%n", "block", "layer", "output shape", "parameters");
        for (LayerSummary r : rows) {
            System.out.printf(Locale.ROOT, "%-12s %-44s %-20s %,12d%n", r.name(), r.description(),
                    Shape.str(r.outputShape()), r.parameters());
        }
        for (LayerSummary r : rows) {
            if (r.name().equals("bottleneck") || r.name().equals("stage5")) {
                int[] b = r.outputShape();
                System.out.printf(Locale.ROOT, "bottleneck: %d channels x %d x %d = %,d values per image%n", b[1], b[2],
                        b[3], (long) b[1] * b[2] * b[3]);
            }
        }
        System.out.printf(Locale.ROOT, "total parameters: %,d%n", net.parameterCount());
        return 0;
    }
}
