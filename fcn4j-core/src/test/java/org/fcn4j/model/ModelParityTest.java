package org.fcn4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fcn4j.nn.Module;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.fcn4j.testing.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * UNet and FCN against the same networks written in PyTorch (tools/fixtures/gen_model.py): the
 * state_dict names match one to one, and a training-mode forward and backward agree.
 */
class ModelParityTest {

    @Test
    void modelsMatchPyTorch() {
        List<Fixtures.Case> cases = Fixtures.load("model.txt");
        for (Fixtures.Case c : cases) {
            List<Integer> widths = new ArrayList<>();
            for (int v : c.attrInts("widths")) {
                widths.add(v);
            }
            ModelConfig config = new ModelConfig(c.attr("type"), c.attrInt("in_channels"), c.attrInt("out_channels"),
                    widths, c.attrInt("bottleneck"), c.attr("norm"), c.attr("upsampling"), 0);
            Module model = Models.create(config, new Generator(0));

            Map<String, Tensor> state = new LinkedHashMap<>();
            for (String name : model.stateDict().keySet()) {
                String key = "state." + name;
                state.put(name, c.has(key) && !name.endsWith("num_batches_tracked") ? c.tensor(key)
                        : Tensor.scalar(c.longs(key)[0]));
            }
            model.loadStateDict(state, true);
            assertEquals(List.of(c.attr("state_names").split(",")), model.stateDict().keySet().stream().toList(),
                    c.name() + ": state_dict names and order");

            model.train();
            Tensor x = c.tensor("input").requiresGrad(true);
            Tensor y = model.forward(x);
            String ctx = c.name() + " " + config.toJson();
            Approx.assertClose(ctx + " forward", c.tensor("output"), y, 1e-4, 1e-3);
            y.mul(c.tensor("r")).sum().backward();
            Map<String, Tensor> params = model.namedParameters();
            for (String p : c.attr("grads").split(",")) {
                Approx.assertClose(ctx + " gradient of " + p, c.tensor("grad." + p), params.get(p).grad(), 1e-4, 1e-3);
            }
            Approx.assertClose(ctx + " input gradient", c.tensor("grad.input"), x.grad(), 1e-4, 1e-3);
        }
        assertEquals(6, cases.size(), "cases in model.txt");
    }
}
