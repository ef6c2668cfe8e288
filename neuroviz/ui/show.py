"""``neuroviz.show``: open the window on a network from a script or a notebook."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from neuroviz.core.datasets import Dataset, dataset_for
from neuroviz.core.network import Network
from neuroviz.model import AppModel
from neuroviz.ui.application import make_application
from neuroviz.ui.composition import build_window
from neuroviz.ui.main_window import MainWindow

_OPEN: list[MainWindow] = []
"""Windows opened into a running event loop (IPython's ``%gui qt``), kept until they close."""


def show_window(network: Network | None = None, dataset: Dataset | None = None, title: str = "",
                block: bool | None = None) -> MainWindow:
    """Open the main window on a copy of ``network`` (default: the default example) and ``dataset``
    (default: one it fits, ``datasets.dataset_for``).

    ``block`` runs Qt's event loop until the window closes; by default it does
    when no ``QApplication`` was running (a script), and returns at once when
    one was (a notebook with ``%gui qt``).
    """
    running = QApplication.instance() is not None
    app = make_application([])
    model = AppModel()
    if network is not None:
        data = dataset if dataset is not None else dataset_for(network.sizes[0], network.sizes[-1])
        model.open(network.copy(), data, title=title or f"{'-'.join(map(str, network.sizes))} network")
    window = build_window(model)
    window.show()
    if block if block is not None else not running:
        app.exec()
    else:
        _OPEN.append(window)
        window.destroyed.connect(lambda *_: _OPEN.remove(window) if window in _OPEN else None)
    return window
