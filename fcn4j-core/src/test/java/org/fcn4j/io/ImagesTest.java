package org.fcn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import javax.imageio.ImageIO;

import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PNG and JPEG inputs at 8 and 16 bits, class masks, colour masks and corrupt files. */
class ImagesTest {
    @TempDir
    Path tmp;

    private Path png(String name, BufferedImage img) throws IOException {
        Path f = tmp.resolve(name);
        assertTrue(ImageIO.write(img, "png", f.toFile()), "a PNG writer exists");
        return f;
    }

    @Test
    void grey8BitPng() throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSamples(0, 0, 3, 2, 0, new int[] {0, 51, 102, 153, 204, 255});
        Tensor t = Images.read(png("g8.png", img));
        assertArrayEquals(new int[] {1, 2, 3}, t.shape());
        assertArrayEquals(new float[] {0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f}, t.data(), 1e-7f);
    }

    @Test
    void grey16BitPngKeepsAllBits() throws IOException {
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_USHORT_GRAY);
        int[] v = {0, 1, 257, 65535};
        img.getRaster().setSamples(0, 0, 4, 1, 0, v);
        Tensor t = Images.read(png("g16.png", img));
        assertArrayEquals(new int[] {1, 1, 4}, t.shape());
        for (int i = 0; i < 4; i++) {
            assertEquals(v[i] / 65535f, t.data()[i], 1e-9f, "sample " + i);
        }
        // 1/65535 would be lost by an 8-bit conversion.
        assertTrue(t.data()[1] > 0f);
    }

    @Test
    void rgb16BitPngKeepsAllBits() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[] {16, 16, 16}, false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {1, 2, 3});
        r.setPixel(1, 0, new int[] {65535, 40000, 0});
        Tensor t = Images.read(png("rgb16.png", new BufferedImage(cm, r, false, null)));
        assertArrayEquals(new int[] {3, 1, 2}, t.shape());
        float[] want = {1, 65535, 2, 40000, 3, 0};
        for (int i = 0; i < 6; i++) {
            assertEquals(want[i] / 65535f, t.data()[i], 1e-9f, "value " + i + " (channel-major)");
        }
    }

    @Test
    void rgb8BitPngIsChannelMajor() throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0080);
        img.setRGB(1, 0, 0x00FF00);
        Tensor t = Images.read(png("rgb8.png", img));
        assertArrayEquals(new int[] {3, 1, 2}, t.shape());
        assertArrayEquals(new float[] {1, 0, 0, 1, 128 / 255f, 0}, t.data(), 1e-7f);
    }

    @Test
    void jpegGreyAndRgb() throws IOException {
        BufferedImage rgb = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                rgb.setRGB(x, y, 0xC86432);
            }
        }
        Path f = tmp.resolve("c.jpg");
        assertTrue(ImageIO.write(rgb, "jpeg", f.toFile()));
        Tensor t = Images.read(f);
        assertArrayEquals(new int[] {3, 16, 16}, t.shape());
        assertEquals(200 / 255f, t.get(0, 8, 8), 4 / 255f, "red after JPEG compression");
        assertEquals(50 / 255f, t.get(2, 8, 8), 4 / 255f, "blue after JPEG compression");

        BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        Arrays.fill(((java.awt.image.DataBufferByte) grey.getRaster().getDataBuffer()).getData(), (byte) 100);
        Path g = tmp.resolve("g.jpg");
        assertTrue(ImageIO.write(grey, "jpeg", g.toFile()));
        Tensor tg = Images.read(g);
        assertArrayEquals(new int[] {1, 8, 8}, tg.shape());
        assertEquals(100 / 255f, tg.get(0, 4, 4), 2 / 255f);
    }

    static BufferedImage indexedMask(int w, int h, int[] classes) {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int c = 0; c < 256; c++) {
            int rgb = ColorTable.vocColor(c);
            r[c] = (byte) (rgb >> 16);
            g[c] = (byte) (rgb >> 8);
            b[c] = (byte) rgb;
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, g,
                b));
        img.getRaster().setSamples(0, 0, w, h, 0, classes);
        return img;
    }

    @Test
    void indexedMaskGivesPaletteIndices() throws IOException {
        Tensor m = Images.readClassMap(png("m.png", indexedMask(3, 2, new int[] {0, 1, 20, 255, 15, 0})), 21);
        assertArrayEquals(new int[] {2, 3}, m.shape());
        assertArrayEquals(new float[] {0, 1, 20, 255, 15, 0}, m.data());
    }

    @Test
    void paletteImageAsInputGivesItsColours() throws IOException {
        Tensor t = Images.read(png("pal.png", indexedMask(2, 1, new int[] {0, 1})));
        assertArrayEquals(new int[] {3, 1, 2}, t.shape());
        assertArrayEquals(new float[] {0, 128 / 255f, 0, 0, 0, 0}, t.data(), 1e-7f, "black, then VOC dark red");
    }

    @Test
    void greyMaskGivesValues() throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {3, 255});
        assertArrayEquals(new float[] {3, 255}, Images.readClassMap(png("gm.png", img), 4).data());
    }

    @Test
    void classOutsideRangeNamesFilePixelAndValue() throws IOException {
        Path f = png("bad.png", indexedMask(3, 2, new int[] {0, 1, 2, 3, 21, 0}));
        IOException e = assertThrows(IOException.class, () -> Images.readClassMap(f, 21));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("(x=1, y=1)"), e.getMessage());
        assertTrue(e.getMessage().contains("class 21"), e.getMessage());
    }

    @Test
    void colourMaskThroughTable() throws IOException {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x000000);
        img.setRGB(1, 0, 0xFF0000);
        img.setRGB(0, 1, 0x00FF00);
        img.setRGB(1, 1, 0xFF0000);
        ColorTable table = ColorTable.of(Map.of(0x000000, 0, 0xFF0000, 1, 0x00FF00, 2));
        Tensor m = Images.readColorMask(png("cm.png", img), table);
        assertArrayEquals(new float[] {0, 1, 2, 1}, m.data());
    }

    @Test
    void unknownColourNamesFilePixelAndColour() throws IOException {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0x123456);
        Path f = png("cm2.png", img);
        IOException e = assertThrows(IOException.class, () -> Images.readColorMask(f, ColorTable.of(Map.of(0, 0))));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("(x=1, y=1)"), e.getMessage());
        assertTrue(e.getMessage().contains("#123456"), e.getMessage());
    }

    @Test
    void colourImageAsClassMaskIsRejected() throws IOException {
        Path f = png("rgbmask.png", new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB));
        IOException e = assertThrows(IOException.class, () -> Images.readClassMap(f, 21));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("readColorMask"), e.getMessage());
    }

    @Test
    void vocPaletteMatchesKnownColours() {
        assertEquals(0x000000, ColorTable.vocColor(0));
        assertEquals(0x800000, ColorTable.vocColor(1));
        assertEquals(0x008000, ColorTable.vocColor(2));
        assertEquals(0x808000, ColorTable.vocColor(3));
        assertEquals(0x000080, ColorTable.vocColor(4));
        assertEquals(0x400000, ColorTable.vocColor(8));
        assertEquals(0xC08080, ColorTable.vocColor(15));
        assertEquals(0xE0E0C0, ColorTable.vocColor(255));
        assertEquals(15, ColorTable.voc().classOf(0xC08080));
    }

    @Test
    void truncatedPngAndJpegAreRejected() throws IOException {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 64; i++) {
            img.setRGB(i, i, 0xFFFFFF - i * 1000);
        }
        for (String format : new String[] {"png", "jpeg"}) {
            Path full = tmp.resolve("full." + format);
            assertTrue(ImageIO.write(img, format, full.toFile()));
            byte[] bytes = Files.readAllBytes(full);
            Path cut = tmp.resolve("cut." + format);
            Files.write(cut, Arrays.copyOf(bytes, bytes.length * 2 / 3));
            IOException e = assertThrows(IOException.class, () -> Images.read(cut), format);
            assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        }
    }

    @Test
    void notAnImageIsRejected() throws IOException {
        Path f = tmp.resolve("x.png");
        Files.writeString(f, "hello");
        IOException e = assertThrows(IOException.class, () -> Images.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not an image"), e.getMessage());
    }

    @Test
    void writePngRoundTrip() throws IOException {
        Tensor t = Tensor.of(new float[] {0, 0.5f, 1, 2, -1, 0.25f}, 1, 2, 3);
        Path f = tmp.resolve("w.png");
        Images.writePng(f, t);
        Tensor back = Images.read(f);
        assertArrayEquals(new float[] {0, 128 / 255f, 1, 1, 0, 64 / 255f}, back.data(), 1e-7f);
    }
}
