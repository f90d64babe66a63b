package org.fcn4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The built-in datasets by name, and views of datasets.
 *
 * <p>Names: {@code fashion-scenes} (segmentation, 11 classes, see {@link FashionScenes}) and the
 * course's generators {@code cells-denoise}, {@code cells-noise2noise}, {@code cells-pure-noise}
 * (see {@link CellsDataset}). {@code voc2007} opens a Pascal VOC folder on disk
 * ({@link #open(String, String, long, Path)}, see {@link VocDataset}).
 */
public final class Datasets {
    /** The names {@link #open} accepts. */
    public static final List<String> NAMES = List.of("fashion-scenes", "cells-denoise", "cells-noise2noise",
            "cells-pure-noise");

    /** The name of a Pascal VOC folder on disk, for {@link #open(String, String, long, Path)}. */
    public static final String VOC = "voc2007";

    /** Samples per split of the cells generators: the course's 100 batches of 32 for training. */
    public static final int CELLS_TRAIN_SIZE = 3200;
    /** Samples of the validation and test splits of the cells generators. */
    public static final int CELLS_EVAL_SIZE = 320;

    private Datasets() {
    }

    /**
     * Opens a built-in dataset.
     *
     * @param name  one of {@link #NAMES}
     * @param split "train", "val" or "test"; splits of one name never share samples (fashion-scenes
     *              uses disjoint photos, the generators disjoint seeds)
     * @param seed  the root seed of the generated samples
     */
    public static Dataset open(String name, String split, long seed) {
        FashionScenes.Split s = FashionScenes.Split.parse(split);
        if (name.equals("fashion-scenes")) {
            return FashionScenes.of(s, seed);
        }
        for (CellsDataset.Task t : CellsDataset.Task.values()) {
            if (t.id().equals(name)) {
                int size = s == FashionScenes.Split.TRAIN ? CELLS_TRAIN_SIZE : CELLS_EVAL_SIZE;
                return new CellsDataset(t, size, Seeds.derive(seed, 40, s.ordinal()));
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "'; built-in datasets: " + NAMES + ", or " + VOC
                + " with the folder of a Pascal VOC dataset on disk");
    }

    /**
     * Opens a built-in dataset, or with {@code name} {@value #VOC} the Pascal VOC folder
     * {@code root} (the folder that contains JPEGImages/), where {@code split} names the list file
     * ImageSets/Segmentation/SPLIT.txt ("val" and "validation" both read val.txt).
     *
     * @param root the dataset folder for {@value #VOC}; ignored (may be null) for built-in datasets
     * @throws UncheckedIOException when the VOC folder or its list file is missing or malformed
     */
    public static Dataset open(String name, String split, long seed, Path root) {
        if (!name.equals(VOC)) {
            return open(name, split, seed);
        }
        if (root == null) {
            throw new IllegalArgumentException(VOC + " needs the folder of the dataset on disk (the one that "
                    + "contains JPEGImages/)");
        }
        String list = split.equals("validation") ? "val" : split;
        try {
            return new VocDataset(root, list);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns a view of {@code dataset} containing the samples at {@code indices}, in that order. */
    public static Dataset subset(Dataset dataset, int[] indices) {
        int[] idx = indices.clone();
        for (int i : idx) {
            dataset.checkIndex(i);
        }
        return new Dataset() {
            @Override
            public int size() {
                return idx.length;
            }

            @Override
            public Sample get(int index) {
                checkIndex(index);
                return dataset.get(idx[index]);
            }

            @Override
            public TargetKind targetKind() {
                return dataset.targetKind();
            }

            @Override
            public int numClasses() {
                return dataset.numClasses();
            }

            @Override
            public List<String> classNames() {
                return dataset.classNames();
            }
        };
    }
}
