package org.fcn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fcn4j.nn.Module;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class UNetShapeTest {

    @Test
    void benchWorkloadParameterCounts() {
        Module small = new UNet(ModelConfig.unetFromBase(1, 11, 16, 4), new Generator(0));
        assertEquals(1_942_459L, small.parameterCount(), "unet-bench small (base 16, 1 -> 11)");
        Module standard = new UNet(ModelConfig.unetFromBase(3, 13, 32, 4), new Generator(0));
        assertEquals(7_763_437L, standard.parameterCount(), "unet-bench standard (base 32, 3 -> 13)");
    }

    @Test
    void courseUNetNamesAndBottleneck() {
        UNet net = new UNet(ModelConfig.courseUNet(1, 1), new Generator(0));
        Map<String, Tensor> state = net.stateDict();
        assertTrue(state.containsKey("down1.conv.0.weight"));
        assertTrue(state.containsKey("down1.conv.1.running_mean"));
        assertTrue(state.containsKey("down1.conv.1.num_batches_tracked"));
        assertTrue(state.containsKey("bottleneck.conv.3.weight"));
        assertTrue(state.containsKey("up4.weight") && state.containsKey("up4.bias"));
        assertTrue(state.containsKey("head.bias"));
        assertEquals(false, state.containsKey("down1.conv.0.bias"), "no convolution bias before BatchNorm");
        assertArrayEquals(new int[] {128, 128, 2, 2}, state.get("up4.weight").shape(), "up4: 128 -> 128");
        assertArrayEquals(new int[] {128, 128, 3, 3}, state.get("bottleneck.conv.0.weight").shape());
    }

    @Test
    void anyImageSizeKeepsItsShape() {
        for (String up : List.of("transpose", "bilinear", "nearest")) {
            for (String norm : List.of("batch", "instance", "group:2", "layer", "none")) {
                ModelConfig c = new ModelConfig("unet", 2, 3, List.of(4, 8), 8, norm, up, 0.2);
                UNet net = new UNet(c, new Generator(1));
                for (int[] hw : new int[][] {{8, 8}, {13, 10}, {3, 5}}) {
                    Tensor x = Tensor.randn(new Generator(2), 2, 2, hw[0], hw[1]);
                    Tensor y = net.forward(x);
                    assertArrayEquals(new int[] {2, 3, hw[0], hw[1]}, y.shape(), c + " on " + hw[0] + "x" + hw[1]);
                }
            }
        }
    }

    @Test
    void gradientReachesEveryParameter() {
        ModelConfig c = new ModelConfig("unet", 1, 2, List.of(4, 8), 8, "batch", "bilinear", 0.1);
        UNet net = new UNet(c, new Generator(3));
        net.forward(Tensor.randn(new Generator(4), 2, 1, 12, 12)).square().mean().backward();
        for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
            assertNotNull(e.getValue().gradOrNull(), "gradient of " + e.getKey());
        }
    }

    @Test
    void fcnKeepsShapeAndNames() {
        ModelConfig c = new ModelConfig("fcn", 3, 5, List.of(4, 8, 8, 16), 16, "batch", "transpose", 0);
        FCN net = new FCN(c, new Generator(5));
        assertArrayEquals(new int[] {1, 5, 40, 33}, net.forward(Tensor.randn(new Generator(6), 1, 3, 40, 33)).shape());
        assertTrue(net.stateDict().containsKey("up8.weight"));
        assertArrayEquals(new int[] {5, 5, 16, 16}, net.stateDict().get("up8.weight").shape());
    }

    @Test
    void invalidConfigurationsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig("unet", 1, 1, List.of(), 8, "batch", "transpose", 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig("unet", 1, 1, List.of(4), 8, "bach", "transpose", 0));
        assertTrue(e.getMessage().contains("'bach'"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new UNet(new ModelConfig("unet", 1, 1, List.of(6), 6, "group:4", "transpose", 0), new Generator(0)));
        UNet net = new UNet(ModelConfig.courseUNet(1, 1), new Generator(0));
        e = assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(1, 3, 8, 8)));
        assertTrue(e.getMessage().contains("(N, 1, H, W)"), e.getMessage());
    }

    @Test
    void configJsonRoundTrips() {
        ModelConfig c = new ModelConfig("unet", 3, 21, List.of(8, 16, 32), 64, "group:4", "nearest", 0.25);
        assertEquals(c, ModelConfig.fromJson(c.toJson()));
    }
}
