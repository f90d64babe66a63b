package org.fcn4j.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

/**
 * "fashion-scenes": a segmentation dataset of real photos. Each input is a 64x64 grey canvas
 * (1, 64, 64) with values in [0, 1], showing one to four Fashion-MNIST photos (28x28) at random
 * positions. Its target is a class map (64, 64) with 11 classes: 0 for background and k + 1 for
 * Fashion-MNIST class k.
 *
 * <p>Drawing: items are drawn in order, so later items lie on top. Where a photo pixel is above
 * {@link #THRESHOLD} (raw value 0 to 255) it is opaque: it replaces the canvas value and labels
 * the pixel with its class. Fainter photo pixels only brighten the canvas
 * ({@code max(canvas, pixel)}) and leave the label unchanged. Hence every non-background pixel
 * shows, above the threshold, the photo pixel of the last item drawn there with a photo pixel
 * above the threshold, and carries that item's class.
 *
 * <p>Splits use disjoint photos of the Fashion-MNIST test set, which the repository ships:
 * {@link Split#TRAIN} 8,000 canvases from photos 0 to 7999, {@link Split#VALIDATION} 1,000
 * canvases from photos 8000 to 8999, {@link Split#TEST} 1,000 canvases from photos 9000 to 9999.
 * Canvases are generated on demand, deterministically from (seed, split, index): the number of
 * items is uniform in 1..4, each photo is uniform over the split's photos and each top-left
 * corner uniform in [0, 36]^2. {@link #layout(int)} returns that draw.
 */
public final class FashionScenes implements Dataset {
    /** Canvas side in pixels. */
    public static final int SIDE = 64;
    /** Photo pixels strictly above this raw value (0 to 255) are labelled with their item's class. */
    public static final int THRESHOLD = 25;
    /** Background plus the 10 Fashion-MNIST classes. */
    public static final int NUM_CLASSES = 11;
    /** At most this many items per canvas. */
    public static final int MAX_ITEMS = 4;

    /** The splits, with their canvas counts and photo ranges in the Fashion-MNIST test set. */
    public enum Split {
        TRAIN(8000, 0, 8000), VALIDATION(1000, 8000, 1000), TEST(1000, 9000, 1000);

        private final int canvases;
        private final int firstPhoto;
        private final int photos;

        Split(int canvases, int firstPhoto, int photos) {
            this.canvases = canvases;
            this.firstPhoto = firstPhoto;
            this.photos = photos;
        }

        /** Parses "train", "val"/"validation" or "test". */
        public static Split parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "train" -> TRAIN;
                case "val", "validation" -> VALIDATION;
                case "test" -> TEST;
                default -> throw new IllegalArgumentException("unknown split '" + name + "'; expected train, val or "
                        + "test");
            };
        }

        public int canvases() {
            return canvases;
        }

        public int firstPhoto() {
            return firstPhoto;
        }

        public int photos() {
            return photos;
        }
    }

    /** One item of a canvas: which photo, its class (0 to 9) and where its top-left corner lies. */
    public record Item(int photo, int label, int top, int left) {
    }

    private static final List<String> CLASS_NAMES;

    static {
        List<String> names = new ArrayList<>();
        names.add("background");
        names.addAll(FashionMnist.CLASSES);
        CLASS_NAMES = List.copyOf(names);
    }

    private final FashionMnist photos;
    private final Split split;
    private final int size;
    private final long seed;

    /** Opens the given split with its default canvas count, drawn from the Fashion-MNIST test set. */
    public static FashionScenes of(Split split, long seed) {
        return new FashionScenes(FashionMnist.load("test"), split, split.canvases(), seed);
    }

    /**
     * Creates a split of {@code size} canvases drawing from {@code photos} over the split's photo range
     * (for tests and for other photo sets of at least 10,000 images).
     */
    public FashionScenes(FashionMnist photos, Split split, int size, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, got " + size);
        }
        if (photos.size() < split.firstPhoto() + split.photos()) {
            throw new IllegalArgumentException("split " + split + " uses photos " + split.firstPhoto() + " to "
                    + (split.firstPhoto() + split.photos() - 1) + ", but only " + photos.size() + " were given");
        }
        this.photos = photos;
        this.split = split;
        this.size = size;
        this.seed = seed;
    }

    public Split split() {
        return split;
    }

    /** Returns the photos the canvases are drawn from. */
    public FashionMnist photos() {
        return photos;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public TargetKind targetKind() {
        return TargetKind.CLASS_MAP;
    }

    @Override
    public int numClasses() {
        return NUM_CLASSES;
    }

    @Override
    public List<String> classNames() {
        return CLASS_NAMES;
    }

    /** Returns the items of canvas {@code index}, in drawing order (last on top). */
    public List<Item> layout(int index) {
        checkIndex(index);
        Generator rng = new Generator(Seeds.derive(seed, 30, split.ordinal(), index));
        int n = 1 + rng.nextInt(MAX_ITEMS);
        List<Item> items = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int photo = split.firstPhoto() + rng.nextInt(split.photos());
            int top = rng.nextInt(SIDE - FashionMnist.SIDE + 1);
            int left = rng.nextInt(SIDE - FashionMnist.SIDE + 1);
            items.add(new Item(photo, photos.label(photo), top, left));
        }
        return items;
    }

    @Override
    public Sample get(int index) {
        float[] canvas = new float[SIDE * SIDE]; // (64, 64)
        float[] mask = new float[SIDE * SIDE];   // (64, 64) class indices
        for (Item it : layout(index)) {
            int cls = it.label() + 1;
            for (int y = 0; y < FashionMnist.SIDE; y++) {
                int row = (it.top() + y) * SIDE + it.left();
                for (int x = 0; x < FashionMnist.SIDE; x++) {
                    int v = photos.pixel(it.photo(), y, x);
                    float f = v * (1f / 255f);
                    if (v > THRESHOLD) {
                        canvas[row + x] = f;
                        mask[row + x] = cls;
                    } else if (f > canvas[row + x]) {
                        canvas[row + x] = f;
                    }
                }
            }
        }
        return new Sample(Tensor.of(canvas, 1, SIDE, SIDE), Tensor.of(mask, SIDE, SIDE));
    }
}
