package org.fcn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The statistical properties of the course's generators that its losses rely on. */
class CellsDatasetTest {
    private static final int PIXELS = CellsDataset.SIZE * CellsDataset.SIZE;

    @Test
    void shapesAndDeterminism() {
        for (CellsDataset.Task task : CellsDataset.Task.values()) {
            CellsDataset ds = new CellsDataset(task, 10, 123);
            Sample s = ds.get(3);
            assertArrayEquals(new int[] {1, 64, 64}, s.input().shape(), task + " input");
            assertArrayEquals(new int[] {1, 64, 64}, s.target().shape(), task + " target");
            assertEquals(s, ds.get(3), task + ": same index, same sample");
            assertEquals(s, new CellsDataset(task, 10, 123).get(3), task + ": same seed, same sample");
            assertFalse(s.equals(new CellsDataset(task, 10, 124).get(3)), task + ": another seed");
            assertEquals(TargetKind.FIELD, ds.targetKind());
        }
    }

    @Test
    void clutterIsNonNegativeAndSetWithProbabilityBelowHalf() {
        CellsDataset ds = new CellsDataset(CellsDataset.Task.DENOISE, 1000, 5);
        int[] set = new int[PIXELS];
        int draws = 0;
        double setPixels = 0;
        for (int i = 0; i < 1000; i++) {
            for (int d = 0; d < 2; d++) {
                float[] c = ds.clutter(i, d).data();
                draws++;
                for (int p = 0; p < PIXELS; p++) {
                    assertTrue(c[p] >= 0, "clutter is never negative, got " + c[p]);
                    if (c[p] > 0) {
                        set[p]++;
                        setPixels++;
                    }
                }
            }
        }
        int worst = Arrays.stream(set).max().orElseThrow();
        double pMax = (double) worst / draws;
        assertTrue(pMax < 0.4, "largest per-pixel probability of clutter is " + pMax + ", must stay below 0.5");
        double pMean = setPixels / ((double) draws * PIXELS);
        assertTrue(pMean > 0.05, "mean clutter coverage " + pMean);
        assertTrue(pMean < 0.35, "mean clutter coverage " + pMean);
    }

    @Test
    void medianOfNoisyDrawsIsTheCleanImage() {
        CellsDataset ds = new CellsDataset(CellsDataset.Task.NOISE2NOISE, 4, 9);
        for (int i = 0; i < 4; i++) {
            float[] clean = ds.clean(i).data();
            int draws = 201;
            float[][] noisy = new float[draws][];
            for (int d = 0; d < draws; d++) {
                float[] c = ds.clutter(i, d).data();
                noisy[d] = new float[PIXELS];
                for (int p = 0; p < PIXELS; p++) {
                    noisy[d][p] = clean[p] + c[p];
                }
            }
            float[] column = new float[draws];
            int meanAbove = 0;
            for (int p = 0; p < PIXELS; p++) {
                double mean = 0;
                for (int d = 0; d < draws; d++) {
                    column[d] = noisy[d][p];
                    mean += column[d];
                }
                mean /= draws;
                Arrays.sort(column);
                assertEquals(clean[p], column[draws / 2], "median at pixel " + p + " of image " + i);
                if (mean > clean[p] + 0.05) {
                    meanAbove++;
                }
            }
            assertTrue(meanAbove > PIXELS / 4, "the mean is biased upwards on most pixels (" + meanAbove + ")");
        }
    }

    @Test
    void tasksCombineCellsAndClutterAsDocumented() {
        long seed = 77;
        CellsDataset denoise = new CellsDataset(CellsDataset.Task.DENOISE, 5, seed);
        CellsDataset n2n = new CellsDataset(CellsDataset.Task.NOISE2NOISE, 5, seed);
        CellsDataset pure = new CellsDataset(CellsDataset.Task.PURE_NOISE, 5, seed);
        for (int i = 0; i < 5; i++) {
            float[] clean = denoise.clean(i).data();
            float[] c0 = denoise.clutter(i, 0).data();
            float[] c1 = denoise.clutter(i, 1).data();
            float[] c2 = denoise.clutter(i, 2).data();
            Sample d = denoise.get(i);
            Sample n = n2n.get(i);
            Sample p = pure.get(i);
            for (int k = 0; k < PIXELS; k++) {
                assertEquals(clean[k], d.target().data()[k], "denoise target is clean");
                assertEquals(clean[k] + c0[k], d.input().data()[k], "denoise input is clean + clutter");
                assertEquals(clean[k] + c0[k], n.input().data()[k], "noise2noise input");
                assertEquals(clean[k] + c1[k], n.target().data()[k], "noise2noise target, second draw");
                assertEquals(clean[k] + c0[k], p.target().data()[k], "pure-noise target is the noisy image");
                assertEquals(clean[k] + c0[k] + c2[k], p.input().data()[k], "pure-noise input adds a clutter sample");
            }
            Sample noise = pure.pureNoise().get(i);
            assertArrayEquals(pure.clutter(i, 3).data(), noise.input().data(), "second source is clutter alone");
        }
    }

    @Test
    void cellsLookLikeTheCourseDescription() {
        CellsDataset ds = new CellsDataset(CellsDataset.Task.DENOISE, 400, 1);
        double count = 0;
        for (int i = 0; i < 400; i++) {
            count += CellsDataset.poisson(new org.fcn4j.tensor.Generator(i), CellsDataset.MEAN_CELLS);
        }
        assertEquals(8.0, count / 400, 0.4, "mean number of cells");
        double covered = 0;
        float peak = 0;
        for (int i = 0; i < 400; i++) {
            Tensor clean = ds.clean(i);
            for (float v : clean.data()) {
                assertTrue(v >= 0, "cells are non-negative");
                covered += v > 0 ? 1 : 0;
                peak = Math.max(peak, v);
            }
        }
        // About 8 discs of mean area pi * 7.9^2 (radius uniform in [5, 10]) cover about 30% of 64 x 64, less overlaps.
        double fraction = covered / (400.0 * PIXELS);
        assertTrue(fraction > 0.15, "fraction of cell pixels " + fraction);
        assertTrue(fraction < 0.35, "fraction of cell pixels " + fraction);
        assertTrue(peak >= 0.9, "brightest cell pixel " + peak);
        assertTrue(peak < 4, "brightest cell pixel " + peak);
    }
}
