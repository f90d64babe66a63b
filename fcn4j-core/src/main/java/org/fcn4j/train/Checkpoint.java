package org.fcn4j.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fcn4j.io.Json;
import org.fcn4j.io.SafeTensors;
import org.fcn4j.nn.Module;
import org.fcn4j.optim.LrScheduler;
import org.fcn4j.optim.Optimizer;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

/**
 * The state of a run at the end of an epoch, in one safetensors file written atomically: model
 * parameters and buffers ({@code model.*}), optimiser buffers ({@code optimizer.*}), and in the
 * metadata the epoch, optimiser and schedule scalars, generator states and the best-model
 * bookkeeping. Restoring it and running the remaining epochs gives bitwise the weights of an
 * uninterrupted run (same thread count).
 */
final class Checkpoint {
    static final String FORMAT = "fcn4j-checkpoint/1";
    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";

    /** Bookkeeping restored along with the tensors. */
    record Progress(int epoch, long globalStep, double bestValue, int bestEpoch, int epochsWithoutImprovement) {
    }

    private Checkpoint() {
    }

    static void write(Path file, Module model, Optimizer optimizer, LrScheduler schedule, List<Generator> generators,
            Progress progress) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> tensors.put(MODEL + k, v));
        optimizer.stateTensors().forEach((k, v) -> tensors.put(OPTIMIZER + k, v));

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("epoch", Integer.toString(progress.epoch()));
        meta.put("global_step", Long.toString(progress.globalStep()));
        meta.put("best_value", Double.toString(progress.bestValue()));
        meta.put("best_epoch", Integer.toString(progress.bestEpoch()));
        meta.put("epochs_without_improvement", Integer.toString(progress.epochsWithoutImprovement()));
        meta.put("optimizer", Json.write(optimizer.stateValues()));
        meta.put("optimizer_config", optimizer.toString());
        meta.put("schedule", Json.write(schedule == null ? Map.of() : schedule.stateValues()));
        List<Object> states = new ArrayList<>();
        for (Generator g : generators) {
            states.add(Long.toString(g.state()));
        }
        meta.put("generators", Json.write(states));
        SafeTensors.write(file, tensors, meta, name -> name.startsWith(MODEL) && SafeTensors.PYTORCH_INT64.test(name));
    }

    static Progress read(Path file, Module model, Optimizer optimizer, LrScheduler schedule, List<Generator> generators)
            throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(file + ": not an fcn4j checkpoint (metadata 'format' is " + meta.get("format")
                    + ", expected " + FORMAT + ")");
        }
        Map<String, Tensor> modelState = new LinkedHashMap<>();
        Map<String, Tensor> optimizerState = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            if (e.getKey().startsWith(MODEL)) {
                modelState.put(e.getKey().substring(MODEL.length()), e.getValue());
            } else if (e.getKey().startsWith(OPTIMIZER)) {
                optimizerState.put(e.getKey().substring(OPTIMIZER.length()), e.getValue());
            }
        }
        try {
            model.loadStateDict(modelState, true);
            optimizer.loadState(optimizerState, strings(Json.parseObject(meta.get("optimizer"))));
            if (schedule != null) {
                schedule.loadState(strings(Json.parseObject(meta.get("schedule"))));
            }
            List<?> states = (List<?>) Json.parse(meta.get("generators"));
            if (states.size() != generators.size()) {
                throw new IllegalArgumentException("it contains " + states.size() + " generator states, the run has "
                        + generators.size());
            }
            for (int i = 0; i < states.size(); i++) {
                generators.get(i).setState(Long.parseLong((String) states.get(i)));
            }
            return new Progress(Integer.parseInt(meta.get("epoch")), Long.parseLong(meta.get("global_step")),
                    Double.parseDouble(meta.get("best_value")), Integer.parseInt(meta.get("best_epoch")),
                    Integer.parseInt(meta.get("epochs_without_improvement")));
        } catch (IllegalArgumentException | NullPointerException | ClassCastException e) {
            throw new IOException(file + ": checkpoint does not match this run (" + e.getMessage() + "); resume with the "
                    + "configuration the run was started with", e);
        }
    }

    private static Map<String, String> strings(Map<String, Object> json) {
        Map<String, String> out = new LinkedHashMap<>();
        json.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }
}
