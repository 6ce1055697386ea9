#!/usr/bin/env python3
"""PyTorch anchor of the GPU check (benchmarks/gpu/gpu_check.sh): the same measurements as `badfl gpu bench`,
on the same GPU, with PyTorch's own kernels (cuDNN convolutions, cuBLAS GEMMs).

Training: images/s of a full SGD step (forward, cross-entropy, backward, SGD momentum 0.9, weight decay 5e-4) on
device-resident random batches, after warm-up steps, timed from the first timed step to sync()
after the last; models as badfl's: the PyTorch MNIST example net ("cnn-paper", 1x28x28, batch 64) and kuangliu's
CIFAR ResNet-18 ("resnet18", 3x32x32, batch 128), 10 classes. "fp32" disables TF32 in both cuBLAS and cuDNN
(PyTorch's default enables it for cuDNN convolutions); "tf32" enables both. cudnn.benchmark is on (PyTorch's
fastest convolution choice).

Aggregation: on a 100 x 11,173,962 float32 matrix of Gaussian values: torch.median(dim=0), x.mean(dim=0), and the
device-to-device copy bandwidth (x.clone()), in GB/s = (bytes read + written) / time, median of 5 runs after one
warm-up.

Usage: torch_gpu_bench.py [--csv FILE] [--steps 20] [--warmup 5] [--n 100] [--d 11173962]
       torch_gpu_bench.py --device cpu --steps 1 --warmup 0 --n 5 --d 1000     (smoke test of the script, no GPU)
"""
import argparse
import statistics
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--d", type=int, default=11_173_962)
    ap.add_argument("--device", default="cuda", help="cuda (the benchmark) or cpu (a smoke test of this script)")
    args = ap.parse_args()

    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    cuda = args.device == "cuda"
    if cuda and not torch.cuda.is_available():
        print("torch.cuda.is_available() is False: no PyTorch anchor", file=sys.stderr)
        return 2
    dev = torch.device(args.device)

    def sync():
        if cuda:
            torch.cuda.synchronize()

    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, "
          f"{torch.cuda.get_device_name(0) if cuda else 'CPU (smoke test: timings mean nothing)'}")
    torch.backends.cudnn.benchmark = True
    rows = []

    class PaperCnn(nn.Module):  # pytorch/examples mnist/main.py Net
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            return self.fc2(x)

    class BasicBlock(nn.Module):  # kuangliu/pytorch-cifar models/resnet.py
        expansion = 1

        def __init__(self, in_planes, planes, stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.shortcut = nn.Sequential()
            if stride != 1 or in_planes != planes:
                self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return F.relu(out + self.shortcut(x))

    class ResNet18(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.in_planes = 64
            self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.layer1 = self._make(64, 2, 1)
            self.layer2 = self._make(128, 2, 2)
            self.layer3 = self._make(256, 2, 2)
            self.layer4 = self._make(512, 2, 2)
            self.linear = nn.Linear(512, num_classes)

        def _make(self, planes, blocks, stride):
            layers = []
            for s in [stride] + [1] * (blocks - 1):
                layers.append(BasicBlock(self.in_planes, planes, s))
                self.in_planes = planes
            return nn.Sequential(*layers)

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
            out = F.adaptive_avg_pool2d(out, 1)
            return self.linear(torch.flatten(out, 1))

    print(f"training: images/s, device-resident random batches, SGD momentum 0.9, weight decay 5e-4, "
          f"{args.warmup} warm-up + {args.steps} timed steps")
    print(f"  {'model':12s} {'batch':>6s} {'precision':9s} {'ms/step':>10s} {'images/s':>12s}")
    for name, make, shape, batch in (("cnn-paper", PaperCnn, (1, 28, 28), 64), ("resnet18", ResNet18, (3, 32, 32), 128)):
        for precision in ("fp32", "tf32"):
            tf32 = precision == "tf32"
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
            torch.manual_seed(0)
            model = make().to(dev).train()
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
            xs = [torch.randn(batch, *shape, device=dev) for _ in range(4)]
            ys = [torch.randint(0, 10, (batch,), device=dev) for _ in range(4)]

            def step(i):
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(xs[i % 4]), ys[i % 4])
                loss.backward()
                opt.step()
                return loss

            for i in range(args.warmup):
                step(i)
            sync()
            t0 = time.perf_counter()
            for i in range(args.steps):
                loss = step(i)
            sync()
            seconds = time.perf_counter() - t0
            ips = args.steps * batch / seconds
            ms = seconds * 1e3 / args.steps
            print(f"  {name:12s} {batch:6d} {precision:9s} {ms:10.2f} {ips:12.0f}  last loss {loss.item():.3f}")
            sys.stdout.flush()
            rows.append(("training", name, f"batch {batch} {precision}", ips, "images/s", ms, f"last loss {loss.item():.3f}"))
            del model, opt, xs, ys
            if cuda:
                torch.cuda.empty_cache()

    n, d = args.n, args.d
    print(f"aggregation: n={n} d={d} ({4 * n * d / 1e9:.2f} GB of rows), GB/s = bytes read + written / time, "
          f"median of {args.repeats} runs")
    try:
        x = torch.randn(n, d, device=dev)

        def timed(fn):
            fn()
            sync()
            ts = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                fn()
                sync()
                ts.append(time.perf_counter() - t0)
            return statistics.median(ts)

        copy_floats = min(n * d, 1 << 28)
        src = x.view(-1)[:copy_floats]
        dst = torch.empty_like(src)
        t = timed(lambda: dst.copy_(src))
        copy_gbs = 2 * 4 * copy_floats / t / 1e9
        del dst
        entries = [("device-to-device copy (tensor.copy_)", copy_gbs, t, "reference")]
        t = timed(lambda: torch.median(x, dim=0))
        gbs = (4 * n * d + 12 * d) / t / 1e9  # values (float) and indices (int64) written
        entries.append(("torch.median(dim=0)", gbs, t, f"{100 * gbs / copy_gbs:.0f}% of copy"))
        t = timed(lambda: x.mean(dim=0))
        gbs = (4 * n * d + 4 * d) / t / 1e9
        entries.append(("x.mean(dim=0)", gbs, t, f"{100 * gbs / copy_gbs:.0f}% of copy"))
        for label, gbs, t, note in entries:
            print(f"  {label:38s} {gbs:10.1f} GB/s {t * 1e3:10.3f} ms  {note}")
            rows.append(("aggregation", label, f"n={n} d={d}", gbs, "GB/s", t * 1e3, note))
        del x
    except RuntimeError as e:  # e.g. out of memory on a small GPU
        print(f"  aggregation FAILED: {e}")
        rows.append(("aggregation", "all", f"n={n} d={d}", float("nan"), "GB/s", float("nan"), f"FAILED: {e}"))

    if args.csv:
        with open(args.csv, "w") as f:
            f.write("section,name,detail,value,unit,ms,note\n")
            for r in rows:
                f.write(",".join([r[0], r[1], r[2], f"{r[3]:.4g}", r[4], f"{r[5]:.4g}", r[6].replace(",", ";")]) + "\n")
        print(f"results written to {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
