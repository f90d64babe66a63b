package org.fcn4j.nn;

import java.util.Arrays;

/** Argument checks and formatting shared by {@link Conv2d} and {@link ConvTranspose2d}. */
final class ConvArgs {
    private ConvArgs() {
    }

    /** Copies an option's values, keeping null so that {@link #pair} can reject it by name. */
    static int[] copy(int[] values) {
        return values == null ? null : values.clone();
    }

    /** Expands one value or an (h, w) pair to a pair, checking each value against {@code min}. */
    static int[] pair(String layer, String name, int min, int... values) {
        if (values == null || values.length < 1 || values.length > 2) {
            throw new IllegalArgumentException(layer + ": " + name + " must be one int or an (h, w) pair, got "
                    + (values == null ? "null" : Arrays.toString(values)));
        }
        int[] hw = values.length == 1 ? new int[] {values[0], values[0]} : values.clone();
        for (int v : hw) {
            if (v < min) {
                throw new IllegalArgumentException(layer + ": " + name + " must be at least " + min + ", got "
                        + Arrays.toString(values));
            }
        }
        return hw;
    }

    static void checkChannels(String layer, int in, int out, int groups) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException(layer + ": in_channels and out_channels must be positive, got " + in
                    + " and " + out);
        }
        if (groups < 1) {
            throw new IllegalArgumentException(layer + ": groups must be positive, got " + groups);
        }
        if (in % groups != 0) {
            throw new IllegalArgumentException(layer + ": in_channels " + in + " is not divisible by groups " + groups);
        }
        if (out % groups != 0) {
            throw new IllegalArgumentException(layer + ": out_channels " + out + " is not divisible by groups "
                    + groups);
        }
    }

    /** Formats a pair as PyTorch prints a tuple, e.g. {@code (3, 3)}. */
    static String tuple(int[] hw) {
        return "(" + hw[0] + ", " + hw[1] + ")";
    }
}
