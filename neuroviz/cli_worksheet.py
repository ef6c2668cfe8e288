"""Headless ``neuroviz worksheet``: a sheet of one update to work out by hand, and its answer key.

``worksheet [SNAPSHOT | --preset NAME] --pdf OUT [--answers OUT] [--tex OUT]
[--variants N] [--seed S]`` writes the question sheets as PDF (drawn with
Qt on its offscreen platform, imported only here), the answer key as a
separate PDF, and the LaTeX source of both (the key's beside the sheets' as
``OUT-answers.tex`` when ``--answers`` is given).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from neuroviz.cli_train import CliError
from neuroviz.core.numbers import plural
from neuroviz.core.presets import PRESETS, get_preset
from neuroviz.core.worksheet import MAX_PARAMETERS, MAX_VARIANTS, Exercise, WorksheetError, exercises, worksheet
from neuroviz.io import snapshot as snapshot_mod
from neuroviz.io.snapshot import SnapshotError
from neuroviz.io.worksheet_tex import answers_path

DEFAULT_PRESET = "paper-figure-4"


def add_worksheet_command(sub: Any) -> None:
    """The ``neuroviz worksheet`` sub-command."""
    ws = sub.add_parser(
        "worksheet",
        help="write a worksheet of one update to do by hand (PDF), its answer key and LaTeX source",
        description=(
            "Write a worksheet of one update of a small network (at most "
            f"{MAX_PARAMETERS} weights and biases; default the paper's Figure 4): the network drawn with its "
            "input values, tables of its weights and biases, and boxes for the forward values, the softmax and "
            "the loss, every δ, and the gradients and new values of chosen parameters.  The sheet holds no "
            "answer; --answers writes the answer key with the worked arithmetic in the paper's notation.  "
            "Without --variants the sheet has the network's own numbers rounded to two decimals; --variants N "
            "makes N sheets of fresh numbers (one decimal weights, biases in steps of 0.05, inputs in quarters) "
            "drawn from --seed, one after the other in the PDF, each with its own answer pages.  No display is "
            "needed."
        ),
    )
    ws.add_argument("snapshot", nargs="?", metavar="SNAPSHOT",
                    help="a snapshot file: its network, its input and class, and its η")
    ws.add_argument("--preset", choices=sorted(PRESETS), default=None,
                    help=f"the preset network (default {DEFAULT_PRESET}; not with SNAPSHOT)")
    ws.add_argument("--pdf", metavar="OUT", required=True, help="the question sheets as PDF")
    ws.add_argument("--answers", metavar="OUT", help="the answer key as PDF")
    ws.add_argument("--tex", metavar="OUT", help="the sheets' LaTeX source (standalone; with --answers the key's "
                    "source too, beside it as OUT-answers.tex)")
    ws.add_argument("--variants", type=int, metavar="N",
                    help=f"N sheets of different numbers (1 to {MAX_VARIANTS})")
    ws.add_argument("--seed", type=int, default=0, metavar="S",
                    help="seed of the variants' numbers (default %(default)s)")


def _exercises(args: argparse.Namespace) -> list[Exercise]:
    if args.snapshot is not None and args.preset is not None:
        raise CliError("give a SNAPSHOT or --preset, not both")
    if args.snapshot is not None:
        try:
            snap = snapshot_mod.load(args.snapshot)
        except SnapshotError as exc:
            raise CliError(f"cannot open {args.snapshot}: {exc}") from None
        return exercises(snap.network, snap.input, snap.target, snap.dataset.class_names,
                         float(snap.trainer_state["lr"]), snap.title, args.variants, args.seed)
    preset = get_preset(args.preset or DEFAULT_PRESET)
    return exercises(preset.network, preset.inputs, preset.label, preset.class_names, preset.lr, preset.title,
                     args.variants, args.seed)


def run_worksheet(args: argparse.Namespace) -> str:
    outputs = [p for p in (args.pdf, args.answers, args.tex) if p is not None]
    if any(not p.strip() for p in outputs):
        raise CliError("--pdf, --answers and --tex need file names (got an empty one)")
    if args.tex is not None and args.answers is not None:
        outputs.append(answers_path(args.tex))
    if len({os.path.abspath(p) for p in outputs}) < len(outputs):
        raise CliError("--pdf, --answers and --tex (and, with --answers, its OUT-answers.tex) must name "
                       "different files")
    try:
        sheets = [worksheet(e) for e in _exercises(args)]
    except WorksheetError as exc:
        raise CliError(str(exc)) from None
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from neuroviz.ui.worksheet_pdf import write_worksheet

    _app = QApplication.instance() or QApplication([])
    try:
        written = write_worksheet(sheets, args.pdf, args.answers, args.tex)
    except OSError as exc:
        raise CliError(f"cannot write {exc.filename or 'the file'}: {exc.strerror or exc}") from None
    sizes = "-".join(map(str, sheets[0].exercise.network.sizes))
    summary = f"{plural(len(sheets), 'sheet')} of one update of a {sizes} network"
    return "\n".join([*(f"wrote {p}" for p in written), summary])
