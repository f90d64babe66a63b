package org.fcn4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.fcn4j.io.Images;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * A Pascal VOC segmentation split read from the VOC folder layout (for example VOC2007 or
 * VOC2012 as extracted from the official archives):
 * <pre>
 * ROOT/JPEGImages/NAME.jpg                     RGB photo
 * ROOT/SegmentationClass/NAME.png              indexed PNG, palette index = class, 255 = ignored
 * ROOT/ImageSets/Segmentation/{train,val,...}.txt   one NAME per line
 * </pre>
 * Inputs are (3, H, W) in [0, 1]; targets are class maps (H, W) with 21 classes (background and
 * the 20 VOC object classes) and 255 on object borders. Images differ in size, so batching more
 * than one per batch needs a {@link Transforms#randomCrop} or {@link Transforms#resize}.
 *
 * <p>Files are read on each {@link #get}. A mask whose size differs from its image, or with a class
 * outside 0..20 (other than 255), fails with a message naming the file.
 */
public final class VocDataset implements Dataset {
    /** The 21 VOC classes, by index. */
    public static final List<String> CLASSES = List.of("background", "aeroplane", "bicycle", "bird", "boat",
            "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person",
            "pottedplant", "sheep", "sofa", "train", "tvmonitor");

    private final Path root;
    private final List<String> names;

    /**
     * Opens split {@code split} ("train", "val", "trainval", "test" ...) under {@code root}.
     *
     * @throws IOException when the list file is missing or names an image or mask that does not exist
     */
    public VocDataset(Path root, String split) throws IOException {
        this.root = root;
        Path list = root.resolve("ImageSets").resolve("Segmentation").resolve(split + ".txt");
        if (!Files.isRegularFile(list)) {
            throw new IOException(list + ": split list not found; expected the VOC layout ROOT/JPEGImages, "
                    + "ROOT/SegmentationClass and ROOT/ImageSets/Segmentation/" + split + ".txt");
        }
        List<String> lines = Files.readAllLines(list);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String name = lines.get(i).strip();
            if (name.isEmpty()) {
                continue;
            }
            for (Path p : new Path[] {image(name), mask(name)}) {
                if (!Files.isRegularFile(p)) {
                    throw new IOException(list + ": line " + (i + 1) + " names '" + name + "', but " + p
                            + " does not exist");
                }
            }
            out.add(name);
        }
        if (out.isEmpty()) {
            throw new IOException(list + ": the split list is empty");
        }
        this.names = List.copyOf(out);
    }

    private Path image(String name) {
        return root.resolve("JPEGImages").resolve(name + ".jpg");
    }

    private Path mask(String name) {
        return root.resolve("SegmentationClass").resolve(name + ".png");
    }

    /** Returns the sample names of this split, in list-file order. */
    public List<String> names() {
        return names;
    }

    @Override
    public int size() {
        return names.size();
    }

    @Override
    public TargetKind targetKind() {
        return TargetKind.CLASS_MAP;
    }

    @Override
    public int numClasses() {
        return CLASSES.size();
    }

    @Override
    public List<String> classNames() {
        return CLASSES;
    }

    @Override
    public Sample get(int index) {
        checkIndex(index);
        String name = names.get(index);
        try {
            Tensor input = Images.read(image(name));
            if (input.size(0) == 1) {
                input = Tensor.concat(0, input, input, input);
            }
            Tensor target = Images.readClassMap(mask(name), CLASSES.size());
            int[] in = input.shape();
            int[] t = target.shape();
            if (in[1] != t[0] || in[2] != t[1]) {
                throw new IOException(mask(name) + ": mask is " + t[1] + "x" + t[0] + " (WxH) but its image "
                        + image(name) + " is " + in[2] + "x" + in[1] + "; image " + Shape.str(in) + ", mask "
                        + Arrays.toString(t));
            }
            return new Sample(input, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
