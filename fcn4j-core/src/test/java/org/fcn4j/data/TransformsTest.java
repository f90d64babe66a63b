package org.fcn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.fcn4j.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** Joint transforms: PyTorch parity for resizing and rotation, alignment of input and target. */
class TransformsTest {

    /** A sample whose input encodes each pixel's position and whose target is a class per position. */
    private static Sample positional(int c, int h, int w) {
        float[] in = new float[c * h * w];
        float[] t = new float[h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h * w; i++) {
                in[ch * h * w + i] = 1000 * ch + i;
            }
        }
        for (int i = 0; i < h * w; i++) {
            t[i] = i;
        }
        return new Sample(Tensor.of(in, c, h, w), Tensor.of(t, h, w));
    }

    /** After a geometric transform of a positional sample, input channel 0 must equal the target everywhere. */
    private static void assertAligned(String what, Sample s) {
        int hw = s.target().numel();
        for (int i = 0; i < hw; i++) {
            assertEquals(s.target().data()[i], s.input().data()[i], what + ": pixel " + i + " channel 0");
            assertEquals(s.target().data()[i] + 1000, s.input().data()[hw + i], what + ": pixel " + i + " channel 1");
        }
    }

    @Test
    void resizeMatchesPytorch() {
        for (Fixtures.Case c : Fixtures.load("data_transforms.txt")) {
            if (!c.name().startsWith("resize")) {
                continue;
            }
            int[] size = c.attrInts("size");
            Tensor input = c.tensor("input");
            long[] labels = c.longs("labels");
            float[] lab = new float[labels.length];
            for (int i = 0; i < lab.length; i++) {
                lab[i] = labels[i];
            }
            Sample s = new Sample(input, Tensor.of(lab, input.size(1), input.size(2)));
            Sample out = Transforms.resize(size[0], size[1]).apply(s, new Generator(0));
            Approx.assertClose(c.name() + " bilinear input", c.tensor("bilinear"), out.input(), 1e-5, 1e-5);
            long[] near = c.longs("nearest");
            assertArrayEquals(new int[] {size[0], size[1]}, out.target().shape(), c.name() + " nearest shape");
            for (int i = 0; i < near.length; i++) {
                assertEquals(near[i], (long) out.target().data()[i], c.name() + " nearest class map at " + i);
            }
        }
    }

    @Test
    void resizeNeverInterpolatesClasses() {
        Sample s = new Sample(Tensor.zeros(1, 5, 5), Tensor.of(new float[] {
            0, 0, 7, 7, 7, 0, 0, 7, 7, 7, 3, 3, 3, 255, 255, 3, 3, 3, 255, 255, 3, 3, 3, 255, 255}, 5, 5));
        Sample out = Transforms.resize(13, 9).apply(s, new Generator(0));
        Set<Float> seen = new HashSet<>();
        for (float v : out.target().data()) {
            seen.add(v);
        }
        assertEquals(Set.of(0f, 7f, 3f, 255f), seen);
    }

    @Test
    void rotate90MatchesPytorch() {
        for (Fixtures.Case c : Fixtures.load("data_transforms.txt")) {
            if (c.name().startsWith("rot90")) {
                Tensor out = Transforms.rotate90(c.tensor("input"), c.attrInt("k"));
                Approx.assertClose(c.name(), c.tensor("output"), out, 0, 0);
            }
        }
    }

    @Test
    void geometricTransformsKeepInputAndTargetAligned() {
        Sample s = positional(2, 6, 9);
        JointTransform[] all = {Transforms.randomCrop(4, 5), Transforms.horizontalFlip(1), Transforms.verticalFlip(1),
            Transforms.randomRotate90(), Transforms.compose(Transforms.randomRotate90(), Transforms.randomCrop(3, 3),
                Transforms.horizontalFlip(0.5))};
        for (int t = 0; t < all.length; t++) {
            for (long seed = 0; seed < 8; seed++) {
                assertAligned("transform " + t + " seed " + seed, all[t].apply(s, new Generator(seed)));
            }
        }
    }

    @Test
    void flipsAndCropMoveThePixelsExpected() {
        Sample s = positional(1, 2, 3);
        assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3},
                Transforms.horizontalFlip(1).apply(s, new Generator(0)).target().data());
        assertArrayEquals(new float[] {3, 4, 5, 0, 1, 2},
                Transforms.verticalFlip(1).apply(s, new Generator(0)).target().data());
        Sample unchanged = Transforms.horizontalFlip(0).apply(s, new Generator(0));
        assertArrayEquals(s.target().data(), unchanged.target().data());
        Sample crop = Transforms.randomCrop(2, 2).apply(positional(1, 5, 5), new Generator(3));
        float corner = crop.target().data()[0];
        assertArrayEquals(new float[] {corner, corner + 1, corner + 5, corner + 6}, crop.target().data());
    }

    @Test
    void fieldTargetsAreTransformedToo() {
        Sample s = new Sample(Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 2), Tensor.of(new float[] {1, 2, 3, 4}, 1, 2,
                2));
        Sample f = Transforms.horizontalFlip(1).apply(s, new Generator(0));
        assertArrayEquals(f.input().data(), f.target().data());
        Sample r = Transforms.resize(4, 4).apply(s, new Generator(0));
        assertArrayEquals(r.input().data(), r.target().data(), 0f, "field targets are resized bilinearly");
    }

    @Test
    void sameGeneratorStateGivesSameResult() {
        JointTransform t = Transforms.compose(Transforms.randomCrop(4, 4), Transforms.randomRotate90(),
                Transforms.horizontalFlip(0.5), Transforms.verticalFlip(0.5));
        Sample s = positional(1, 8, 8);
        Set<String> distinct = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            Sample a = t.apply(s, new Generator(seed));
            Sample b = t.apply(s, new Generator(seed));
            assertEquals(a, b, "seed " + seed);
            distinct.add(java.util.Arrays.toString(a.target().data()));
        }
        assertTrue(distinct.size() > 5, "different seeds give different augmentations: " + distinct.size());
    }

    @Test
    void rotationHitsAllFourAngles() {
        Sample s = positional(1, 2, 3);
        Set<String> shapes = new HashSet<>();
        Set<Float> corners = new HashSet<>();
        for (long seed = 0; seed < 64; seed++) {
            Sample r = Transforms.randomRotate90().apply(s, new Generator(seed));
            shapes.add(java.util.Arrays.toString(r.target().shape()));
            corners.add(r.target().data()[0]);
        }
        assertEquals(Set.of("[2, 3]", "[3, 2]"), shapes);
        assertEquals(Set.of(0f, 2f, 3f, 5f), corners, "each corner comes to the top left once per angle");
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Transforms.randomCrop(0, 3));
        assertThrows(IllegalArgumentException.class, () -> Transforms.horizontalFlip(1.5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Transforms.randomCrop(10, 10).apply(positional(1, 4, 4), new Generator(0)));
        assertTrue(e.getMessage().contains("larger than the sample"), e.getMessage());
        assertNotEquals(null, Transforms.resize(1, 1));
    }
}
