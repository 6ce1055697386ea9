#!/usr/bin/env python3
"""PyTorch CPU anchor for the badfl engine benchmarks (not run on CI; needs torch, e.g. python3-torch 1.13).

Measures, with torch.set_num_threads(t) for each requested t:
  * training throughput (images/s) of one SGD step = forward + cross-entropy + backward + SGD update
    (lr 0.01, momentum 0.9, weight decay 5e-4), model in train mode, on random data:
      - paper CNN (MNIST 1x28x28, batch 64):
        conv(1,32,3) ReLU conv(32,64,3) ReLU maxpool2 dropout.25 flatten fc(9216,128) ReLU dropout.5 fc(128,10)
      - ResNet18 for CIFAR-10 (3x32x32, batch 32), kuangliu/pytorch-cifar models/resnet.py
      - small CNN (badfl's cnn-small, MNIST 1x28x28, batch 64; --models small_cnn, not run by default):
        conv(1,8,5) ReLU maxpool2 conv(8,16,5) ReLU maxpool2 flatten fc(256,32) ReLU fc(32,10)
  * torch.matmul GFLOP/s (2 n^3 flops) on square float32 matrices, the anchor for benchmarks' GemmBench.

Each measurement runs warmup steps, then `repeats` timed blocks of `iters` steps; it reports the rate of
the best block (least disturbed by other load on the machine), of the median block, and the best block's
work per second of process CPU time (on a shared machine, the single-thread figure least affected by other
jobs; with t threads it is about the per-core rate).
Output: a tab-separated table on stdout, header first (kind, name, threads, size, best, median, per_cpu_s,
unit), and the parameter counts of both models, which must be 1,199,882 and 11,173,962.

Example: /usr/bin/python3 benchmarks/python/torch_train_cpu.py --threads 1 2
For benchmarks/run_training_comparison.sh: --models, --block-seconds (timed blocks of about that length, like
JMH iterations, instead of a fixed step count) and --json FILE (every block's wall and CPU seconds).
"""
import json
import argparse
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PAPER_CNN_PARAMS = 1_199_882
RESNET18_PARAMS = 11_173_962
SMALL_CNN_PARAMS = 11_978


def paper_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(),
        nn.Conv2d(32, 64, 3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
        nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10))


def small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(256, 32), nn.ReLU(),
        nn.Linear(32, 10))


