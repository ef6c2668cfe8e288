"""Every number on the screen and in the CLI reads the same way: grouped digits, raised powers of ten.

A network of over 10,000 parameters stepped once, and one trained for over
10,000 updates (and epochs): the inspector's texts, equations and tables,
the status bar, the timeline, the loss plot's readout and axis, and the CLI's
``info`` and ``step`` are scanned for ASCII exponents (``e-05``,
``×10^−9``) and for integers of five or more digits without grouping.
"""

from __future__ import annotations

import html
import re

from PySide6.QtWidgets import QAbstractButton, QLabel

from neuroviz import cli
from neuroviz.core.network_config import NetworkConfig
from neuroviz.io import snapshot
from neuroviz.ui.inspector import InspectorPanel
from neuroviz.ui.loss_plot import LossPlot
from neuroviz.ui.timeline import Timeline

UNGROUPED = re.compile(r"(?<![\d,.#])\d{5,}(?![\d,])")
"""An integer of 10,000 or more written without digit groups (not a decimal's fraction digits)."""
BAD = ("^−", "^-", "e-0", "e+0", "×10^")


def plain(text: str) -> str:
    """``text`` without HTML tags and entities."""
    return html.unescape(re.sub(r"<[^>]*>", " ", text))


def problems(texts: list[str]) -> list[str]:
    out = []
    for t in map(plain, texts):
        if any(b in t for b in BAD) or UNGROUPED.search(t):
            out.append(t)
    return out


def window_texts(window) -> list[str]:
    texts = [w.text() for w in window.findChildren(QLabel)] + [w.toolTip() for w in window.findChildren(QLabel)]
    texts += [b.text() for b in window.findChildren(QAbstractButton)]
    texts += [b.toolTip() for b in window.findChildren(QAbstractButton)]
    inspector = window.findChild(InspectorPanel)
    texts += [eq.text() for _, eqs in inspector.equations.sections for eq in eqs]
    texts += [n for _, eqs in inspector.equations.sections for eq in eqs for n in eq.notes]
    for table in (inspector.table_model, inspector.neuron_model):
        texts += [str(table.data(table.index(r, c)))
                  for r in range(min(40, table.rowCount())) for c in range(table.columnCount())]
    plot = window.findChild(LossPlot)
    axis = plot.loss_plot.getAxis("bottom")
    low, high = plot.loss_plot.viewRange()[0]
    texts += axis.tickStrings([low, (low + high) / 2, high], 1, (high - low) / 2)
    texts.append(window.findChild(Timeline).readout.text())
    return texts


def cli_texts(model, tmp_path, capsys) -> list[str]:
    path = tmp_path / "state.nvz.json"
    snapshot.save(path, model.snapshot_state())
    out = []
    for args in (["info", str(path)], ["step", str(path)]):
        assert cli.main(args) == 0
        out += [line for line in capsys.readouterr().out.splitlines() if not line.startswith("File")]
    return out


def test_a_large_network_and_a_long_run_read_the_same_everywhere(qtbot, main_window, model, tmp_path, capsys):
    model.new_network(NetworkConfig(sizes=(64, 160, 10)), "digits")
    model.step()
    inspector = main_window.findChild(InspectorPanel)
    qtbot.waitUntil(lambda: inspector.trace is model.last_trace and not inspector._refresh_timer.isActive())
    texts = window_texts(main_window)
    assert any("12,010" in t for t in texts)  # the parameter count, in the inspector
    texts += cli_texts(model, tmp_path, capsys)

    model.load_example("paper-figure-4")  # one sample: every update ends an epoch
    model.set_batch_size(1)
    assert model.train_for(60, 10_499) == 10_499
    model.step()
    qtbot.waitUntil(lambda: inspector.trace is model.last_trace and not inspector._refresh_timer.isActive())
    main_window.refresh_status()
    long_run = window_texts(main_window)
    assert any("10,500" in t for t in long_run)  # the update number
    assert any("epoch 10,500" in t for t in long_run)  # the status bar's epoch count
    texts += long_run + cli_texts(model, tmp_path, capsys)
    assert any("step 10,500" in t for t in texts)
    assert problems(texts) == []
