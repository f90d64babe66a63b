package org.fcn4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @TempDir
    Path dir;

    @Test
    void writesJsonlAndCsvAndReloads() throws IOException {
        MetricsLog log = new MetricsLog(dir);
        Map<String, Object> r1 = MetricsLog.record();
        r1.put("epoch", 1);
        r1.put("train_loss", 0.5);
        r1.put("val_miou", Double.NaN);
        log.append(r1);
        Map<String, Object> r2 = MetricsLog.record();
        r2.put("epoch", 2);
        r2.put("train_loss", 0.25);
        r2.put("note", "a,b");
        log.append(r2);

        assertEquals(List.of("{\"epoch\":1,\"train_loss\":0.5,\"val_miou\":null}",
                "{\"epoch\":2,\"train_loss\":0.25,\"note\":\"a,b\"}"), Files.readAllLines(dir.resolve("metrics.jsonl")));
        assertEquals(List.of("epoch,train_loss,val_miou,note", "1,0.5,,", "2,0.25,,\"a,b\""),
                Files.readAllLines(dir.resolve("metrics.csv")));

        MetricsLog again = MetricsLog.load(dir);
        again.truncateAfter(1);
        assertEquals(1, again.records().size());
        assertEquals(0.5, again.column("train_loss")[0]);
    }
}
