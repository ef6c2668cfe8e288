"""Command-line parsing and application start-up.

``neuroviz [FILE] [--example NAME] [--screenshot OUT.png]`` opens the window;
``neuroviz step ...`` and the other headless commands never import Qt.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from neuroviz import __version__, cli
from neuroviz.blas import limit_blas_threads

EXAMPLES = ("circles-squares", "digits", "paper-figure-4", "plane-circle", "plane-spiral", "plane-multi-gauss")
SCREENSHOT_FORMATS = (".png", ".jpg", ".jpeg", ".bmp")
"""File types ``--screenshot`` writes (Qt writes these on every platform)."""


def gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neuroviz",
        description="See a neural network's forward and backward propagation, number by number.",
        epilog=(
            "headless commands (no display needed):\n"
            "  neuroviz step [SNAPSHOT | --preset NAME] [--lr ETA] [--json]   print one update\n"
            "  neuroviz info SNAPSHOT [--json]                               architecture, step, loss\n"
            "  neuroviz new --dataset spiral [--features x1,x2,...] --save F a network on the plane\n"
            "  neuroviz train SNAPSHOT --epochs N [--json]                  train, print loss and accuracy\n"
            "  neuroviz export SNAPSHOT [--png F] [--svg F] [--csv F] ...    pictures and tables\n"
            "  neuroviz lesson --check [FILE ...]                            play the lessons' solutions\n"
            "run 'neuroviz COMMAND --help' for a command's options."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"neuroviz {__version__}")
    parser.add_argument("file", nargs="?", help="a snapshot to open")
    parser.add_argument("--example", choices=EXAMPLES, help="start with this example network")
    parser.add_argument(
        "--screenshot", metavar="OUT.png", help="render the main window offscreen to a PNG and exit (no display needed)"
    )
    parser.add_argument("--size", default="1400x900", metavar="WxH", help="window size for --screenshot")
    return parser


def check_screenshot(path: str | None) -> None:
    """Raise ``cli.CliError`` unless ``path`` (when given) names a picture file in an existing folder."""
    if path is None:
        return
    target = Path(path)
    if target.suffix.lower() not in SCREENSHOT_FORMATS:
        raise cli.CliError(f"--screenshot needs a file name ending in {', '.join(SCREENSHOT_FORMATS)}; got {path!r}")
    folder = target.parent
    if not folder.is_dir():
        raise cli.CliError(f"--screenshot: the folder {str(folder)!r} does not exist")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``neuroviz`` command; returns the exit code."""
    args_list = sys.argv[1:] if argv is None else list(argv)
    if args_list and args_list[0] in cli.COMMANDS:
        return cli.main(args_list)
    args = gui_parser().parse_args(args_list)
    try:
        size = cli.parse_size(args.size)
        check_screenshot(args.screenshot)
    except cli.CliError as exc:
        print(f"neuroviz: error: {exc}", file=sys.stderr)
        return 2
    if args.screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    limit_blas_threads(1)
    from neuroviz.ui.application import run_gui

    return run_gui(args, size)
