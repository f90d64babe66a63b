package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Construction, argument checks, output sizes and initialisation of Conv2d and ConvTranspose2d. */
class ConvLayerTest {
    private final Generator rng = new Generator(3);

    private static void assertRejected(String expectedFragment, Runnable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(e.getMessage().contains(expectedFragment), "message '" + e.getMessage() + "' lacks '"
                + expectedFragment + "'");
    }

    @Test
    void conv2dParametersAndRepr() {
        Conv2d conv = new Conv2d(4, 6, new int[] {3, 5}, Conv2d.options().stride(2, 1).padding(1, 2).groups(2), rng);
        assertEquals(List.of("weight", "bias"), List.copyOf(conv.namedParameters().keySet()));
        assertArrayEquals(new int[] {6, 2, 3, 5}, conv.weight().shape());
        assertArrayEquals(new int[] {6}, conv.bias().shape());
        assertEquals("Conv2d(4, 6, kernel_size=(3, 5), stride=(2, 1), padding=(1, 2), groups=2)", conv.toString());
        assertNull(new Conv2d(1, 1, 1, Conv2d.options().bias(false), rng).bias());
        assertEquals("Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=same, bias=False, "
                + "padding_mode=circular)", new Conv2d(1, 2, 3, Conv2d.options().padding("same").bias(false)
                .paddingMode(PaddingMode.CIRCULAR), rng).toString());
    }

    @Test
    void conv2dOutputSizes() {
        Conv2d conv = new Conv2d(1, 1, 3, Conv2d.options().stride(2).padding(1).dilation(2), rng);
        // floor((9 + 2 - 4 - 1) / 2) + 1 = 4
        assertArrayEquals(new int[] {4, 4}, conv.outputSize(9, 9));
        assertArrayEquals(new int[] {1, 1, 4, 4}, conv.forward(Tensor.zeros(1, 1, 9, 9)).shape());
        for (int k = 1; k <= 4; k++) {
            for (int d = 1; d <= 2; d++) {
                Conv2d same = new Conv2d(2, 3, k, Conv2d.options().padding("same").dilation(d), rng);
                assertArrayEquals(new int[] {2, 3, 5, 6}, same.forward(Tensor.zeros(2, 2, 5, 6)).shape(),
                        "same, kernel " + k + ", dilation " + d);
                int total = d * (k - 1);
                assertArrayEquals(new int[] {total / 2, total - total / 2, total / 2, total - total / 2},
                        same.padding(), "same puts the extra padding at the bottom and right");
            }
        }
    }

    @Test
    void conv2dRejectsInvalidArguments() {
        assertRejected("in_channels 3 is not divisible by groups 2",
                () -> new Conv2d(3, 4, 3, Conv2d.options().groups(2), rng));
        assertRejected("out_channels 3 is not divisible by groups 2",
                () -> new Conv2d(4, 3, 3, Conv2d.options().groups(2), rng));
        assertRejected("invalid padding mode 'mirror'", () -> Conv2d.options().paddingMode("mirror"));
        assertRejected("invalid padding string 'full'", () -> Conv2d.options().padding("full"));
        assertRejected("padding='same' needs stride 1",
                () -> new Conv2d(1, 1, 3, Conv2d.options().padding("same").stride(2), rng));
        assertRejected("kernel_size must be at least 1", () -> new Conv2d(1, 1, 0, rng));
        assertRejected("stride must be one int or an (h, w) pair",
                () -> new Conv2d(1, 1, 3, Conv2d.options().stride(1, 2, 3), rng));
        assertRejected("padding must be at least 0", () -> new Conv2d(1, 1, 3, Conv2d.options().padding(-1), rng));
        assertRejected("groups must be positive", () -> new Conv2d(1, 1, 3, Conv2d.options().groups(0), rng));
        assertRejected("dilation must be one int or an (h, w) pair, got null",
                () -> new Conv2d(1, 1, 3, Conv2d.options().dilation((int[]) null), rng));
    }

    @Test
    void conv2dRejectsInvalidInputs() {
        Conv2d conv = new Conv2d(3, 4, 3, rng);
        assertRejected("expected input of shape (N, 3, H, W) or (3, H, W), got (8, 1, 64, 64)",
                () -> conv.forward(Tensor.zeros(8, 1, 64, 64)));
        assertRejected("smaller than the dilated kernel 3 x 3", () -> conv.forward(Tensor.zeros(1, 3, 2, 5)));
        Conv2d reflect = new Conv2d(1, 1, 3, Conv2d.options().padding(2).paddingMode("reflect"), rng);
        assertRejected("reflect padding", () -> reflect.forward(Tensor.zeros(1, 1, 2, 5)));
        reflect.forward(Tensor.zeros(1, 1, 3, 3));
        Conv2d circular = new Conv2d(1, 1, 3, Conv2d.options().padding(3).paddingMode("circular"), rng);
        assertRejected("wraps around more than once", () -> circular.forward(Tensor.zeros(1, 1, 2, 5)));
    }

