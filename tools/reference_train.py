"""PyTorch reference for a fcn4j segmentation run: the same network, initial weights, batches,
optimiser, learning-rate schedule and epochs, so that comparing the two test mIoUs measures the
engine, not the seed.

Inputs:
  RUN_DIR     a fcn4j run folder: config.yaml, initial.safetensors (weights before training),
              train_order.json (sample indices of each epoch, in batch order), model.safetensors
              (its metadata holds the input normalisation) and test_metrics.json
  EXPORT_DIR  the dataset exported by fcn4j, with train/, val/ and test/ subfolders:
                ./fcn4j data export fashion-scenes --split train --output EXPORT_DIR/train
                ./fcn4j data export fashion-scenes --split val --count 256 --output EXPORT_DIR/val
                ./fcn4j data export fashion-scenes --split test --output EXPORT_DIR/test
              (--count as the run's data.val_size). As fcn4j does, the weights of the epoch with
              the best validation mIoU are kept and evaluated on the test split.

Run: /usr/bin/python3 tools/reference_train.py RUN_DIR EXPORT_DIR [--threads 2] [--every-step]
  --every-step prints each batch's loss and the epoch's running mean, to compare with fcn4j's
  progress lines step by step.

The schedule (config.yaml's schedule section) is PyTorch's own class, stepped where fcn4j's
Trainer steps it: onecycle after every batch, over epochs x steps-per-epoch batches; step,
multistep, cosine (T_max = train.epochs) and plateau (on the validation mIoU) after each epoch's
validation. The learning rate after each epoch is printed and saved, to compare with the lr column
of fcn4j's metrics.csv.

Limits: U-Net models, the Adam, AdamW and SGD optimisers, no augmentation (data.crop, data.flip),
cross-entropy loss, the best epoch chosen on the validation mIoU; the script stops with a message
otherwise.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
from gen_model import UNet  # noqa: E402  (same module names as fcn4j's UNet)
from safetensors_check import read  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def tensors_of(path):
    tensors, meta = read(path)
    out = {}
    for name, (dtype, shape, values) in tensors.items():
        t = torch.tensor(values, dtype=torch.int64 if dtype == "I64" else torch.float32)
        out[name] = t.reshape(shape)
    return out, meta


def schedule_of(cfg, opt, total_steps):
    """PyTorch's scheduler for config.yaml's schedule section, and whether it steps per batch."""
    s = cfg["schedule"]
    kind = s["type"]
    sched = torch.optim.lr_scheduler
    if kind == "none":
        return None, False
    if kind == "step":
        return sched.StepLR(opt, s["step_size"], s["gamma"]), False
    if kind == "multistep":
        return sched.MultiStepLR(opt, s["milestones"], s["gamma"]), False
    if kind == "cosine":
        return sched.CosineAnnealingLR(opt, cfg["train"]["epochs"], s["eta_min"]), False
    if kind == "plateau":
        return sched.ReduceLROnPlateau(opt, mode="max", factor=s["factor"], patience=s["patience"]), False
    if kind == "onecycle":
        o = cfg["optimizer"]
        max_lr = s["max_lr"] if s["max_lr"] is not None else 5 * o["lr"]  # fcn4j's default
        # fcn4j cycles Adam's beta1, and SGD's momentum only when there is one.
        cycle = o["type"] != "sgd" or o["momentum"] > 0
        return sched.OneCycleLR(opt, max_lr=max_lr, total_steps=total_steps, pct_start=s["pct_start"],
                                cycle_momentum=cycle, base_momentum=0.85, max_momentum=0.95), True
    sys.exit("reference_train.py does not know schedule.type %s" % kind)


def main():
    run, export = sys.argv[1], sys.argv[2]
    if "--threads" in sys.argv:
        torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]))
    every_step = "--every-step" in sys.argv
    cfg = yaml.safe_load(open(os.path.join(run, "config.yaml")))
    if cfg["train"]["select_metric"] not in ("auto", "miou"):
        sys.exit("reference_train.py picks the best epoch on the validation mIoU; train.select_metric is %s"
                 % cfg["train"]["select_metric"])
    if cfg["data"]["crop"] is not None or cfg["data"]["flip"]:
        sys.exit("reference_train.py cannot repeat data augmentation (data.crop, data.flip)")
    if cfg["model"]["type"] != "unet":
        sys.exit("reference_train.py supports model.type unet only")

    initial, _ = tensors_of(os.path.join(run, "initial.safetensors"))
    _, meta = tensors_of(os.path.join(run, "model.safetensors"))
    model_cfg = json.loads(meta["model"])
    norm = json.loads(meta["normalization"])
    order = json.load(open(os.path.join(run, "train_order.json")))

    model = UNet(model_cfg["in_channels"], model_cfg["out_channels"], model_cfg["widths"], model_cfg["bottleneck"],
                 model_cfg["norm"], model_cfg["upsampling"])
    model.load_state_dict(initial)

    o = cfg["optimizer"]
    wd = o["weight_decay"]
    if o["type"] == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=o["lr"], momentum=o["momentum"], nesterov=o["nesterov"],
                              weight_decay=wd or 0.0)
    else:
        cls = torch.optim.AdamW if o["type"] == "adamw" else torch.optim.Adam
        kwargs = dict(lr=o["lr"], betas=tuple(o["betas"]), eps=o["eps"], amsgrad=o["amsgrad"])
        if wd is not None:
            kwargs["weight_decay"] = wd
        opt = cls(model.parameters(), **kwargs)
    steps_per_epoch = len(order["epochs"][0]) // order["batch_size"]
    schedule, per_batch = schedule_of(cfg, opt, len(order["epochs"]) * steps_per_epoch)

    def normalise(x):
        if not norm:
            return x
        mean = torch.tensor([float(v) for v in norm["mean"].split(",")]).reshape(1, -1, 1, 1)
        std = torch.tensor([float(v) for v in norm["std"].split(",")]).reshape(1, -1, 1, 1)
        if norm["mode"] == "standard":
            return (x - mean) / std
        lo = torch.tensor([float(v) for v in norm["min"].split(",")]).reshape(1, -1, 1, 1)
        hi = torch.tensor([float(v) for v in norm["max"].split(",")]).reshape(1, -1, 1, 1)
        return (x - lo) / (hi - lo)

    train_x = torch.from_numpy(np.load(os.path.join(export, "train", "inputs.npy")))
    train_y = torch.from_numpy(np.load(os.path.join(export, "train", "targets.npy")).astype(np.int64))
    test_x = torch.from_numpy(np.load(os.path.join(export, "test", "inputs.npy")))
    test_y = torch.from_numpy(np.load(os.path.join(export, "test", "targets.npy")).astype(np.int64))
    ignore = cfg["loss"]["ignore_index"]
    batch = order["batch_size"]

    val_x = torch.from_numpy(np.load(os.path.join(export, "val", "inputs.npy")))
    val_y = torch.from_numpy(np.load(os.path.join(export, "val", "targets.npy")).astype(np.int64))
    k = model_cfg["out_channels"]

    def miou_of(xs, ys):
        model.eval()
        cm = torch.zeros(k, k, dtype=torch.int64)
        with torch.no_grad():
            for b in range(0, len(xs), batch):
                pred = model(normalise(xs[b:b + batch])).argmax(1)
                y = ys[b:b + batch]
                keep = y != ignore
                cm += torch.bincount(y[keep] * k + pred[keep], minlength=k * k).reshape(k, k)
        inter = cm.diag().double()
        union = cm.sum(0).double() + cm.sum(1).double() - inter
        present = union > 0
        return (inter[present] / union[present]).mean().item()

    best, best_epoch, best_state = -1.0, 0, None
    curve, lrs, first_loss = [], [], None
    start = time.time()
    for e, indices in enumerate(order["epochs"]):
        model.train()
        running = 0.0
        for b in range(0, len(indices), batch):
            idx = torch.tensor(indices[b:b + batch])
            x = normalise(train_x[idx])
            y = train_y[idx]
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y, ignore_index=ignore,
                                   label_smoothing=cfg["loss"]["label_smoothing"])
            if first_loss is None:
                first_loss = loss.item()
                print("step 1 loss %.6f" % first_loss, file=sys.stderr)
            if every_step:
                # The running mean of the epoch, as fcn4j's progress line prints it.
                step = b // batch + 1
                running = (running * (step - 1) + loss.item()) / step
                print("epoch %d step %d loss %.6f running mean %.6f" % (e + 1, step, loss.item(), running),
                      file=sys.stderr)
            loss.backward()
            opt.step()
            if per_batch:
                schedule.step()
        val = miou_of(val_x, val_y)
        curve.append(val)
        # The rate before the epoch's schedule step, as fcn4j's metrics.csv records it.
        lrs.append(opt.param_groups[0]["lr"])
        if val > best:
            best, best_epoch = val, e + 1
            best_state = {n: t.clone() for n, t in model.state_dict().items()}
        if schedule is not None and not per_batch:
            if isinstance(schedule, torch.optim.lr_scheduler.ReduceLROnPlateau):
                schedule.step(val)
            else:
                schedule.step()
        print("epoch %d loss %.4f val mIoU %.4f lr %.6g (%.0f s)" % (e + 1, loss.item(), val, lrs[-1],
                                                                    time.time() - start), file=sys.stderr)

    model.load_state_dict(best_state)
    miou = miou_of(test_x, test_y)
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "first_step_loss": first_loss,
              "val_miou": curve, "lr": lrs, "best_epoch": best_epoch, "test_miou": miou, "seconds": time.time() - start}
    with open(os.path.join(run, "reference_result.json"), "w") as f:
        json.dump(result, f, indent=1)
    metrics = os.path.join(run, "test_metrics.json")
    if not os.path.exists(metrics):
        # The reference may run beside fcn4j's own training: it only needs the normalisation,
        # which the model file holds from the first epoch on.
        print("PyTorch %s: best epoch %d, test mIoU %.4f; fcn4j has not finished (no test_metrics.json)"
              % (torch.__version__, best_epoch, miou))
        return
    trained, meta = tensors_of(os.path.join(run, "model.safetensors"))
    fcn4j = json.load(open(metrics))
    # Evaluate fcn4j's trained weights here too. When the two evaluations (BatchNorm in evaluation
    # mode, argmax, confusion matrix) agree, this equals fcn4j's own test mIoU, and any gap comes
    # from training.
    model.load_state_dict(trained)
    crossed = miou_of(test_x, test_y)
    result["fcn4j_model_test_miou_in_pytorch"] = crossed
    with open(os.path.join(run, "reference_result.json"), "w") as f:
        json.dump(result, f, indent=1)
    print("PyTorch %s: best epoch %d, test mIoU %.4f; fcn4j: best epoch %s, test mIoU %.4f; difference %.4f"
          % (torch.__version__, best_epoch, miou, meta.get("best_epoch"), fcn4j["miou"], abs(miou - fcn4j["miou"])))
    print("fcn4j's model evaluated by PyTorch: test mIoU %.4f" % crossed)

if __name__ == "__main__":
    main()
