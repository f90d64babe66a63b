package org.fcn4j.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.fcn4j.io.NdArray;
import org.fcn4j.io.Npy;
import org.fcn4j.io.Npz;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * A dataset held in memory as two arrays, typically prepared in Python and saved with
 * {@code np.save} or {@code np.savez}: inputs of shape (N, C, H, W), and targets of shape
 * (N, H, W) with an integer type (class maps, 255 = ignored) or (N, C_t, H, W) with a float type
 * (fields). Input values are converted to float32.
 *
 * <p>This is the reverse of {@code fcn4j data export}, whose {@code inputs.npy} and
 * {@code targets.npy} it reads back.
 */
public final class ArrayDataset implements Dataset {
    private final float[] inputs;  // (N, C, H, W)
    private final float[] targets; // (N, H, W) or (N, C_t, H, W)
    private final int[] inputShape;
    private final int[] targetShape;
    private final TargetKind kind;
    private final int numClasses;

    /**
     * Wraps arrays after checking their shapes and, for class maps, their values.
     *
     * @param inputs  (N, C, H, W), any supported type
     * @param targets (N, H, W) of an integer type, or (N, C_t, H, W) of a float type
     * @param numClasses for class maps, the number of classes (values must be in [0, numClasses) or
     *                   255); 0 to take the largest value present plus one
     */
    public ArrayDataset(NdArray inputs, NdArray targets, int numClasses) {
        int[] in = inputs.shape();
        int[] t = targets.shape();
        if (in.length != 4) {
            throw new IllegalArgumentException("expected inputs of shape (N, C, H, W), got " + Shape.str(in));
        }
        boolean integer = targets.dtype() != NdArray.DType.FLOAT32 && targets.dtype() != NdArray.DType.FLOAT64;
        boolean classMap = integer && t.length == 3;
        boolean field = !integer && t.length == 4;
        if (!classMap && !field || t[0] != in[0] || t[t.length - 2] != in[2] || t[t.length - 1] != in[3]) {
            throw new IllegalArgumentException("expected integer targets of shape (" + in[0] + ", " + in[2] + ", "
                    + in[3] + ") or float targets of shape (" + in[0] + ", C_t, " + in[2] + ", " + in[3]
                    + ") for inputs " + Shape.str(in) + ", got " + targets.dtype() + " " + Shape.str(t));
        }
        this.inputs = inputs.toFloats();
        this.targets = targets.toFloats();
        this.inputShape = in;
        this.targetShape = t;
        this.kind = classMap ? TargetKind.CLASS_MAP : TargetKind.FIELD;
        this.numClasses = classMap ? checkClasses(this.targets, numClasses, t) : 0;
    }

    private static int checkClasses(float[] values, int numClasses, int[] shape) {
        int max = -1;
        for (float v : values) {
            if (v != IGNORE_INDEX) {
                max = Math.max(max, (int) v);
            }
        }
        int n = numClasses > 0 ? numClasses : max + 1;
        int plane = shape[1] * shape[2];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (v != IGNORE_INDEX && (v < 0 || v >= n)) {
                throw new IllegalArgumentException("target of sample " + i / plane + " has class " + (long) v
                        + " at pixel (y=" + i % plane / shape[2] + ", x=" + i % shape[2] + "), outside the " + n
                        + " classes 0 to " + (n - 1) + " (255 = ignored)");
            }
        }
        return n;
    }

    /** Reads {@code inputs} and {@code targets} .npy files, as {@code fcn4j data export} writes them. */
    public static ArrayDataset fromNpy(Path inputs, Path targets, int numClasses) throws IOException {
        return new ArrayDataset(Npy.read(inputs), Npy.read(targets), numClasses);
    }

    /** Reads the arrays named {@code inputs} and {@code targets} from a .npz archive. */
    public static ArrayDataset fromNpz(Path archive, int numClasses) throws IOException {
        Map<String, NdArray> arrays = Npz.read(archive);
        NdArray in = arrays.get("inputs");
        NdArray t = arrays.get("targets");
        if (in == null || t == null) {
            throw new IOException(archive + ": expected arrays named 'inputs' and 'targets', found "
                    + arrays.keySet());
        }
        return new ArrayDataset(in, t, numClasses);
    }

    @Override
    public int size() {
        return inputShape[0];
    }

    @Override
    public TargetKind targetKind() {
        return kind;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public Sample get(int index) {
        checkIndex(index);
        int inSize = inputs.length / inputShape[0];
        int tSize = targets.length / targetShape[0];
        float[] in = new float[inSize];
        float[] t = new float[tSize];
        System.arraycopy(inputs, index * inSize, in, 0, inSize);
        System.arraycopy(targets, index * tSize, t, 0, tSize);
        int[] ts = new int[targetShape.length - 1];
        System.arraycopy(targetShape, 1, ts, 0, ts.length);
        return new Sample(Tensor.of(in, inputShape[1], inputShape[2], inputShape[3]), Tensor.of(t, ts));
    }
}
