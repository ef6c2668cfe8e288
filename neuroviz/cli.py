"""Headless commands: ``neuroviz new``, ``train``, ``step``, ``info``, ``export``, ``import``, ``worksheet`` and
``lesson``.

None of them needs a display.  ``train``, ``step`` and ``info`` never import
Qt; ``export`` imports it only to draw the diagram and loss pictures
(``--png``/``--svg``; ``--decision-png`` draws with pillow) and
``worksheet`` to draw its PDFs, on Qt's offscreen platform.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import unicodedata
from typing import Any

import numpy as np

from neuroviz import __version__, cli_lesson, cli_plane, cli_train, cli_worksheet
from neuroviz.cli_train import CliError
from neuroviz.core.history_record import TimelineRecord
from neuroviz.core.history_store import EDIT
from neuroviz.core.network import DEFAULT_LR
from neuroviz.core.notation import delta_label, layer_letter, neuron_label
from neuroviz.core.numbers import count, fmt, percent, plural
from neuroviz.core.trace import StepTrace
from neuroviz.core.update_table import UpdateTable
from neuroviz.io import export as export_mod
from neuroviz.io import session
from neuroviz.io import snapshot as snapshot_mod
from neuroviz.io.snapshot import Snapshot, SnapshotError

COMMANDS = ("new", "train", "step", "info", "export", "import", "worksheet", "lesson")
DEFAULT_PICTURE_SIZE = (1200, 800)
DEFAULT_DECISION_SIZE = (600, 600)
MAX_PICTURE_SIDE = 16384


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
        help="print an update in the paper's notation",
        description=(
            "Take one update (or --steps N) and print every number of the last: of a preset network (default: "
            "the paper's Figure 4, each step on its input), or of a snapshot on its next mini-batches (or on its "
            "current input with --on-input).  The update is the snapshot's optimiser (the paper's SGD unless "
            "chosen) or --optimizer's, with its hyper-parameters and the L1/L2 penalties on the weights.  "
            "--json prints the last update's numbers with weights_before/biases_before as before the first step, "
            "weights_after/biases_after after the last, losses (one per step) and optimizer (name, "
            "hyper-parameters, state arrays per layer)."
        ),
    )
    step.add_argument("snapshot", nargs="?", metavar="SNAPSHOT", help="a snapshot file to step from")
    step.add_argument("--preset", choices=sorted(cli_train.STEP_PRESETS), default=None,
                      help="the preset network or example to step (default paper-figure-4; not with SNAPSHOT): "
                           "a preset steps on its own input, an example of the plane on its first mini-batch")
    step.add_argument("--lr", type=float, default=None,
                      help=f"learning rate η (default: the snapshot's or preset's; else {DEFAULT_LR})")
    step.add_argument("--on-input", action="store_true",
                      help="step on the snapshot's current input and target instead of the next mini-batch")
    step.add_argument("--save", metavar="OUT", help="write the snapshot after the updates to OUT")
    step.add_argument("--json", action="store_true", help="print JSON instead of tables")
    cli_train.add_step_arguments(step)
    cli_plane.add_plane_options(cli_train.add_new_command(sub))
    cli_plane.add_train_command(sub)
    info = sub.add_parser(
        "info",
        help="describe a snapshot: architecture, data, step, loss, timeline",
        description="Print what a snapshot holds: the architecture, the data set, the training position and loss, "
                    "and for a session file (.nvz) its timeline.  With --json the field \"timeline\" is "
                    "{\"updates\", \"edits\", \"first\", \"position\", \"last\", \"update\", "
                    "\"newest_update\", \"branches\", \"branch_updates\", \"checkpoints\", "
                    "\"checkpoint_every\"}: the updates and edits recorded, the timeline's first, current and "
                    "last moment, the update numbers now and at the newest moment, the branches kept and their "
                    "moments, and the checkpoints; it is null for a version 1 or 2 snapshot, which keeps no "
                    "timeline.",
    )
    info.add_argument("snapshot", metavar="SNAPSHOT", help="a snapshot or session file")
    info.add_argument("--json", action="store_true", help="print JSON instead of text")
    exp = sub.add_parser(
        "export",
        help="write pictures and tables of a snapshot",
        description=(
            "Write the network diagram (--png, --svg), the last update's table (--csv), the loss curves "
            "(--loss-png, --loss-svg, --loss-csv), the parameters (--npz), an ONNX model (--onnx) or a Jupyter "
            "notebook that recomputes the last update with plain NumPy (--notebook) of a snapshot.  No display "
            "is needed."
        ),
    )
    exp.add_argument("snapshot", metavar="SNAPSHOT", help="a snapshot file")
    exp.add_argument("--png", metavar="OUT.png", help="the network diagram as a PNG image")
    exp.add_argument("--svg", metavar="OUT.svg", help="the network diagram as an SVG drawing")
    exp.add_argument("--csv", metavar="OUT.csv", help="the last update's table: every parameter's old value, "
                     "gradient, η, change and new value")
    exp.add_argument("--loss-png", metavar="OUT.png", help="the loss curves as a PNG image")
    exp.add_argument("--loss-svg", metavar="OUT.svg", help="the loss curves as an SVG drawing")
    exp.add_argument("--loss-csv", metavar="OUT.csv", help="the loss of every update and the epoch metrics")
    exp.add_argument("--npz", metavar="OUT.npz", help="the parameters for NumPy (np.load)")
    exp.add_argument("--onnx", metavar="OUT.onnx", help="the network as an ONNX model (needs neuroviz[onnx])")
    exp.add_argument("--notebook", metavar="OUT.ipynb",
                     help="a Jupyter notebook that recomputes the last update (or, before any, the update on the "
                     "snapshot's input) with plain NumPy, one cell per phase, checked by PyTorch when installed")
    exp.add_argument("--decision-png", metavar="FILE", dest="decision_png",
                     help="a network on the plane: its decision map (p₂ − p₁, or the output for regression) over "
                          "[−6, 6]² behind the training points (filled) and test points (ringed), as a PNG")
    exp.add_argument("--size", default=None, metavar="WxH",
                     help=f"size of the PNG/SVG pictures in pixels (default {DEFAULT_PICTURE_SIZE[0]}x"
                          f"{DEFAULT_PICTURE_SIZE[1]}; {DEFAULT_DECISION_SIZE[0]}x{DEFAULT_DECISION_SIZE[1]} "
                          "for --decision-png)")
    exp.add_argument("--title", default="", metavar="TEXT", help="a title line above the PNG/SVG pictures")
    imp = sub.add_parser(
        "import",
        help="make a snapshot of your own model: an ONNX MLP or a neuroviz .npz of parameters",
        description=(
            "Read MODEL (an ONNX multi-layer perceptron: Gemm, or MatMul + Add, layers with Relu, LeakyRelu, "
            "Sigmoid, Tanh or no activation between, and an optional final Softmax; or the .npz that "
            "'neuroviz export --npz' writes) and save it as a snapshot that opens untrained on a data set it fits. "
            "Anything else is refused with a message naming the node."
        ),
    )
    imp.add_argument("model", metavar="MODEL", help="an .onnx model or a neuroviz .npz of parameters")
    imp.add_argument("--save", metavar="OUT", required=True, help="the snapshot file to write")
    cli_worksheet.add_worksheet_command(sub)
    cli_lesson.add_lesson_command(sub)
    return parser


def run_import(args: argparse.Namespace) -> str:
    from neuroviz.io.model_import import ModelImportError, import_model

    if not args.save.strip():
        raise CliError("--save needs a file name (got an empty one)")
    try:
        imported = import_model(args.model)
        snapshot_mod.save(args.save, imported.snapshot())
    except ModelImportError as exc:
        raise CliError(str(exc)) from None
    except (OSError, SnapshotError) as exc:
        raise CliError(f"cannot write {args.save}: {getattr(exc, 'strerror', None) or exc}") from None
    net = imported.network
    c = net.config
    return (f"wrote {args.save}: a {'-'.join(map(str, net.sizes))} network ({c.hidden_activation} hidden, "
            f"{c.output_activation} output, {c.loss.replace('_', ' ')}) of {count(net.n_params)} parameters")


def open_snapshot(path: str) -> Snapshot:
    """Load ``path`` (a snapshot or a session file) or raise ``CliError`` naming the file and the problem."""
    try:
        return session.load(path)
    except SnapshotError as exc:
        raise CliError(f"cannot open {path}: {exc}") from None


def run_step(args: argparse.Namespace) -> str:
    if args.save is not None and not args.save.strip():
        raise CliError("--save needs a file name (got an empty one)")
    if args.snapshot is None and args.on_input:
        raise CliError("--on-input needs a SNAPSHOT (a preset always steps on its own input)")
    trainer, traces, snap = cli_train.run_steps(args)
    if args.save:
        cli_train.save_after(args.save, trainer, traces[-1], snap, cli_train.preset_title(args.preset))
    if args.json:
        return json.dumps(cli_train.steps_to_json(trace_to_json(traces[-1]), trainer, traces), indent=2)
    return cli_train.steps_summary(trainer, traces) + trace_to_text(traces[-1])


# ------------------------------------------------------------------- info
def snapshot_info(snap: Snapshot) -> dict[str, Any]:
    """What ``neuroviz info`` reports, as plain values."""
    cfg = snap.network.config
    st = snap.trainer_state
    ds = snap.dataset
    losses = st["history_values"]
    epochs = st["epochs"]

    def clean(x: float) -> float | None:
        return None if math.isnan(x) else x

    last_epoch = None
    if epochs:
        last_epoch = {k: clean(v) if isinstance(v, float) else v for k, v in epochs[-1].items()}
    recent = losses[-100:]
    return {
        "title": snap.title,
        "architecture": "-".join(str(s) for s in cfg.sizes),
        "network": cfg.to_dict(),
        "parameters": snap.network.n_params,
        "dataset": {
            "name": ds.name,
            "samples": len(ds),
            "train": len(ds.train_indices),
            "test": len(ds.test_indices),
            "classes": list(ds.class_names),
            "image_shape": list(ds.image_shape),
            **({} if ds.plane is None else {"features": list(ds.plane.features), "task": ds.plane.task}),
        },
        "trainer": {k: st[k] for k in ("lr", "batch_size", "shuffle", "seed", "epoch", "step", "cursor")},
        "loss": losses[-1] if losses else None,
        "mean_loss_last_100": sum(v / len(recent) for v in recent) if recent else None,
        "last_epoch": last_epoch,
        "last_update": None if snap.last_trace is None else {
            "loss": snap.last_trace.loss, "samples": snap.last_trace.batch_size, "lr": snap.last_trace.lr,
        },
        "timeline": None if snap.timeline is None else timeline_info(snap.timeline, st["step"]),
    }


def timeline_info(record: TimelineRecord, step: int) -> dict[str, Any]:
    """What ``info`` reports of a session's timeline: its moments, where it stands, its branches."""
    main = record.main
    kinds = main.columns["kind"]
    steps = main.hist_steps
    return {
        "updates": int(np.count_nonzero(kinds != EDIT)),
        "edits": int(np.count_nonzero(kinds == EDIT)),
        "first": record.first,
        "position": record.position,
        "last": record.last,
        "update": step,
        "newest_update": int(steps[-1]) if len(steps) else step,
        "branches": len(record.branches),
        "branch_updates": sum(b.n_events for b in record.branches),
        "checkpoints": 1 + len(main.checkpoints),
        "checkpoint_every": record.checkpoint_every,
    }


ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Unicode categories escaped in ``info``'s text: controls, format characters (bidi overrides),
surrogates, private and unassigned code points, line and paragraph separators."""


def printable(text: str) -> str:
    """``text`` with every control or invisible formatting character written as an escape (``\\x1b``).

    A title or class name from a file then cannot move the cursor, colour the
    terminal, break a line or reorder the text around it.
    """
    out = []
    for ch in text:
        if unicodedata.category(ch) in ESCAPED_CATEGORIES:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else
                       f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def json_safe(value: Any, where: str, notes: list[str]) -> Any:
    """``value`` with every non-finite float replaced by ``None`` (noting where in ``notes``)."""
    if isinstance(value, float) and not math.isfinite(value):
        notes.append(f"{where} is {value!r}, written as null")
        return None
    if isinstance(value, dict):
        return {k: json_safe(v, f"{where}.{k}" if where else k, notes) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v, f"{where}[{i}]", notes) for i, v in enumerate(value)]
    return value


def info_to_json(info: dict[str, Any]) -> str:
    """``snapshot_info`` as strict JSON: non-finite numbers become ``null``, listed under ``notes``."""
    notes: list[str] = []
    safe = json_safe(info, "", notes)
    if notes:
        safe["notes"] = notes
    return json.dumps(safe, indent=2, ensure_ascii=False, allow_nan=False)


def info_to_text(path: str, info: dict[str, Any]) -> str:
    """``snapshot_info`` as aligned lines (text from the file escaped by ``printable``)."""
    cfg, ds, tr = info["network"], info["dataset"], info["trainer"]
    loss_name = "cross-entropy" if cfg["loss"] == "cross_entropy" else "squared-error"
    h, w = ds["image_shape"]
    classes = ", ".join(printable(c) for c in ds["classes"][:10]) + (" ..." if len(ds["classes"]) > 10 else "")
    rows = [
        ("File", printable(path)),
        ("Title", printable(info["title"]) or "(none)"),
        ("Network", f"{info['architecture']}: hidden {cfg['hidden_activation']}, output {cfg['output_activation']}, "
                    f"{loss_name} loss; {cfg['init']} initialisation, seed {cfg['seed']}; "
                    f"{count(info['parameters'])} parameters"),
        ("Data set", f"{printable(ds['name'])}: {plural(ds['samples'], 'sample')} ({count(ds['train'])} train, "
                     f"{count(ds['test'])} test), "
                     + (f"points of the plane, features {', '.join(ds['features'])}, {ds['task']}, "
                        if "features" in ds else f"{h}×{w} images, ")
                     + f"{plural(len(ds['classes']), 'class', 'classes')} ({classes})"),
        ("Training", f"step {count(tr['step'])}, epoch {count(tr['epoch'])} ({count(tr['cursor'])} of "
                     f"{count(ds['train'])} samples into the next), η = {fmt(tr['lr'])}, batch size "
                     f"{count(tr['batch_size'])}, "
                     f"{'shuffled' if tr['shuffle'] else 'in order'}, seed {tr['seed']}"),
        ("Loss", "no updates yet" if info["loss"] is None else
         f"{fmt(info['loss'])} (last update); {fmt(info['mean_loss_last_100'])} (mean of the last "
         f"{min(100, tr['step']) or 1})"),
    ]
    e = info["last_epoch"]
    if e is not None:

        def pct(x: float | None) -> str:
            return "n/a" if x is None else percent(x)

        def num(x: float | None) -> str:
            return "n/a" if x is None else fmt(x)

        rows.append(("Last epoch", f"epoch {count(e['epoch'])}: train loss {num(e['train_loss'])}, test loss "
                                   f"{num(e['test_loss'])}, train accuracy {pct(e['train_accuracy'])}, "
                                   f"test accuracy {pct(e['test_accuracy'])}"))
    u = info["last_update"]
    rows.append(("Last update", "none recorded" if u is None else
                 f"loss {fmt(u['loss'])} on {plural(u['samples'], 'sample')}, "
                 f"η = {fmt(u['lr'])}"))
    t = info["timeline"]
    if t is not None:
        branches = (f"{t['branches']:,} branch{'es' if t['branches'] != 1 else ''} kept "
                    f"({t['branch_updates']:,} moments)" if t["branches"] else "no branches")
        rows.append(("Timeline", f"moment {t['position'] - t['first']:,} of {t['last'] - t['first']:,} "
                                 f"(update {t['update']:,}; newest {t['newest_update']:,}): {t['updates']:,} "
                                 f"updates and {t['edits']:,} edits recorded, {branches}; {t['checkpoints']:,} "
                                 f"checkpoint{'s' if t['checkpoints'] != 1 else ''}, every "
                                 f"{t['checkpoint_every']} updates"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def run_info(args: argparse.Namespace) -> str:
    snap = open_snapshot(args.snapshot)
    info = snapshot_info(snap)
    if args.json:
        return info_to_json(info)
    return info_to_text(args.snapshot, info)


# ----------------------------------------------------------------- export
def parse_size(text: str) -> tuple[int, int]:
    """``"1200x800"`` → (1200, 800), or ``CliError``."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise CliError(f"--size must look like 1200x800; got {text!r}") from None
    if not (1 <= w <= MAX_PICTURE_SIDE and 1 <= h <= MAX_PICTURE_SIDE):
        raise CliError(f"--size must be from 1x1 to {MAX_PICTURE_SIDE}x{MAX_PICTURE_SIDE}; got {text!r}")
    return w, h


