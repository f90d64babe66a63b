package org.fcn4j.io;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * PNG and JPEG images through the JDK's {@code javax.imageio}: inputs as float tensors,
 * segmentation masks as class maps.
 *
 * <p>Inputs: grey images give 1 channel, colour images 3 (an alpha channel is dropped, a
 * palette image is expanded to its RGB colours). Values are the stored samples divided by
 * {@code 2^bits - 1}, so 8-bit and 16-bit PNGs both map to [0, 1]; 16-bit samples are read from
 * the raster, not through an 8-bit RGB conversion. NOTE: the JDK's JPEG reader decodes baseline
 * 8-bit JPEG only (no 12-bit or CMYK), so "16 bit" applies to PNG.
 *
 * <p>Masks: {@link #readClassMap} reads a single-band image (indexed or grey PNG) whose pixel value
 * is the class, 255 meaning ignored, as Pascal VOC stores them; {@link #readColorMask} maps the
 * RGB colours of a colour image through a {@link ColorTable}.
 */
public final class Images {
    /** The mask value of pixels that no loss or metric counts, as in Pascal VOC. */
    public static final int IGNORE = 255;

    private Images() {
    }

    /** Reads a PNG or JPEG as a (C, H, W) tensor in [0, 1], C = 1 for grey, 3 for colour. */
    public static Tensor read(Path file) throws IOException {
        BufferedImage img = decode(file);
        Raster r = img.getRaster();
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        if (cm instanceof IndexColorModel icm) {
            return fromPalette(r, icm, w, h);
        }
        int bands = r.getNumBands();
        int channels = bands >= 3 ? 3 : 1;
        float[] out = new float[channels * h * w]; // (C, H, W)
        int[] samples = new int[w * h];
        for (int c = 0; c < channels; c++) {
            int bits = r.getSampleModel().getSampleSize(c);
            float inv = (float) (1.0 / ((1L << bits) - 1));
            r.getSamples(0, 0, w, h, c, samples);
            for (int i = 0; i < samples.length; i++) {
                out[c * h * w + i] = (samples[i] & 0xFFFFFFFFL) * inv;
            }
        }
        return Tensor.of(out, channels, h, w);
    }

    private static Tensor fromPalette(Raster r, IndexColorModel icm, int w, int h) {
        int[] idx = r.getSamples(0, 0, w, h, 0, new int[w * h]);
        boolean grey = true;
        for (int i = 0; i < icm.getMapSize() && grey; i++) {
            grey = icm.getRed(i) == icm.getGreen(i) && icm.getGreen(i) == icm.getBlue(i);
        }
        int channels = grey ? 1 : 3;
        float[] out = new float[channels * h * w];
        for (int i = 0; i < idx.length; i++) {
            int p = idx[i];
            out[i] = icm.getRed(p) / 255f;
            if (!grey) {
                out[h * w + i] = icm.getGreen(p) / 255f;
                out[2 * h * w + i] = icm.getBlue(p) / 255f;
            }
        }
        return Tensor.of(out, channels, h, w);
    }

    /**
     * Reads a mask whose pixel values are classes: an indexed PNG (the palette index is the
     * class, whatever its colour) or a grey PNG. Pixels equal to {@link #IGNORE} are kept as 255.
     *
     * @param numClasses classes 0 .. numClasses - 1 are valid
     * @return the class map, shape (H, W)
     * @throws IOException naming the file, the pixel and the value when a class is outside the range,
     *                     or when the image is a colour image (use {@link #readColorMask})
     */
    public static Tensor readClassMap(Path file, int numClasses) throws IOException {
        BufferedImage img = decode(file);
        Raster r = img.getRaster();
        if (r.getNumBands() != 1) {
            throw new IOException(file + ": a class mask must have one band (indexed or grey PNG), this image has "
                    + r.getNumBands() + "; read colour masks with readColorMask and a colour table");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        int[] v = r.getSamples(0, 0, w, h, 0, new int[w * h]);
        float[] out = new float[w * h]; // (H, W)
        for (int i = 0; i < v.length; i++) {
            int c = v[i];
            if (c != IGNORE && (c < 0 || c >= numClasses)) {
                throw new IOException(file + ": pixel (x=" + i % w + ", y=" + i / w + ") has class " + c
                        + ", outside the " + numClasses + " classes 0 to " + (numClasses - 1) + " (255 = ignored)");
            }
            out[i] = c;
        }
        return Tensor.of(out, h, w);
    }

    /**
     * Reads a colour mask, mapping each pixel's RGB colour to a class through {@code table}.
     *
     * @return the class map, shape (H, W)
     * @throws IOException naming the file, the pixel and the colour when a colour is not in the table
     */
    public static Tensor readColorMask(Path file, ColorTable table) throws IOException {
        BufferedImage img = decode(file);
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] out = new float[w * h]; // (H, W)
        for (int i = 0; i < rgb.length; i++) {
            int c = table.classOf(rgb[i] & 0xFFFFFF);
            if (c < 0) {
                throw new IOException(String.format(Locale.ROOT, "%s: pixel (x=%d, y=%d) has colour #%06X "
                        + "(R=%d, G=%d, B=%d), which the colour table does not list", file, i % w, i / w,
                        rgb[i] & 0xFFFFFF, rgb[i] >> 16 & 0xFF, rgb[i] >> 8 & 0xFF, rgb[i] & 0xFF));
            }
            out[i] = c;
        }
        return Tensor.of(out, h, w);
    }

    /** Writes a (1, H, W) or (3, H, W) tensor in [0, 1] as an 8-bit grey or RGB PNG (values clamped). */
    public static void writePng(Path file, Tensor image) throws IOException {
        ImageIO.write(toBufferedImage(image), "png", file.toFile());
    }

    /** Converts a (1, H, W) or (3, H, W) tensor in [0, 1] to an 8-bit image (values clamped). */
    public static BufferedImage toBufferedImage(Tensor image) {
        int[] s = image.shape();
        if (s.length != 3 || s[0] != 1 && s[0] != 3) {
            throw new IllegalArgumentException("expected an image of shape (1, H, W) or (3, H, W), got "
                    + Shape.str(s));
        }
        int h = s[1];
        int w = s[2];
        float[] d = image.data();
        BufferedImage img = new BufferedImage(w, h, s[0] == 1 ? BufferedImage.TYPE_BYTE_GRAY
                : BufferedImage.TYPE_INT_RGB);
        int[] px = new int[w * h];
        for (int c = 0; c < s[0]; c++) {
            for (int i = 0; i < w * h; i++) {
                px[i] = Math.round(Math.clamp(d[c * w * h + i], 0f, 1f) * 255f);
            }
            img.getRaster().setSamples(0, 0, w, h, c, px);
        }
        return img;
    }

    private static BufferedImage decode(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": image file not found");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException(file + ": not an image format javax.imageio can decode (PNG, JPEG, GIF, BMP)");
            }
            ImageReader reader = readers.next();
            // The JPEG reader reports a truncated file only as a warning and returns grey rows.
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage img;
            try {
                reader.setInput(in, true, true);
                img = reader.read(0);
            } catch (IOException | RuntimeException e) {
                throw new IOException(file + ": cannot decode the image (truncated or corrupt): " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
            if (!warnings.isEmpty()) {
                throw new IOException(file + ": the image is truncated or corrupt: " + String.join("; ", warnings));
            }
            return img;
        }
    }
}
