package org.fcn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.fcn4j.io.NdArray;
import org.fcn4j.io.Npy;
import org.fcn4j.io.Npz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datasets from arrays saved by NumPy (or by data export). */
class ArrayDatasetTest {
    @TempDir
    Path tmp;

    @Test
    void classMapsFromNpy() throws IOException {
        float[] in = new float[2 * 1 * 2 * 3];
        for (int i = 0; i < in.length; i++) {
            in[i] = i;
        }
        Npy.write(tmp.resolve("x.npy"), NdArray.ofFloats(in, 2, 1, 2, 3));
        Npy.write(tmp.resolve("y.npy"), NdArray.ofUnsignedBytes(new byte[] {0, 1, 2, (byte) 255, 1, 0, 2, 2, 2, 2,
            2, 2}, 2, 2, 3));
        ArrayDataset ds = ArrayDataset.fromNpy(tmp.resolve("x.npy"), tmp.resolve("y.npy"), 0);
        assertEquals(2, ds.size());
        assertEquals(TargetKind.CLASS_MAP, ds.targetKind());
        assertEquals(3, ds.numClasses(), "largest class + 1, ignoring 255");
        Sample s = ds.get(1);
        assertArrayEquals(new int[] {1, 2, 3}, s.input().shape());
        assertArrayEquals(new float[] {6, 7, 8, 9, 10, 11}, s.input().data());
        assertArrayEquals(new int[] {2, 2, 2, 2, 2, 2}, s.classes());
        assertEquals(255f, ds.get(0).target().get(1, 0));
    }

    @Test
    void fieldsFromNpz() throws IOException {
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        arrays.put("inputs", NdArray.ofDoubles(new double[] {1, 2, 3, 4}, 1, 1, 2, 2));
        arrays.put("targets", NdArray.ofFloats(new float[] {5, 6, 7, 8, 9, 10, 11, 12}, 1, 2, 2, 2));
        Npz.write(tmp.resolve("d.npz"), arrays, true);
        ArrayDataset ds = ArrayDataset.fromNpz(tmp.resolve("d.npz"), 0);
        assertEquals(TargetKind.FIELD, ds.targetKind());
        assertArrayEquals(new int[] {2, 2, 2}, ds.get(0).target().shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, ds.get(0).input().data());
    }

    @Test
    void wrongShapesAndClassesAreRejected() {
        NdArray x = NdArray.ofFloats(new float[8], 2, 1, 2, 2);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> new ArrayDataset(x, NdArray.ofInts(new int[6], 2, 1, 3), 0));
        assertTrue(shape.getMessage().contains("(2, 1, 3)"), shape.getMessage());
        IllegalArgumentException cls = assertThrows(IllegalArgumentException.class,
                () -> new ArrayDataset(x, NdArray.ofInts(new int[] {0, 0, 0, 0, 0, 0, 0, 4}, 2, 2, 2), 4));
        assertTrue(cls.getMessage().contains("sample 1"), cls.getMessage());
        assertTrue(cls.getMessage().contains("class 4"), cls.getMessage());
        assertTrue(cls.getMessage().contains("(y=1, x=1)"), cls.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new ArrayDataset(x, NdArray.ofFloats(new float[8], 2, 2, 2), 0));
        assertTrue(missing.getMessage().contains("integer targets"), missing.getMessage());
    }
}
