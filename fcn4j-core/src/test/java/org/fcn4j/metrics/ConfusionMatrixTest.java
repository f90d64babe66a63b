package org.fcn4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
    private static final List<String> ROAD_SCENE = List.of("Sky", "Terrain", "Tree", "Vegetation", "Building", "Road",
            "GuardRail", "TrafficSign", "TrafficLight", "Pole", "Car", "Van", "Truck");

    @Test
    void datasetMiouIsNotMeanOfBatchMious() {
        ConfusionMatrix total = new ConfusionMatrix(2);
        int[][] targets = {{0, 0, 0, 1}, {1, 1, 1, 1}};
        int[][] predictions = {{0, 0, 0, 0}, {1, 1, 1, 0}};
        double batchMean = 0;
        for (int b = 0; b < 2; b++) {
            total.update(predictions[b], targets[b]);
            ConfusionMatrix one = new ConfusionMatrix(2).update(predictions[b], targets[b]);
            batchMean += one.metrics().meanIoU() / 2;
        }
        assertEquals(0.6, total.metrics().meanIoU(), 1e-12);
        assertEquals(0.375, batchMean, 1e-12);
        assertEquals(0.6, total.metrics().iou(0), 1e-12);
        assertEquals(0.6, total.metrics().iou(1), 1e-12);
    }

    @Test
    void absentClassLeftOutOfMean() {
        ConfusionMatrix cm = new ConfusionMatrix(3).update(new int[] {0, 1, 0, 1}, new int[] {0, 1, 0, 0});
        SegmentationMetrics m = cm.metrics();
        assertEquals(2.0 / 3, m.iou(0), 1e-12);
        assertEquals(0.5, m.iou(1), 1e-12);
        assertTrue(Double.isNaN(m.iou(2)));
        assertFalse(m.isPresent(2));
        assertEquals(List.of(2), m.absentClasses());
        assertEquals((2.0 / 3 + 0.5) / 2, m.meanIoU(), 1e-12);
        assertEquals(0.5833, m.meanIoU(), 5e-5);

        String report = m.format(List.of("a", "b", "c"));
        assertTrue(report.contains("a      0.6667"), report);
        assertTrue(report.contains("b      0.5000"), report);
        assertTrue(report.contains("c      absent"), report);
        assertTrue(report.contains("mIoU 0.5833"), report);
        assertTrue(report.contains("2 present classes of 3"), report);
        assertTrue(report.contains("left out): c"), report);
    }

    @Test
    void percentMatrixOfThirteenClasses() {
        // Row-normalised percentages of a road-scene model: every row sums to 100.
        double[][] pct = {
            // Sky Ter Tree Veg Bld Road GR  TS  TL  Pole Car Van Truck
            {95, 0, 3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0},     // Sky
            {0, 70, 5, 10, 2, 10, 1, 0, 0, 0, 2, 0, 0},   // Terrain
            {2, 4, 80, 6, 6, 0, 0, 0, 0, 2, 0, 0, 0},     // Tree
            {0, 15, 25, 51, 5, 2, 0, 0, 0, 2, 0, 0, 0},   // Vegetation
            {1, 1, 4, 1, 85, 2, 1, 1, 0, 2, 1, 1, 0},     // Building
            {0, 2, 0, 0, 1, 96, 1, 0, 0, 0, 0, 0, 0},     // Road
            {0, 10, 3, 2, 10, 25, 40, 0, 0, 5, 3, 1, 1},  // GuardRail
            {2, 0, 10, 0, 25, 0, 3, 45, 2, 13, 0, 0, 0},  // TrafficSign
            {5, 0, 15, 0, 25, 0, 0, 10, 35, 10, 0, 0, 0}, // TrafficLight
            {3, 2, 15, 1, 30, 5, 4, 5, 3, 30, 2, 0, 0},   // Pole
            {0, 1, 1, 0, 3, 4, 0, 0, 0, 0, 88, 3, 0},     // Car
            {0, 0, 0, 0, 6, 4, 0, 0, 0, 0, 35, 50, 5},    // Van
            {0, 0, 0, 0, 10, 5, 0, 0, 0, 0, 10, 30, 45},  // Truck
        };
        int veg = ROAD_SCENE.indexOf("Vegetation");
        double column = 0;
        for (int t = 0; t < 13; t++) {
            double rowSum = 0;
            for (double v : pct[t]) {
                rowSum += v;
            }
            assertEquals(100, rowSum, 1e-9, ROAD_SCENE.get(t) + " row sum");
            column += pct[t][veg];
        }
        assertEquals(71, column, 1e-9, "Vegetation column sum");

        SegmentationMetrics m = new SegmentationMetrics(pct);
        assertEquals(51.0 / 120, m.iou(veg), 1e-12);
        assertEquals(2 * 51.0 / 171, m.dice(veg), 1e-12);
        assertEquals(51, m.rowNormalisedPercent()[veg][veg], 1e-12);
        assertTrue(m.format(ROAD_SCENE).contains("Vegetation    0.4250"), m.format(ROAD_SCENE));
    }

    @Test
    void aggregateMetricsByHand() {
        // rows true, columns predicted
        double[][] c = {{50, 10, 0}, {5, 30, 5}, {0, 0, 0}};
        SegmentationMetrics m = new SegmentationMetrics(c);
        assertEquals(80.0 / 100, m.pixelAccuracy(), 1e-12);
        assertEquals((50.0 / 60 + 30.0 / 40) / 2, m.meanClassAccuracy(), 1e-12);
        double iou0 = 50.0 / (60 + 55 - 50);
        double iou1 = 30.0 / (40 + 40 - 30);
        assertEquals(0.0, m.iou(2), 0.0);  // predicted 5 times, never true: present with IoU 0
        assertEquals((iou0 + iou1 + 0) / 3, m.meanIoU(), 1e-12);
        assertEquals(0.6 * iou0 + 0.4 * iou1, m.frequencyWeightedIoU(), 1e-12);
        assertEquals(100.0 / 115, m.dice(0), 1e-12);
        assertArrayEquals(new double[] {12.5, 75, 12.5}, m.rowNormalisedPercent()[1], 1e-12);
        assertArrayEquals(new double[] {0, 0, 0}, m.rowNormalisedPercent()[2], 0.0);
    }

    @Test
    void updateFromLogitsAndClassMapsWithIgnore() {
        // (N=1, C=3, H=1, W=4) logits; argmax per pixel: 2, 0, 1, 1
        Tensor logits = Tensor.of(new float[] {0, 5, 0, 0, 1, 0, 9, 9, 7, 1, 2, 3}, 1, 3, 1, 4);
        Tensor target = Tensor.of(new float[] {2, 0, 255, 0}, 1, 1, 4);
        ConfusionMatrix cm = new ConfusionMatrix(3, 255).update(logits, target);
        assertEquals(3, cm.total());
        assertEquals(1, cm.count(2, 2));
        assertEquals(1, cm.count(0, 0));
        assertEquals(1, cm.count(0, 1));
        ConfusionMatrix fromMap = new ConfusionMatrix(3, 255).update(Tensor.of(new float[] {2, 0, 1, 1}, 1, 1, 4), target);
        assertArrayEquals(cm.counts(), fromMap.counts());
    }

    @Test
    void badLabelsNameValueAndPixel() {
        ConfusionMatrix cm = new ConfusionMatrix(3, 255);
        Tensor target = Tensor.of(new float[] {0, 1, 2, 0, 1, 7}, 2, 1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cm.update(Tensor.zeros(2, 1, 3), target));
        assertTrue(e.getMessage().contains("target value 7 at batch index 1, pixel (0, 2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cm.update(new int[] {0, 3}, new int[] {0, 1}));
        assertTrue(e.getMessage().contains("predicted class 3 at index 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cm.update(Tensor.zeros(2, 4, 1, 3), Tensor.zeros(2, 1, 3)));
        assertTrue(e.getMessage().contains("(2, 4, 1, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cm.update(Tensor.zeros(2, 3, 3), Tensor.zeros(2, 1, 3)));
        assertTrue(e.getMessage().contains("(2, 1, 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("(2, 3, 3)"), e.getMessage());
        assertEquals(0, cm.total());
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(3, 1));
    }

    @Test
    void mergeAcrossThreadsEqualsSerialCount() throws Exception {
        int classes = 5;
        int[][] preds = new int[8][];
        int[][] targets = new int[8][];
        ConfusionMatrix serial = new ConfusionMatrix(classes);
        org.fcn4j.tensor.Generator rng = new org.fcn4j.tensor.Generator(3);
        for (int b = 0; b < 8; b++) {
            preds[b] = new int[1000];
            targets[b] = new int[1000];
            for (int i = 0; i < 1000; i++) {
                preds[b][i] = rng.nextInt(classes);
                targets[b][i] = rng.nextInt(classes);
            }
            serial.update(preds[b], targets[b]);
        }
        ConfusionMatrix merged = new ConfusionMatrix(classes);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ConfusionMatrix>> parts = new java.util.ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                parts.add(pool.submit(() -> {
                    ConfusionMatrix local = new ConfusionMatrix(classes);
                    for (int b = worker; b < 8; b += 4) {
                        local.update(preds[b], targets[b]);
                    }
                    return local;
                }));
            }
            for (Future<ConfusionMatrix> f : parts) {
                merged.merge(f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertArrayEquals(serial.counts(), merged.counts());
        assertEquals(8000, merged.total());
        assertThrows(IllegalArgumentException.class, () -> merged.merge(new ConfusionMatrix(4)));
    }

    @Test
    void ofCountsRoundTrips() {
        ConfusionMatrix cm = new ConfusionMatrix(3, 255).update(new int[] {0, 1, 2, 2}, new int[] {0, 2, 2, 1});
        ConfusionMatrix copy = ConfusionMatrix.ofCounts(cm.counts(), 255);
        assertArrayEquals(cm.counts(), copy.counts());
        copy.merge(cm);
        assertEquals(8, copy.total());
        assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.ofCounts(new long[][] {{1, 2}, {3}}, 255));
        assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.ofCounts(new long[][] {{1, -2}, {3, 4}}, 255));
    }
}
