"""Headless commands: ``neuroviz step``.  Never imports Qt."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

from neuroviz import __version__
from neuroviz.core.network import DEFAULT_LR, DivergenceError
from neuroviz.core.notation import delta_label, layer_letter, neuron_label
from neuroviz.core.presets import PRESETS, get_preset
from neuroviz.core.trace import StepTrace
from neuroviz.core.update_table import UpdateTable, fmt

COMMANDS = ("step",)


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2."""


def trace_to_json(trace: StepTrace) -> dict[str, Any]:
    """A StepTrace as plain lists in the paper's orientation (batch of one: sample 0)."""

    def lists(arrays: tuple[np.ndarray, ...]) -> list[Any]:
        return [a.tolist() for a in arrays]

    single = trace.batch_size == 1
    return {
        "loss": trace.loss,
        "probs": trace.probs[0].tolist() if single else trace.probs.tolist(),
        "targets": trace.targets[0].tolist() if single else trace.targets.tolist(),
        "raw": [r[0].tolist() if single else r.tolist() for r in trace.forward.raw[1:]],
        "activations": [a[0].tolist() if single else a.tolist() for a in trace.forward.act],
        "deltas": [d[0].tolist() if single else d.tolist() for d in trace.deltas],
        "grad_weights": lists(trace.grad_weights),
        "grad_biases": lists(trace.grad_biases),
        "weights_before": lists(trace.weights_before),
        "weights_after": lists(trace.weights_after),
        "biases_before": lists(trace.biases_before),
        "biases_after": lists(trace.biases_after),
        "lr": trace.lr,
    }


def trace_to_text(trace: StepTrace) -> str:
    """One update as readable tables in the paper's notation (sample 1 of the batch)."""
    out: list[str] = []
    fwd = trace.forward
    out.append("Forward")
    for l in range(1, len(fwd.act)):
        cells = [
            f"{neuron_label(l, i, raw=True)} = {fmt(float(fwd.raw[l][0, i]))} → {neuron_label(l, i)} = "
            f"{fmt(float(fwd.act[l][0, i]))}"
            for i in range(fwd.act[l].shape[1])
        ]
        out.append(f"  layer {layer_letter(l)}: " + ";  ".join(cells))
    probs = ", ".join(fmt(float(p)) for p in trace.probs[0])
    targets = ", ".join(fmt(float(r)) for r in trace.targets[0])
    out.append(f"  p = ({probs});  r = ({targets})")
    out.append(f"Loss L = {fmt(trace.loss)} (natural log)")
    out.append("Error terms")
    for l, d in enumerate(trace.deltas):
        cells = [f"{delta_label(l + 1, i)} = {fmt(float(d[0, i]))}" for i in range(d.shape[1])]
        out.append("  " + ";  ".join(cells))
    table = UpdateTable.from_trace(trace)
    out.append(f"Updates (η = {fmt(trace.lr)})")
    header = ("parameter", "old", "gradient", "new")
    rows = [
        (table.label(i), fmt(float(table.old[i])), table.gradient_formula(i), fmt(float(table.new[i])))
        for i in range(len(table))
    ]
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(4)]
    for r in [header, *rows]:
        out.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
    return "\n".join(out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="neuroviz", description="Headless neuroviz commands.")
    parser.add_argument("--version", action="version", version=f"neuroviz {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    step = sub.add_parser(
        "step",
        help="print one update in the paper's notation",
        description="Take one SGD update and print every number of it.",
    )
    step.add_argument("--preset", choices=sorted(PRESETS), default="paper-figure-4", help="the network to step")
    step.add_argument("--lr", type=float, default=None, help=f"learning rate η (default {DEFAULT_LR})")
    step.add_argument("--json", action="store_true", help="print JSON instead of tables")
    return parser


def run_step(args: argparse.Namespace) -> str:
    preset = get_preset(args.preset)
    lr = preset.lr if args.lr is None else args.lr
    try:
        trace = preset.network.step(preset.inputs, preset.label, lr)
    except (ValueError, DivergenceError) as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        return json.dumps(trace_to_json(trace), indent=2)
    return trace_to_text(trace)


def main(argv: list[str]) -> int:
    """Run a headless command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        text = run_step(args)
    except CliError as exc:
        print(f"neuroviz {args.command}: error: {exc}", file=sys.stderr)
        return 2
    print(text)
    return 0
