package org.fcn4j.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.fcn4j.tensor.Generator;

/**
 * Train / validation / test splits of a dataset, by fraction (reproducible from a seed) or by list
 * file (one sample name per line, as Pascal VOC's {@code ImageSets/Segmentation/train.txt}).
 */
public final class Splits {
    private Splits() {
    }

    /**
     * Splits {@code dataset} into parts of the given fractions of its size, after a permutation
     * drawn from {@code seed}. Fractions must be positive and sum to at most 1 (a sum below 1 leaves
     * samples out). Part sizes are {@code floor(fraction * size)}, except that when the fractions
     * sum to 1 the last part takes the remainder, so no sample is lost.
     *
     * <p>Example: {@code byFraction(ds, seed, 0.8, 0.1, 0.1)} returns train, validation and test.
     */
    public static List<Dataset> byFraction(Dataset dataset, long seed, double... fractions) {
        List<Dataset> out = new ArrayList<>();
        for (int[] part : indicesByFraction(dataset.size(), seed, fractions)) {
            out.add(Datasets.subset(dataset, part));
        }
        return out;
    }

    /** Returns the indices of each part of {@link #byFraction}, each part in ascending order. */
    public static List<int[]> indicesByFraction(int size, long seed, double... fractions) {
        if (fractions.length == 0) {
            throw new IllegalArgumentException("give at least one fraction, e.g. 0.8, 0.2");
        }
        double total = 0;
        for (double f : fractions) {
            if (!(f > 0 && f <= 1)) {
                throw new IllegalArgumentException("fractions must be in (0, 1], got " + Arrays.toString(fractions));
            }
            total += f;
        }
        if (total > 1 + 1e-9) {
            throw new IllegalArgumentException("fractions sum to " + total + ", more than 1: "
                    + Arrays.toString(fractions));
        }

        int[] perm = new int[size];
        for (int i = 0; i < size; i++) {
            perm[i] = i;
        }
        new Generator(Seeds.derive(seed, 3)).shuffle(perm);

        boolean complete = Math.abs(total - 1) <= 1e-9;
        List<int[]> parts = new ArrayList<>();
        int start = 0;
        for (int p = 0; p < fractions.length; p++) {
            int n = complete && p == fractions.length - 1 ? size - start : (int) Math.floor(fractions[p] * size);
            int[] part = Arrays.copyOfRange(perm, start, start + n);
            Arrays.sort(part);
            parts.add(part);
            start += n;
        }
        return parts;
    }

    /**
     * Reads a list file (one name per line; blank lines and lines starting with '#' skipped) and
     * returns the indices of those names in {@code indexByName}, in file order.
     *
     * @throws IllegalArgumentException naming the file and line of a name that is not in the map
     */
    public static int[] fromListFile(Path listFile, Map<String, Integer> indexByName) throws IOException {
        List<String> lines = Files.readAllLines(listFile, StandardCharsets.UTF_8);
        int[] out = new int[lines.size()];
        int n = 0;
        for (int i = 0; i < lines.size(); i++) {
            String name = lines.get(i).strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            Integer idx = indexByName.get(name);
            if (idx == null) {
                throw new IllegalArgumentException(listFile + ": line " + (i + 1) + " names '" + name
                        + "', which is not in the dataset");
            }
            out[n++] = idx;
        }
        return Arrays.copyOf(out, n);
    }
}
