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
import os
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

    # One definition of the models for both anchors: torch_train_cpu.py lies next to this script in the GPU
    # bundle (package.sh copies it) and in ../python in the repository.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:0] = [here, os.path.join(here, "..", "python")]
    from torch_train_cpu import ResNet18, paper_cnn

    print(f"training: images/s, device-resident random batches, SGD momentum 0.9, weight decay 5e-4, "
          f"{args.warmup} warm-up + {args.steps} timed steps")
    print(f"  {'model':12s} {'batch':>6s} {'precision':9s} {'ms/step':>10s} {'images/s':>12s}")
    for name, make, shape, batch in (("cnn-paper", paper_cnn, (1, 28, 28), 64), ("resnet18", ResNet18, (3, 32, 32), 128)):
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
