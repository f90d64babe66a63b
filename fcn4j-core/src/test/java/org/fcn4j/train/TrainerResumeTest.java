package org.fcn4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.fcn4j.io.ModelFile;
import org.fcn4j.model.UNet;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerResumeTest {
    @TempDir
    Path dir;

    private static void assertSameWeights(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).data(), actual.get(k).data(), "weights of " + k);
        }
    }

    private static List<String> withoutSeconds(Path metrics) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            out.add(line.replaceAll(",\"seconds\":[0-9.Ee-]+", ""));
        }
        return out;
    }

    @Test
    void trainingLowersLossAndWritesRunFiles() throws IOException {
        Path run = dir.resolve("straight");
        TinyRun.Setup s = TinyRun.setup(run, null, 0.05);
        Trainer.Result r = s.trainer().fit();
        assertEquals(TinyRun.EPOCHS, r.epochsRun());
        double first = (Double) r.records().get(0).get("val_loss");
        double last = (Double) r.records().get(TinyRun.EPOCHS - 1).get("val_loss");
        assertTrue(last < first, "validation loss fell from " + first + " to " + last);
        assertTrue(Files.exists(run.resolve("metrics.csv")));
        assertEquals(TinyRun.EPOCHS + 1, Files.readAllLines(run.resolve("metrics.csv")).size());
        ModelFile.Contents m = ModelFile.read(run.resolve(Trainer.MODEL));
        assertEquals(Integer.toString(r.bestEpoch()), m.require("best_epoch"));
        assertEquals("regression", m.require("task"));
    }

    @Test
    void resumeReportsTheEpochsDone() throws IOException {
        Path run = dir.resolve("finished");
        Files.createDirectories(run);
        TinyRun.setup(run, null, 0.05).trainer().fit();
        List<int[]> reported = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onResume(int completed, int epochs) {
                reported.add(new int[] {completed, epochs});
            }
        };
        TinyRun.setup(run, listener, 0.05).trainer().resume();
        assertEquals(1, reported.size(), "onResume calls");
        assertEquals(TinyRun.EPOCHS, reported.get(0)[0], "completed epochs");
        assertEquals(TinyRun.EPOCHS, reported.get(0)[1], "planned epochs");
    }

    @Test
    void resumeAfterKillMatchesUninterruptedRun() throws Exception {
        Path straight = dir.resolve("straight");
        TinyRun.Setup reference = TinyRun.setup(straight, null, 0.05);
        reference.trainer().fit();

        // A child JVM trains the same run and is killed (SIGKILL) in the middle of epoch 3.
        Path resumed = dir.resolve("resumed");
        Files.createDirectories(resumed);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), TinyRun.class.getName(), resumed.toString(), "3")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        Path marker = resumed.resolve("marker");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(marker) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(marker), "child reached epoch 3; its log: " + Files.readString(dir.resolve("child.log")));
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "child was killed by SIGKILL");
        assertEquals(2, withoutSeconds(resumed.resolve("metrics.jsonl")).size(), "epochs logged before the kill");

        TinyRun.Setup again = TinyRun.setup(resumed, null, 0.05);
        Trainer.Result r = again.trainer().resume();
        assertEquals(TinyRun.EPOCHS, r.epochsRun());
        assertSameWeights(reference.model().stateDict(), again.model().stateDict());
        assertEquals(withoutSeconds(straight.resolve("metrics.jsonl")), withoutSeconds(resumed.resolve("metrics.jsonl")));
        assertSameWeights(ModelFile.read(straight.resolve(Trainer.MODEL)).stateDict(),
                ModelFile.read(resumed.resolve(Trainer.MODEL)).stateDict());
    }

    @Test
    void divergingLossNamesStepAndCheckpoint() throws IOException {
        Path run = dir.resolve("nan");
        int[] calls = {0};
        TinyRun.Setup s = TinyRun.setup(run, null, 0.05);
        Trainer.Options o = new Trainer.Options(3, 0, 0, "val_loss", false, 0, run, Map.of());
        UNet model = s.model();
        org.fcn4j.optim.SGD sgd = new org.fcn4j.optim.SGD(model.parameters(), 0.01);
        Trainer t = new Trainer(model, (out, target) -> {
            calls[0]++;
            Tensor l = out.sub(target).square().mean();
            return calls[0] > 8 + 4 + 2 ? l.mul(Float.NaN) : l;
        }, sgd, null, TinyRun.data(1, 8, true), TinyRun.data(2, 16, false), TinyRun.regression(), o, List.of(), null);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, t::fit);
        assertEquals(2, e.epoch());
        assertNotNull(e.lastCheckpoint());
        assertTrue(e.getMessage().contains("epoch 2 step 3") && e.getMessage().contains("end of epoch 1"),
                e.getMessage());
        assertTrue(Files.exists(run.resolve(Trainer.CHECKPOINT)), "the epoch-1 checkpoint is kept");
        assertFalse(Files.readString(run.resolve("metrics.jsonl")).contains("\"epoch\":2"));
    }
}