    @Test
    void convTranspose2dShapesAndChecks() {
        ConvTranspose2d up = new ConvTranspose2d(4, 6, 3, ConvTranspose2d.options().stride(2).padding(1)
                .outputPadding(1).groups(2), rng);
        assertArrayEquals(new int[] {4, 3, 3, 3}, up.weight().shape());
        // (5 - 1) 2 - 2 + 2 + 1 + 1 = 10
        assertArrayEquals(new int[] {2, 6, 10, 10}, up.forward(Tensor.zeros(2, 4, 5, 5)).shape());
        assertEquals("ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), "
                + "output_padding=(1, 1), groups=2)", up.toString());

        assertRejected("output_padding (1, 1) must be smaller than either the stride (1, 1) or the dilation (1, 1)",
                () -> new ConvTranspose2d(1, 1, 3, ConvTranspose2d.options().outputPadding(1), rng));
        assertRejected("output_padding (2, 0)",
                () -> new ConvTranspose2d(1, 1, 3, ConvTranspose2d.options().stride(2).outputPadding(2, 0), rng));
        new ConvTranspose2d(1, 1, 3, ConvTranspose2d.options().dilation(2).outputPadding(1), rng);
        assertRejected("out_channels 3 is not divisible by groups 2",
                () -> new ConvTranspose2d(2, 3, 3, ConvTranspose2d.options().groups(2), rng));

        ConvTranspose2d sized = new ConvTranspose2d(1, 1, 3, ConvTranspose2d.options().stride(2).padding(1), rng);
        assertArrayEquals(new int[] {1, 1, 6, 5}, sized.forward(Tensor.zeros(1, 1, 3, 3), new int[] {6, 5}).shape());
        assertRejected("valid sizes range from (5, 5) to (6, 6)",
                () -> sized.forward(Tensor.zeros(1, 1, 3, 3), new int[] {7, 5}));
    }

    @Test
    void unbatchedInputMatchesBatchOfOne() {
        Conv2d conv = new Conv2d(2, 3, 3, Conv2d.options().padding(1).stride(2), rng);
        Tensor image = Tensor.randn(rng, 2, 5, 4);
        Tensor single = conv.forward(image);
        assertArrayEquals(new int[] {3, 3, 2}, single.shape());
        assertArrayEquals(conv.forward(image.reshape(1, 2, 5, 4)).data(), single.data());

        ConvTranspose2d up = new ConvTranspose2d(2, 3, 2, ConvTranspose2d.options().stride(2), rng);
        Tensor upSingle = up.forward(image);
        assertArrayEquals(new int[] {3, 10, 8}, upSingle.shape());
        assertArrayEquals(up.forward(image.reshape(1, 2, 5, 4)).data(), upSingle.data());
        assertArrayEquals(new int[] {3, 11, 9}, up.forward(image, new int[] {11, 9}).shape());
    }

    @Test
    void initialisationFollowsPyTorchBounds() {
        Conv2d conv = new Conv2d(8, 4, 3, Conv2d.options().groups(2), new Generator(5));
        double bound = 1 / Math.sqrt(4 * 9); // fan_in = (C_in / groups) kH kW
        assertEquals(36, Init.fanIn(conv.weight().shape()));
        assertWithin(conv.weight().data(), bound);
        assertWithin(conv.bias().data(), bound);

        ConvTranspose2d up = new ConvTranspose2d(8, 6, 2, ConvTranspose2d.options().groups(2), new Generator(5));
        double upBound = 1 / Math.sqrt(3 * 4); // fan_in = (C_out / groups) kH kW
        assertEquals(12, Init.fanIn(up.weight().shape()));
        assertWithin(up.weight().data(), upBound);
        assertWithin(up.bias().data(), upBound);

        Conv2d again = new Conv2d(8, 4, 3, Conv2d.options().groups(2), new Generator(5));
        assertArrayEquals(conv.weight().data(), again.weight().data(), "same seed, same weights");
    }

    // All values inside [-bound, bound), and spread over most of it (a uniform draw, not a constant).
    private static void assertWithin(float[] values, double bound) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (float v : values) {
            assertTrue(v >= -bound, v + " below -" + bound);
            assertTrue(v <= bound, v + " above " + bound);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(max - min > bound * (values.length > 20 ? 1.5 : 0.5), "values span only [" + min + ", " + max
                + "] of +-" + bound);
    }
}
