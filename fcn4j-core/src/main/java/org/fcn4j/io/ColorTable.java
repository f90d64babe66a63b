package org.fcn4j.io;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A mapping between classes and 24-bit RGB colours ({@code 0xRRGGBB}), for segmentation masks
 * stored as colour images and for drawing class maps.
 */
public final class ColorTable {
    private final Map<Integer, Integer> classByColor;
    private final Map<Integer, Integer> colorByClass;

    private ColorTable(Map<Integer, Integer> classByColor) {
        this.classByColor = Collections.unmodifiableMap(new LinkedHashMap<>(classByColor));
        Map<Integer, Integer> inverse = new HashMap<>();
        for (Map.Entry<Integer, Integer> e : classByColor.entrySet()) {
            if ((e.getKey() & ~0xFFFFFF) != 0) {
                throw new IllegalArgumentException(String.format("colour 0x%X is not a 24-bit RGB value 0xRRGGBB",
                        e.getKey()));
            }
            inverse.putIfAbsent(e.getValue(), e.getKey());
        }
        this.colorByClass = inverse;
    }

    /** Creates a table from colours (0xRRGGBB) to classes; several colours may share a class. */
    public static ColorTable of(Map<Integer, Integer> classByColor) {
        return new ColorTable(classByColor);
    }

    /**
     * Returns the Pascal VOC palette for classes 0 to 255: the bits of the class index, taken three at a
     * time, set the high bits of red, green and blue. Class 0 is black, class 1 dark red (128, 0, 0),
     * 255 (ignored) is (224, 224, 192).
     */
    public static ColorTable voc() {
        Map<Integer, Integer> m = new LinkedHashMap<>();
        for (int c = 0; c < 256; c++) {
            m.put(vocColor(c), c);
        }
        return new ColorTable(m);
    }

    /** Returns the VOC palette colour of class {@code c}, 0xRRGGBB. */
    public static int vocColor(int c) {
        int r = 0;
        int g = 0;
        int b = 0;
        int v = c;
        for (int shift = 7; shift >= 0 && v > 0; shift--) {
            r |= (v & 1) << shift;
            g |= (v >> 1 & 1) << shift;
            b |= (v >> 2 & 1) << shift;
            v >>= 3;
        }
        return r << 16 | g << 8 | b;
    }

    // Background black, then 20 colours chosen to be distinguishable on screen (Sasha Trubetskoy's list of
    // distinct colours), ignored pixels white.
    private static final int[] DISPLAY = {0x000000, 0xE6194B, 0x3CB44B, 0xFFE119, 0x4363D8, 0xF58231, 0x911EB4,
        0x46F0F0, 0xF032E6, 0xBCF60C, 0xFABEBE, 0x008080, 0xE6BEFF, 0x9A6324, 0xFFFAC8, 0x800000, 0xAAFFC3,
        0x808000, 0xFFD8B1, 0x000075, 0x808080};

    /**
     * Returns the colour for drawing class {@code c} (0xRRGGBB): black for 0, 20 well-separated colours for
     * 1 to 20, white for 255 (ignored), the VOC palette for other classes.
     */
    public static int displayColor(int c) {
        if (c >= 0 && c < DISPLAY.length) {
            return DISPLAY[c];
        }
        return c == 255 ? 0xFFFFFF : vocColor(c & 0xFF);
    }

    /** Returns the class of a colour, or -1 when the table has no such colour. */
    public int classOf(int rgb) {
        return classByColor.getOrDefault(rgb & 0xFFFFFF, -1);
    }

    /** Returns the first colour listed for class {@code c}, or -1 when none. */
    public int colorOf(int c) {
        return colorByClass.getOrDefault(c, -1);
    }

    /** Returns the table, colour to class, in insertion order. */
    public Map<Integer, Integer> entries() {
        return classByColor;
    }
}