def run_export(args: argparse.Namespace) -> str:
    outputs = ("png", "svg", "csv", "loss_png", "loss_svg", "loss_csv", "npz", "onnx", "notebook", "decision_png")
    if not any(getattr(args, o) for o in outputs):
        raise CliError("nothing to export: give at least one of --png, --svg, --csv, --loss-png, --loss-svg, "
                       "--loss-csv, --npz, --onnx, --notebook, --decision-png")
    size = parse_size(args.size) if args.size else DEFAULT_PICTURE_SIZE
    snap = open_snapshot(args.snapshot)
    if args.decision_png and snap.dataset.plane is None:
        raise CliError("--decision-png needs a network on the plane (made with neuroviz new --dataset circle …)")
    written: list[str] = []
    if args.csv and snap.last_trace is None:
        raise CliError("the snapshot holds no update to write as --csv; take a step first (neuroviz step "
                       f"{args.snapshot} --save {args.snapshot})")
    try:
        if args.csv:
            assert snap.last_trace is not None
            export_mod.export_update_table_csv(args.csv, snap.last_trace)
            written.append(args.csv)
        if args.loss_csv:
            st = snap.trainer_state
            from neuroviz.core.trainer import EpochMetrics

            export_mod.export_loss_curves_csv(args.loss_csv, st["history_steps"], st["history_values"],
                                              [EpochMetrics(**m) for m in st["epochs"]])
            written.append(args.loss_csv)
        if args.npz:
            export_mod.export_parameters_npz(args.npz, snap.network)
            written.append(args.npz)
        if args.onnx:
            from neuroviz.io.onnx_export import OnnxUnavailableError, export_onnx

            try:
                export_onnx(args.onnx, snap.network)
            except OnnxUnavailableError as exc:
                raise CliError(str(exc)) from None
            written.append(args.onnx)
        if args.notebook:
            from neuroviz.io.notebook import export_notebook, update_to_show

            trace = update_to_show(snap.network, snap.last_trace, snap.input, snap.target, snap.trainer_state["lr"])
            export_notebook(args.notebook, snap.network, trace, snap.title)
            written.append(args.notebook)
        if args.decision_png:
            from neuroviz.io.plane_picture import export_decision_png

            export_decision_png(args.decision_png, snap.network, snap.dataset,
                                parse_size(args.size) if args.size else DEFAULT_DECISION_SIZE)
            written.append(args.decision_png)
        if args.png or args.svg or args.loss_png or args.loss_svg:
            written += _export_pictures(args, snap, size)
    except OSError as exc:
        raise CliError(f"cannot write {exc.filename or 'the file'}: {exc.strerror or exc}") from None
    return "\n".join(f"wrote {p}" for p in written)


def _export_pictures(args: argparse.Namespace, snap: Snapshot, size: tuple[int, int]) -> list[str]:
    """Draw the diagram and loss curves with Qt on its offscreen platform (imported only here)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from neuroviz.ui.picture_export import export_session_pictures

    return export_session_pictures(snap, size, diagram_png_path=args.png, diagram_svg_path=args.svg,
                                   loss_png_path=args.loss_png, loss_svg_path=args.loss_svg, title=args.title)


RUNNERS = {"new": cli_plane.run_new, "train": cli_plane.run_train, "step": run_step, "info": run_info,
           "export": run_export, "import": run_import, "worksheet": cli_worksheet.run_worksheet,
           "lesson": cli_lesson.run_lesson}


def main(argv: list[str]) -> int:
    """Run a headless command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        text = RUNNERS[args.command](args)
    except CliError as exc:
        print(f"neuroviz {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except cli_lesson.LessonChecksFailedError as exc:
        text, status = exc.report, 1
    else:
        status = 0
    if text:
        try:
            print(text)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into head: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status
