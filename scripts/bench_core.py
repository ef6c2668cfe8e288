"""Updates per second of the core: fast path (SGD, momentum, Adam), traced path and (if installed) PyTorch eager.

Usage: .venv/bin/python scripts/bench_core.py [--seconds S] [--repeats R] [--torch-threads N]

Every timing trains the same network (same initial parameters, float64, plain
SGD, cross-entropy on softmax, ReLU hidden layers) on the same pre-made
random mini-batches, cycling through them; the momentum and Adam columns are
the fast path with those optimisers (``Network.train_batch_with``).  BLAS runs one thread, as in the
app.  The methods take turns (fast, traced, PyTorch, fast, ...) so that
anything slowing the processor slows them alike; each cell is the best of R turns of about S
seconds.  Prints a Markdown table; the last column is the fast path's speed
divided by PyTorch's.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neuroviz.blas import limit_blas_threads
from neuroviz.core.network import Network
from neuroviz.core.optimisers import Optimizer, OptimizerConfig

CASES = [((64, 16, 16, 2), 1), ((64, 16, 16, 2), 32), ((64, 128, 128, 10), 1), ((64, 128, 128, 10), 32)]
LR = 0.01
N_BATCHES = 64


def batches(sizes: tuple[int, ...], batch: int) -> tuple[np.ndarray, np.ndarray]:
    """``N_BATCHES`` inputs (N, B, n_0) in [0, 1] and labels (N, B)."""
    rng = np.random.default_rng(0)
    return rng.random((N_BATCHES, batch, sizes[0])), rng.integers(0, sizes[-1], (N_BATCHES, batch))


def calibrate(run: Callable[[int], None], seconds: float) -> int:
    """How many updates take about ``seconds``."""
    run(20)  # warm up
    n = 20
    while True:
        t0 = time.perf_counter()
        run(n)
        dt = time.perf_counter() - t0
        if dt >= seconds / 4:
            return max(1, int(n * seconds / dt))
        n *= 4


def rates(runs: list[Callable[[int], None]], seconds: float, repeats: int) -> list[float]:
    """Best updates per second of each run, the runs taking turns ``repeats`` times."""
    sizes = [calibrate(run, seconds) for run in runs]
    best = [0.0] * len(runs)
    for _ in range(repeats):
        for i, (run, n) in enumerate(zip(runs, sizes)):
            t0 = time.perf_counter()
            run(n)
            best[i] = max(best[i], n / (time.perf_counter() - t0))
    return best


def optimiser_runner(sizes: tuple[int, ...], batch: int, name: str) -> Callable[[int], None]:
    """The fast path with optimiser ``name`` (its state carried from update to update)."""
    X, y = batches(sizes, batch)
    net = Network.create(sizes, seed=0)
    opt = Optimizer(OptimizerConfig.make(name)).fitted(net.n_params)

    def run(n: int) -> None:
        nonlocal opt
        for i in range(n):
            k = i % N_BATCHES
            opt = opt.with_state(net.train_batch_with(X[k], y[k], LR, opt)[2])

    return run


def numpy_runners(sizes: tuple[int, ...], batch: int) -> list[Callable[[int], None]]:
    """Fast SGD, fast momentum, fast Adam and traced SGD."""
    X, y = batches(sizes, batch)
    fast_net = Network.create(sizes, seed=0)
    traced_net = fast_net.copy()

    def fast(n: int) -> None:
        for i in range(n):
            k = i % N_BATCHES
            fast_net.train_batch(X[k], y[k], LR)

    def traced(n: int) -> None:
        for i in range(n):
            k = i % N_BATCHES
            traced_net.step(X[k], y[k], LR)

    return [fast, optimiser_runner(sizes, batch, "momentum"), optimiser_runner(sizes, batch, "adam"), traced]


def torch_runner(torch, sizes: tuple[int, ...], batch: int, check_steps: int = 50) -> tuple[Callable, float]:
    """A PyTorch eager loop on the same network and data; also the largest parameter
    difference from neuroviz after ``check_steps`` identical updates."""
    net = Network.create(sizes, seed=0)
    layers = []
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        lin = torch.nn.Linear(sizes[l], sizes[l + 1], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w.copy()))
            lin.bias.copy_(torch.from_numpy(b.copy()))
        layers += [lin, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    lossf = torch.nn.CrossEntropyLoss()
    X, y = batches(sizes, batch)
    tx = [torch.from_numpy(X[k]) for k in range(N_BATCHES)]
    ty = [torch.from_numpy(y[k]) for k in range(N_BATCHES)]

    def run(n: int) -> None:
        for i in range(n):
            k = i % N_BATCHES
            opt.zero_grad(set_to_none=True)
            loss = lossf(model(tx[k]), ty[k])
            loss.backward()
            opt.step()
            loss.item()

    run(check_steps)
    for i in range(check_steps):
        net.train_batch(X[i % N_BATCHES], y[i % N_BATCHES], LR)
    theirs = [p.detach().numpy() for p in model.parameters()]
    ours = [a for pair in zip(net.weights, net.biases) for a in pair]
    diff = max(float(np.abs(a - b).max()) for a, b in zip(ours, theirs))
    return run, diff


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=0.4, help="length of one timed run (default 0.4)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per cell; the best counts (default 5)")
    parser.add_argument("--torch-threads", type=int, default=1, help="PyTorch intra-op threads (default 1)")
    args = parser.parse_args(argv)
    limit_blas_threads(1)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(args.torch_threads)
        print(f"PyTorch {torch.__version__} (eager, CPU, float64, {args.torch_threads} thread(s)); "
              f"NumPy {np.__version__}, BLAS 1 thread")
    else:
        print(f"NumPy {np.__version__}, BLAS 1 thread; PyTorch is not installed (no comparison)")
    header = ("| network | batch | fast path SGD (updates/s) | fast momentum (updates/s) | fast Adam (updates/s) "
              "| traced path SGD (updates/s) |")
    rule = "|---|---:|---:|---:|---:|---:|"
    if torch is not None:
        header += " PyTorch eager (updates/s) | fast / PyTorch |"
        rule += "---:|---:|"
    print()
    print(header)
    print(rule)
    diffs = []
    for sizes, batch in CASES:
        runs = numpy_runners(sizes, batch)
        if torch is not None:
            run, diff = torch_runner(torch, sizes, batch)
            diffs.append(diff)
            runs.append(run)
        measured = rates(runs, args.seconds, args.repeats)
        fast_rate, momentum_rate, adam_rate, traced_rate = measured[:4]
        row = (f"| {'-'.join(map(str, sizes))} | {batch} | {fast_rate:,.0f} | {momentum_rate:,.0f} | {adam_rate:,.0f} "
               f"| {traced_rate:,.0f} |")
        if torch is not None:
            torch_rate = measured[4]
            row += f" {torch_rate:,.0f} | {fast_rate / torch_rate:.1f}× |"
        print(row, flush=True)
    if diffs:
        print(f"\nAfter 50 identical updates neuroviz and PyTorch parameters differ by at most {max(diffs):.1e}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
