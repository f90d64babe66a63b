package org.fcn4j.nn;

import java.util.Locale;

/**
 * How {@link Conv2d} fills the border it pads around its input, as PyTorch's {@code padding_mode}.
 * For an input row {@code a b c d} padded by 2 on each side:
 * <pre>
 * ZEROS      0 0 | a b c d | 0 0
 * REFLECT    c b | a b c d | c b    (mirror without repeating the edge; padding must be smaller than the size)
 * REPLICATE  a a | a b c d | d d    (repeat the edge value)
 * CIRCULAR   c d | a b c d | a b    (wrap around; padding at most the size)
 * </pre>
 * Circular padding suits global gridded fields, which are periodic in longitude.
 */
public enum PaddingMode {
    ZEROS, REFLECT, REPLICATE, CIRCULAR;

    /** Parses PyTorch's spelling ({@code "zeros"}, {@code "reflect"}, {@code "replicate"}, {@code "circular"}). */
    public static PaddingMode parse(String name) {
        for (PaddingMode m : values()) {
            if (m.pyTorchName().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("invalid padding mode '" + name
                + "': expected one of zeros, reflect, replicate, circular");
    }

    /** The PyTorch spelling, e.g. {@code "circular"}. */
    public String pyTorchName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Maps a coordinate of the padded axis, i in [-pad, size + pad), to the input coordinate whose
     * value it holds, or -1 for a zero. Assumes the padding was validated for this mode.
     */
    int source(int i, int size) {
        if (i >= 0 && i < size) {
            return i;
        }
        return switch (this) {
            case ZEROS -> -1;
            case REFLECT -> i < 0 ? -i : 2 * (size - 1) - i;
            case REPLICATE -> i < 0 ? 0 : size - 1;
            case CIRCULAR -> Math.floorMod(i, size);
        };
    }
}
