package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fcn4j.kernel.Parallel;
import org.fcn4j.model.UNet;
import org.fcn4j.tensor.Generator;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** {@code fcn4j bench unet}: parameter counts against PyTorch's, and the JSON lines of a one-step run. */
class BenchUnetCommandTest {

    @Test
    void parameterCountsEqualPyTorchs() {
        // sum(p.numel() for p in model.parameters()) of the PyTorch reference model (torch 1.13).
        assertEquals(1_942_459L, new UNet(BenchUnetCommand.config(BenchUnetCommand.Size.small), new Generator(0))
                .parameterCount(), "small");
        assertEquals(7_763_437L, new UNet(BenchUnetCommand.config(BenchUnetCommand.Size.standard), new Generator(0))
                .parameterCount(), "standard");
    }

    @Test
    void forwardFlopsEqualPyTorchScriptsCount() {
        // the PyTorch reference script's forward FLOP count: 378011648 (small), 6048186368 (standard).
        assertEquals(378_011_648.0, BenchUnetCommand.forwardFlopsPerImage(BenchUnetCommand.Size.small));
        assertEquals(6_048_186_368.0, BenchUnetCommand.forwardFlopsPerImage(BenchUnetCommand.Size.standard));
    }

    @Test
    void oneStepRunPrintsModelTrainInferAndStartupLines() {
        int saved = Parallel.threads();
        CliRun r;
        try {
            r = CliRun.of("bench", "unet", "--size", "small", "--threads", "2", "--warmup", "0", "--iters", "1");
        } finally {
            Parallel.setThreads(saved);
        }
        assertEquals(0, r.exitCode(), "exit code; stderr: " + r.err());
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : r.out().strip().split("\\R")) {
            lines.add(new Yaml().load(line));
        }
        assertEquals(List.of("model", "train", "infer", "startup"), lines.stream().map(m -> m.get("kind")).toList(),
                r.out());

        Map<String, Object> model = lines.get(0);
        assertEquals(1942459, model.get("params"));
        assertEquals(8, model.get("N"));
        assertEquals(11, model.get("classes"));

        Map<String, Object> train = lines.get(1);
        assertEquals(2, train.get("threads"));
        double stepMs = ((Number) train.get("train_step_ms")).doubleValue();
        assertTrue(stepMs > 0, "train_step_ms: " + train);
        assertEquals(List.of(stepMs), train.get("samples_ms"), "one timed step is its own median");
        double loss = ((Number) train.get("final_loss")).doubleValue();
        // Near ln(11) = 2.40 at initialisation: the head's logits are small.
        assertTrue(loss > 2.0 && loss < 3.0, "final_loss " + loss);

        Map<String, Object> infer = lines.get(2);
        double batchMs = ((Number) infer.get("batch_ms_median")).doubleValue();
        assertEquals(8 / (batchMs / 1e3), ((Number) infer.get("infer_img_per_s")).doubleValue(), 0.01 * 8e3 / batchMs,
                "images per second follow from the batch time: " + infer);

        Map<String, Object> startup = lines.get(3);
        double firstStep = ((Number) startup.get("first_step_ms")).doubleValue();
        assertTrue(firstStep >= stepMs, "first_step_ms counts from the JVM start, so it includes the step: " + startup);
        double firstStepCpu = ((Number) startup.get("first_step_cpu_ms")).doubleValue();
        assertTrue(firstStepCpu > 0, "first_step_cpu_ms " + firstStepCpu);
        assertTrue(Double.isFinite(firstStepCpu), "first_step_cpu_ms " + firstStepCpu);
        double rss = ((Number) startup.get("peak_rss_mb")).doubleValue();
        assertTrue(rss > 10 && rss < 1e6, "peak_rss_mb " + rss);
    }

    @Test
    void unknownSizeIsRejected() {
        CliRun r = CliRun.of("bench", "unet", "--size", "huge");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("huge"), r.err());
    }
}
