"""A real federation on localhost with badfl as the aggregation backend.

Processes: ``badfl serve`` (started here unless --target names a running one), one Python FL server, and
--clients Python client processes, connected over localhost TCP (multiprocessing.connection, with an auth key).
The model is softmax regression in numpy on the project's embedded MNIST digits (java/sim resources). Some
clients attack: they send their update scaled (--attack scale) or sign-flipped and scaled (--attack sign-flip).

The run is made twice on the same seed: without attackers (every client honest) and with them. It asserts that
the defense flagged every attacker in every round, and that the final test accuracy with attackers is within
--margin of the accuracy without. Exit code 0 when both hold, 1 otherwise; a summary is printed as JSON.

    /usr/bin/python3 integrations/python/examples/federation.py              # starts ./badfl serve itself
    /usr/bin/python3 integrations/python/examples/federation.py --target 127.0.0.1:50051 --token-file tok
"""
import argparse
import gzip
import json
import os
import pathlib
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Client, Listener

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE.parent))
MNIST = REPO / "java" / "sim" / "src" / "main" / "resources" / "org" / "badfl" / "data" / "mnist-embedded"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist():
    x = read_idx(MNIST / "train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255.0
    y = read_idx(MNIST / "train-labels-idx1-ubyte.gz").astype(np.int64)
    xt = read_idx(MNIST / "t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255.0
    yt = read_idx(MNIST / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    return x, y, xt, yt


def initial_model(seed):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((10, 784)) * 0.01).astype(np.float32), np.zeros(10, dtype=np.float32)]


def accuracy(model, x, y):
    w, b = model
    return float(np.mean(np.argmax(x @ w.T + b, axis=1) == y))


def local_train(model, x, y, epochs, lr, batch, rng):
    """Mini-batch SGD on mean softmax cross-entropy; returns the trained copy."""
    w, b = model[0].copy(), model[1].copy()
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch):
            idx = order[start:start + batch]
            logits = x[idx] @ w.T + b
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(idx)), y[idx]] -= 1.0
            p /= len(idx)
            w -= lr * (p.T @ x[idx])
            b -= lr * p.sum(axis=0)
    return [w, b]


# ---------------------------------------------------------------------------------------------- client process

def run_client(args):
    x, y, _, _ = load_mnist()
    shard = np.random.default_rng(args.seed).permutation(len(y))[args.client_id::args.clients]
    x, y = x[shard], y[shard]
    attacker = args.client_id in set(args.attacker_ids)
    with Client(("127.0.0.1", args.port), authkey=bytes.fromhex(args.authkey)) as conn:
        conn.send(("hello", args.client_id, len(y)))
        while True:
            message = conn.recv()
            if message[0] == "stop":
                return 0
            _, round_, model = message
            rng = np.random.default_rng([args.seed, args.client_id, round_])
            trained = local_train(model, x, y, args.epochs, args.lr, 32, rng)
            if attacker:
                factor = args.scale if args.attack == "scale" else -args.scale
                trained = [g + factor * (t - g) for g, t in zip(model, trained)]
            conn.send((trained, len(y)))


# ----------------------------------------------------------------------------------------- FL server process

def run_server(args):
    from badfl_client import AggregationClient
    token = pathlib.Path(args.token_file).read_text().strip() if args.token_file else None
    _, _, xt, yt = load_mnist()
    model = initial_model(args.seed)
    # backlog: every client connects at once; the default backlog of 1 drops connections on a quiet machine
    listener = Listener(("127.0.0.1", 0), backlog=args.clients + 4, authkey=bytes.fromhex(args.authkey))
    pathlib.Path(args.port_file).write_text(str(listener.address[1]))
    connections = {}
    while len(connections) < args.clients:
        conn = listener.accept()
        _, cid, _ = conn.recv()
        connections[cid] = conn
    ids = sorted(connections)
    rounds = []
    with AggregationClient(args.target, token=token) as service:
        service.wait_ready(60)
        session = service.open_session(args.defense, model, seed=args.seed, total_rounds=args.rounds,
                                       names=["fc.weight", "fc.bias"])
        for r in range(1, args.rounds + 1):
            for cid in ids:
                connections[cid].send(("train", r, model))
            results = [connections[cid].recv() for cid in ids]
            model, verdicts = session.aggregate_fit(results, client_ids=ids)
            flagged = sorted(v.client_id for v in verdicts if v.flagged)
            rounds.append({"round": r, "flagged": flagged, "accuracy": accuracy(model, xt, yt)})
        session.close()
    for conn in connections.values():
        conn.send(("stop",))
        conn.close()
    listener.close()
    pathlib.Path(args.result_file).write_text(json.dumps({"rounds": rounds, "accuracy": accuracy(model, xt, yt)}))
    return 0


# --------------------------------------------------------------------------------------------- orchestrator

