package org.fcn4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.fcn4j.io.Idx;
import org.fcn4j.io.NdArray;

/**
 * Fashion-MNIST (Zalando Research, MIT licence): 28x28 grey photos of clothing, 10 classes. The
 * test split (10,000 photos) is committed in the fcn4j repository under
 * {@code data/fashion-mnist}; the training split (60,000) is used when installed, e.g. by
 * Debian's dataset-fashion-mnist in {@code /usr/share/datasets/fashion-mnist}. Files are found
 * through {@link DataFiles}, and each split is read once per JVM.
 *
 * <p>Pixel values are the raw bytes, 0 (background) to 255.
 */
public final class FashionMnist {
    /** Photo side in pixels. */
    public static final int SIDE = 28;

    /** The class names, by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final Map<String, FashionMnist> CACHE = new ConcurrentHashMap<>();

    private final byte[] pixels; // (n, 28, 28)
    private final byte[] labels; // (n)

    private FashionMnist(byte[] pixels, byte[] labels) {
        this.pixels = pixels;
        this.labels = labels;
    }

    /**
     * Loads split {@code "test"} (t10k files, always available in the repository) or
     * {@code "train"} (needs the full set installed).
     */
    public static FashionMnist load(String split) {
        String prefix = switch (split) {
            case "test" -> "t10k";
            case "train" -> "train";
            default -> throw new IllegalArgumentException("Fashion-MNIST split must be 'train' or 'test', got '"
                    + split + "'");
        };
        return CACHE.computeIfAbsent(prefix, p -> {
            Path images = DataFiles.find("fashion-mnist/" + p + "-images-idx3-ubyte.gz");
            Path labels = DataFiles.find("fashion-mnist/" + p + "-labels-idx1-ubyte.gz");
            try {
                return fromFiles(images, labels);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Reads a pair of IDX files: images (n, 28, 28) and labels (n) of unsigned bytes. */
    public static FashionMnist fromFiles(Path images, Path labels) throws IOException {
        NdArray im = Idx.read(images);
        NdArray lb = Idx.read(labels);
        int[] s = im.shape();
        if (im.dtype() != NdArray.DType.UINT8 || s.length != 3 || s[1] != SIDE || s[2] != SIDE) {
            throw new IOException(images + ": expected unsigned bytes of shape (n, 28, 28), got " + im);
        }
        if (lb.dtype() != NdArray.DType.UINT8 || lb.shape().length != 1 || lb.shape()[0] != s[0]) {
            throw new IOException(labels + ": expected " + s[0] + " unsigned-byte labels to match " + images
                    + ", got " + lb);
        }
        byte[] lab = lb.toUnsignedBytes();
        for (int i = 0; i < lab.length; i++) {
            if ((lab[i] & 0xFF) >= CLASSES.size()) {
                throw new IOException(labels + ": label " + (lab[i] & 0xFF) + " at index " + i
                        + " is outside the 10 classes 0 to 9");
            }
        }
        return new FashionMnist(im.toUnsignedBytes(), lab);
    }

    /** Returns the number of photos. */
    public int size() {
        return labels.length;
    }

    /** Returns the class of photo {@code index}, 0 to 9. */
    public int label(int index) {
        return labels[index];
    }

    /** Pixel (y, x) of photo {@code index}, 0 to 255. */
    public int pixel(int index, int y, int x) {
        return pixels[(index * SIDE + y) * SIDE + x] & 0xFF;
    }
}
