package org.fcn4j.nn;

import java.util.HashMap;
import java.util.Map;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.fcn4j.testing.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * A small U-Net-like network built from fcn4j's layers against the same network in PyTorch 1.13
 * (fixtures/blocks.txt, written by tools/fixtures/gen_layers.py). PyTorch's state_dict loads by
 * name. Two training steps, then an evaluation pass, must agree in output, input gradient, every
 * parameter gradient and the BatchNorm buffers.
 */
class BlockParityTest {
    private static final double ATOL = 1e-4;
    private static final double RTOL = 1e-4;

    /** Conv, BatchNorm, ReLU, max pooling, GroupNorm, GELU, both upsamplings, a skip and log-softmax. */
    static final class TinyNet extends Module {
        private final Sequential enc;
        private final MaxPool2d pool;
        private final Sequential mid;
        private final ConvTranspose2d up;
        private final Conv2d proj;
        private final Conv2d head;

        TinyNet(Generator rng) {
            enc = registerModule("enc", new Sequential(new Conv2d(2, 4, 3, Conv2d.options().padding(1).bias(false), rng),
                    new BatchNorm2d(4), new ReLU()));
            pool = registerModule("pool", new MaxPool2d(2));
            mid = registerModule("mid", new Sequential(new Conv2d(4, 8, 3, Conv2d.options().padding(1).bias(false), rng),
                    new GroupNorm(2, 8), new GELU()));
            up = registerModule("up", new ConvTranspose2d(8, 4, 2, ConvTranspose2d.options().stride(2), rng));
            proj = registerModule("proj", new Conv2d(8, 4, 1, rng));
            head = registerModule("head", new Conv2d(8, 3, 1, rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor skip = enc.forward(x);
            Tensor m = mid.forward(pool.forward(skip));
            Tensor upsampled = Upsample.interpolate(proj.forward(m), null, new double[] {2}, Upsample.Mode.BILINEAR,
                    false);
            Tensor u = Functional.add(up.forward(m), upsampled);
            return Functional.logSoftmax(head.forward(Functional.concatChannels(u, skip)), 1);
        }
    }

    @Test
    void tinyNetMatchesPyTorch() {
        Fixtures.Case c = Fixtures.load("blocks.txt").get(0);
        TinyNet net = new TinyNet(new Generator(1));
        Map<String, Tensor> state = new HashMap<>();
        for (String key : net.stateDict().keySet()) {
            state.put(key, fixtureTensor(c, "state." + key));
        }
        net.loadStateDict(state, true);

        for (int step = 1; step <= 2; step++) {
            String pass = "TinyNet, training step " + step;
            net.train();
            net.zeroGrad();
            Tensor x = c.tensor("x" + step).requiresGrad(true);
            Tensor y = net.forward(x);
            Approx.assertClose(pass + ", forward", c.tensor("y" + step), y, ATOL, RTOL);
            y.backward(c.tensor("dy" + step));
            Approx.assertClose(pass + ", input gradient", c.tensor("dx" + step), x.grad(), ATOL, RTOL);
            for (Map.Entry<String, Tensor> p : net.namedParameters().entrySet()) {
                Approx.assertClose(pass + ", gradient of " + p.getKey(), c.tensor("grad" + step + "." + p.getKey()),
                        p.getValue().grad(), ATOL, RTOL);
            }
            for (Map.Entry<String, Tensor> b : net.namedBuffers().entrySet()) {
                Tensor expected = fixtureTensor(c, "after" + step + "." + b.getKey());
                Approx.assertClose(pass + ", buffer " + b.getKey(), expected, b.getValue(), 1e-6, 1e-5);
            }
        }

        net.eval();
        Approx.assertClose("TinyNet, evaluation, forward", c.tensor("ye"), net.forward(c.tensor("xe")), ATOL, RTOL);
    }

    /** A fixture tensor; PyTorch's int64 num_batches_tracked becomes fcn4j's float32 scalar. */
    private static Tensor fixtureTensor(Fixtures.Case c, String key) {
        return key.endsWith("num_batches_tracked") ? Tensor.scalar(c.longs(key)[0]) : c.tensor(key);
    }
}