class BasicBlock(nn.Module):
    """kuangliu/pytorch-cifar models/resnet.py BasicBlock."""
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet18(nn.Module):
    """kuangliu/pytorch-cifar models/resnet.py ResNet(BasicBlock, [2, 2, 2, 2])."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.in_planes = 64
        self.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = self._make_layer(64, 2, 1)
        self.layer2 = self._make_layer(128, 2, 2)
        self.layer3 = self._make_layer(256, 2, 2)
        self.layer4 = self._make_layer(512, 2, 2)
        self.linear = nn.Linear(512, num_classes)

    def _make_layer(self, planes, blocks, stride):
        layers = []
        for s in [stride] + [1] * (blocks - 1):
            layers.append(BasicBlock(self.in_planes, planes, s))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
        out = F.avg_pool2d(out, 4)
        return self.linear(out.view(out.size(0), -1))


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def timed_blocks(step, warmup, iters, repeats):
    """Runs step() warmup times, then `repeats` blocks of `iters` calls.

    Returns (wall seconds per block, process CPU seconds per block)."""
    for _ in range(warmup):
        step()
    walls, cpus = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(iters):
            step()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return walls, cpus


def rates(work, walls, cpus):
    """best and median work per wall second, and work per CPU second of the best block."""
    per_wall = [work / s for s in walls]
    best = max(range(len(walls)), key=lambda i: per_wall[i])
    return per_wall[best], statistics.median(per_wall), work / max(cpus[best], 1e-9)


def steps_for(step, seconds, warmup):
    """Runs `warmup` steps (at least one) and returns how many steps take about `seconds`."""
    start = time.perf_counter()
    for _ in range(max(1, warmup)):
        step()
    per_step = (time.perf_counter() - start) / max(1, warmup)
    return max(1, round(seconds / per_step))


def train_throughput(model, input_shape, batch, warmup, iters, repeats, seed=0, block_seconds=None, raw=None):
    torch.manual_seed(seed)
    x = torch.randn(batch, *input_shape)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    if block_seconds:
        iters = steps_for(step, block_seconds, warmup)
        warmup = 0
    walls, cpus = timed_blocks(step, warmup, iters, repeats)
    if raw is not None:
        raw.update(images_per_block=batch * iters, steps_per_block=iters, wall_s=walls, cpu_s=cpus)
    return rates(batch * iters, walls, cpus)


def matmul_gflops(n, warmup, repeats, seed=0):
    torch.manual_seed(seed)
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    iters = max(3, int(2e9 / (2 * n ** 3)))  # about 2 GFLOP per block
    walls, cpus = timed_blocks(lambda: torch.matmul(a, b), warmup, iters, repeats)
    return rates(2 * n ** 3 * iters / 1e9, walls, cpus)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps before timing")
    ap.add_argument("--repeats", type=int, default=5, help="timed blocks per measurement")
    ap.add_argument("--cnn-iters", type=int, default=5, help="steps per timed block, paper CNN")
    ap.add_argument("--resnet-iters", type=int, default=2, help="steps per timed block, ResNet18")
    ap.add_argument("--matmul-sizes", type=int, nargs="*", default=[256, 512, 1024])
    ap.add_argument("--skip-resnet", action="store_true")
    ap.add_argument("--models", nargs="+", choices=["paper_cnn", "resnet18", "small_cnn"],
                    default=["paper_cnn", "resnet18"], help="models to train (default: paper_cnn resnet18)")
    ap.add_argument("--block-seconds", type=float, default=None,
                    help="timed blocks of about this many seconds (overrides --cnn-iters/--resnet-iters)")
    ap.add_argument("--json", default=None, help="write every timed block (wall, CPU seconds) to this file")
    args = ap.parse_args()
    models = [m for m in args.models if not (args.skip_resnet and m == "resnet18")]
    raw_results = []

    cnn_params = count_params(paper_cnn())
    resnet_params = count_params(ResNet18())
    print(f"# torch {torch.__version__}, paper CNN params {cnn_params:,}, ResNet18 params {resnet_params:,}",
          file=sys.stderr)
    ok = cnn_params == PAPER_CNN_PARAMS and resnet_params == RESNET18_PARAMS
    if "small_cnn" in args.models:
        ok = ok and count_params(small_cnn()) == SMALL_CNN_PARAMS

    print("kind\tname\tthreads\tsize\tbest\tmedian\tper_cpu_s\tunit")
    print(f"params\tpaper_cnn\t-\t-\t{cnn_params}\t{cnn_params}\t-\tparameters")
    print(f"params\tresnet18\t-\t-\t{resnet_params}\t{resnet_params}\t-\tparameters")
    specs = {  # name: (constructor, input shape, batch, warmup steps, steps per block, digits)
        "paper_cnn": (paper_cnn, (1, 28, 28), 64, args.warmup, args.cnn_iters, 1),
        "resnet18": (ResNet18, (3, 32, 32), 32, max(1, args.warmup - 1), args.resnet_iters, 2),
        "small_cnn": (small_cnn, (1, 28, 28), 64, args.warmup, args.cnn_iters, 1),
    }
    for t in args.threads:
        torch.set_num_threads(t)
        for name in models:
            make, shape, batch, warmup, iters, digits = specs[name]
            torch.manual_seed(1)
            raw = {"model": name, "threads": t, "batch": batch}
            best, med, cpu = train_throughput(make(), shape, batch, warmup, iters, args.repeats,
                                              block_seconds=args.block_seconds, raw=raw)
            raw_results.append(raw)
            print(f"train\t{name}\t{t}\t{batch}\t{best:.{digits}f}\t{med:.{digits}f}\t{cpu:.{digits}f}\timages/s",
                  flush=True)
        for n in args.matmul_sizes:
            best, med, cpu = matmul_gflops(n, args.warmup, args.repeats)
            print(f"matmul\tsquare\t{t}\t{n}\t{best:.1f}\t{med:.1f}\t{cpu:.1f}\tGFLOP/s", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch": torch.__version__, "results": raw_results}, f, indent=1)
    if not ok:
        print(f"parameter counts differ from {PAPER_CNN_PARAMS:,} / {RESNET18_PARAMS:,}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
