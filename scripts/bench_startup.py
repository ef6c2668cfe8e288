"""Benchmark start-up: from launching ``python -m neuroviz`` to the main window painted.

Each run starts a fresh interpreter that opens the window offscreen, paints it
once into a PNG (``--screenshot``) and exits; the time covers the imports, the
model (with its data set), the window and its first frame.  Target: < 2 s.

Run: .venv/bin/python scripts/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLES = ("circles-squares", "digits", "paper-figure-4")


def launch_seconds(example: str, out: Path) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(out.parent / "config"))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "neuroviz", "--example", example, "--screenshot", str(out)],
                   check=True, env=env, capture_output=True)
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="launches per example (default 5)")
    args = parser.parse_args()
    print(f"launch to first painted window (offscreen), {args.runs} runs each")
    print(f"{'example':<18}{'median s':>10}{'max s':>8}{'target':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for example in EXAMPLES:
            times = [launch_seconds(example, Path(tmp) / "shot.png") for _ in range(args.runs)]
            verdict = "ok" if statistics.median(times) < 2.0 else "NOT met"
            print(f"{example:<18}{statistics.median(times):>10.2f}{max(times):>8.2f}{'< 2 s':>9} {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