def federate(args, attacker_ids, workdir, label):
    """One federation: a server process and its client processes; returns the server's result."""
    authkey = secrets.token_hex(16)
    port_file = workdir / (label + ".port")
    result_file = workdir / (label + ".json")
    common = ["--seed", str(args.seed), "--clients", str(args.clients), "--authkey", authkey]
    server = subprocess.Popen([sys.executable, __file__, "--role", "server", "--target", args.target,
                               "--defense", args.defense, "--rounds", str(args.rounds), "--port-file", str(port_file),
                               "--result-file", str(result_file)] + common
                              + (["--token-file", args.token_file] if args.token_file else []))
    deadline = time.time() + 60
    while not port_file.exists() or not port_file.read_text():
        if server.poll() is not None or time.time() > deadline:
            raise RuntimeError("%s: the FL server did not start" % label)
        time.sleep(0.05)
    port = port_file.read_text()
    clients = [subprocess.Popen([sys.executable, __file__, "--role", "client", "--client-id", str(c), "--port", port,
                                 "--epochs", str(args.epochs), "--lr", str(args.lr), "--attack", args.attack,
                                 "--scale", str(args.scale), "--attacker-ids"] + [str(a) for a in attacker_ids]
                                + common)
               for c in range(args.clients)]
    codes = [p.wait(timeout=args.timeout) for p in clients] + [server.wait(timeout=args.timeout)]
    if any(codes):
        raise RuntimeError("%s: a process failed (exit codes %s)" % (label, codes))
    return json.loads(result_file.read_text())


def start_service(serve_command, workdir, token_file):
    serve = subprocess.Popen(shlex.split(serve_command) + ["serve", "--port", "0", "--state-dir",
                                                           str(workdir / "state"), "--threads", "2",
                                                           "--token-file", token_file],
                             stdout=subprocess.PIPE, text=True)
    address = None
    for line in serve.stdout:
        print(line.rstrip(), file=sys.stderr)
        if "listening on" in line:
            address = line.split("listening on ")[1].split(" ")[0]
        if "limits:" in line and address:  # the last line of the start-up banner
            return serve, address
    raise RuntimeError("badfl serve exited before listening (exit code %s)" % serve.wait())


def orchestrate(args):
    attacker_ids = list(range(args.clients - args.attackers, args.clients))
    with tempfile.TemporaryDirectory(prefix="badfl-federation-") as tmp:
        workdir = pathlib.Path(tmp)
        serve = None
        if args.target is None:
            args.token_file = str(workdir / "token")
            pathlib.Path(args.token_file).write_text(secrets.token_urlsafe(32))
            serve, args.target = start_service(args.serve_command, workdir, args.token_file)
        try:
            clean = federate(args, [], workdir, "clean")
            attacked = federate(args, attacker_ids, workdir, "attacked")
        finally:
            if serve is not None:
                serve.terminate()
                serve.wait(timeout=30)
    missed = [{"round": r["round"], "not_flagged": sorted(set(attacker_ids) - set(r["flagged"]))}
              for r in attacked["rounds"] if not set(attacker_ids) <= set(r["flagged"])]
    honest_flags = sum(len(set(r["flagged"]) - set(attacker_ids)) for r in attacked["rounds"])
    gap = clean["accuracy"] - attacked["accuracy"]
    summary = {"defense": args.defense, "attack": args.attack, "scale": args.scale, "clients": args.clients,
               "attackers": attacker_ids, "rounds": args.rounds, "accuracy_without_attackers": clean["accuracy"],
               "accuracy_with_attackers": attacked["accuracy"], "margin": args.margin,
               "attackers_missed": missed, "honest_flags_total": honest_flags,
               "flagged_per_round": [r["flagged"] for r in attacked["rounds"]]}
    print(json.dumps(summary, indent=2))
    ok = not missed and gap <= args.margin and clean["accuracy"] >= args.min_accuracy
    print("federation: %s (attackers flagged in every round: %s; accuracy %.4f with vs %.4f without attackers, "
          "margin %.3f)" % ("PASSED" if ok else "FAILED", not missed, attacked["accuracy"], clean["accuracy"],
                            args.margin))
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--role", choices=["orchestrator", "server", "client"], default="orchestrator")
    p.add_argument("--target", help="host:port of a running badfl serve (default: start one)")
    p.add_argument("--token-file", help="bearer token of the running service")
    p.add_argument("--serve-command", default=str(REPO / "badfl"),
                   help="command that runs the badfl command line (default: the repository's ./badfl launcher)")
    p.add_argument("--defense", default="multi-krum")
    p.add_argument("--clients", type=int, default=12)
    p.add_argument("--attackers", type=int, default=3)
    p.add_argument("--attack", choices=["scale", "sign-flip"], default="scale")
    p.add_argument("--scale", type=float, default=10.0)
    p.add_argument("--rounds", type=int, default=8)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--margin", type=float, default=0.02, help="largest accuracy loss allowed under attack")
    p.add_argument("--min-accuracy", type=float, default=0.8, help="the run without attackers must reach this")
    p.add_argument("--timeout", type=float, default=600)
    # internal: set by the orchestrator for its child processes
    p.add_argument("--client-id", type=int)
    p.add_argument("--port", type=int)
    p.add_argument("--port-file")
    p.add_argument("--result-file")
    p.add_argument("--authkey")
    p.add_argument("--attacker-ids", type=int, nargs="*", default=[])
    args = p.parse_args()
    if args.role == "client":
        return run_client(args)
    if args.role == "server":
        return run_server(args)
    return orchestrate(args)


if __name__ == "__main__":
    sys.exit(main())
