package org.fcn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** fashion-scenes built from the Fashion-MNIST test set shipped in data/. */
class FashionScenesTest {

    @Test
    void shippedPhotosAreFound() {
        FashionMnist photos = FashionMnist.load("test");
        assertEquals(10000, photos.size());
        // The first test photo of Fashion-MNIST is an ankle boot (class 9).
        assertEquals(9, photos.label(0));
        assertTrue(DataFiles.find("fashion-mnist/t10k-images-idx3-ubyte.gz").toString().contains("fashion-mnist"));
    }

    @Test
    void everyLabelledPixelShowsTheTopItemAboveThreshold() {
        for (FashionScenes.Split split : FashionScenes.Split.values()) {
            FashionScenes ds = FashionScenes.of(split, 2024);
            FashionMnist photos = ds.photos();
            for (int i = 0; i < 150; i++) {
                Sample s = ds.get(i);
                List<FashionScenes.Item> items = ds.layout(i);
                float[] in = s.input().data();
                float[] mask = s.target().data();
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        // The last item drawn here with a photo pixel above the threshold, if any.
                        FashionScenes.Item top = null;
                        int value = -1;
                        for (FashionScenes.Item it : items) {
                            int py = y - it.top();
                            int px = x - it.left();
                            if (py >= 0 && py < 28 && px >= 0 && px < 28) {
                                int v = photos.pixel(it.photo(), py, px);
                                if (v > FashionScenes.THRESHOLD) {
                                    top = it;
                                    value = v;
                                }
                            }
                        }
                        int k = (int) mask[y * 64 + x];
                        String where = split + " canvas " + i + " pixel (" + y + ", " + x + ")";
                        if (k != 0) {
                            assertTrue(top != null, where + ": labelled " + k + " but no photo pixel above threshold");
                            assertEquals(top.label() + 1, k, where + ": class of the item on top");
                            assertEquals(value / 255f, in[y * 64 + x], 1e-7f, where + ": shows that item's pixel");
                            assertTrue(value > FashionScenes.THRESHOLD, where);
                        } else {
                            assertTrue(top == null, where + ": background although item " + top + " is above threshold");
                            assertTrue(in[y * 64 + x] <= FashionScenes.THRESHOLD / 255f + 1e-7f,
                                    where + ": background brighter than the threshold");
                        }
                    }
                }
            }
        }
    }

    @Test
    void splitsUseDisjointPhotos() {
        for (FashionScenes.Split split : FashionScenes.Split.values()) {
            FashionScenes ds = FashionScenes.of(split, 1);
            assertEquals(split.canvases(), ds.size());
            int lo = split.firstPhoto();
            int hi = lo + split.photos();
            Set<Integer> counts = new HashSet<>();
            for (int i = 0; i < ds.size(); i += 7) {
                List<FashionScenes.Item> items = ds.layout(i);
                counts.add(items.size());
                for (FashionScenes.Item it : items) {
                    assertTrue(it.photo() >= lo, split + " canvas " + i + " uses photo "
                            + it.photo() + ", outside [" + lo + ", " + hi + ")");
                    assertTrue(it.photo() < hi, split + " canvas " + i + " uses photo "
                            + it.photo() + ", outside [" + lo + ", " + hi + ")");
                    assertTrue(it.top() >= 0, it.toString());
                    assertTrue(it.top() <= 36, it.toString());
                    assertTrue(it.left() >= 0, it.toString());
                    assertTrue(it.left() <= 36, it.toString());
                }
            }
            assertEquals(Set.of(1, 2, 3, 4), counts, split + ": one to four items");
        }
        assertEquals(8000, FashionScenes.Split.TRAIN.photos());
        assertEquals(8000, FashionScenes.Split.VALIDATION.firstPhoto());
        assertEquals(9000, FashionScenes.Split.TEST.firstPhoto());
    }

    @Test
    void canvasesAreDeterministicAndSeeded() {
        FashionScenes a = FashionScenes.of(FashionScenes.Split.TRAIN, 5);
        FashionScenes b = FashionScenes.of(FashionScenes.Split.TRAIN, 5);
        assertEquals(a.get(4321), b.get(4321));
        assertEquals(a.layout(4321), b.layout(4321));
        assertFalse(a.layout(4321).equals(FashionScenes.of(FashionScenes.Split.TRAIN, 6).layout(4321)));
        Sample s = a.get(0);
        assertArrayEquals(new int[] {1, 64, 64}, s.input().shape());
        assertArrayEquals(new int[] {64, 64}, s.target().shape());
        assertEquals(11, a.numClasses());
        assertEquals("background", a.classNames().get(0));
        assertEquals("Ankle boot", a.classNames().get(10));
    }

    @Test
    void allElevenClassesAppear() {
        FashionScenes ds = FashionScenes.of(FashionScenes.Split.VALIDATION, 3);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            for (int c : ds.get(i).classes()) {
                seen.add(c);
            }
        }
        assertEquals(11, seen.size(), "classes seen: " + seen);
    }

    @Test
    void builtInNamesOpen() {
        for (String name : Datasets.NAMES) {
            Dataset ds = Datasets.open(name, "val", 0);
            assertTrue(ds.size() > 0, name);
            assertEquals(ds.get(0), Datasets.open(name, "val", 0).get(0), name + " is deterministic");
        }
        assertFalse(Datasets.open("cells-denoise", "train", 0).get(0).equals(
                Datasets.open("cells-denoise", "val", 0).get(0)), "generator splits differ");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.open("mnist", "train", 0));
        assertTrue(e.getMessage().contains("fashion-scenes"), e.getMessage());
    }
}
