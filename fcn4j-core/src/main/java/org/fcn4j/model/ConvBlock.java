package org.fcn4j.model;

import java.util.ArrayList;
import java.util.List;

import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.ReLU;
import org.fcn4j.nn.Sequential;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

/**
 * The U-Net's double convolution: (Conv2d 3x3, padding 1 -> norm -> ReLU) twice, held in a child
 * {@code conv} so that state_dict names read {@code down1.conv.0.weight}, {@code down1.conv.1.running_mean}.
 * The convolutions have no bias when a norm follows, since the norm's shift would cancel it.
 *
 * <p>Shape: input (N, C_in, H, W), output (N, C_out, H, W).
 */
final class ConvBlock extends Module {
    private final Sequential conv;

    ConvBlock(int in, int out, String norm, Generator rng) {
        List<Module> layers = new ArrayList<>();
        addConv(layers, in, out, norm, rng);
        addConv(layers, out, out, norm, rng);
        conv = registerModule("conv", new Sequential(layers.toArray(new Module[0])));
    }

    /** Appends Conv2d 3x3 (padding 1), the norm and a ReLU to {@code layers}. */
    static void addConv(List<Module> layers, int in, int out, String norm, Generator rng) {
        Module n = Norms.create(norm, out);
        layers.add(new Conv2d(in, out, 3, Conv2d.options().padding(1).bias(n == null), rng));
        if (n != null) {
            layers.add(n);
        }
        layers.add(new ReLU());
    }

    // NOTE: BatchNorm2d followed by ReLU runs as one fused operation (BatchNorm2d.forwardReLU), with
    // the same values and gradients as the two layers, but one activation fewer kept for backward.
    // The block's output is a ReLU's, fused or not, and neither backward reads it (they recompute the
    // sign from their input): the U-Net gives a skip's storage back once the decoder has copied it.
    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (int i = 0; i < conv.size(); i++) {
            Module m = conv.get(i);
            if (m instanceof BatchNorm2d bn && i + 1 < conv.size() && conv.get(i + 1) instanceof ReLU) {
                x = bn.forwardReLU(x);
                i++;
            } else {
                x = m.forward(x);
            }
        }
        return x;
    }
}
