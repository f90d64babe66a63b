package org.fcn4j.nn;

import org.fcn4j.tensor.Tensor;

/**
 * Modules applied in order; children are named "0", "1", ... as in PyTorch's nn.Sequential.
 */
public final class Sequential extends Module {
    private final Module[] layers;

    public Sequential(Module... layers) {
        this.layers = layers.clone();
        for (int i = 0; i < layers.length; i++) {
            registerModule(Integer.toString(i), layers[i]);
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module layer : layers) {
            x = layer.forward(x);
        }
        return x;
    }

    public int size() {
        return layers.length;
    }

    public Module get(int index) {
        return layers[index];
    }
}
