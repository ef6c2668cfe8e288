"""neuroviz: see a neural network's forward and backward propagation, number by number."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from neuroviz.core.datasets import Dataset
    from neuroviz.core.network import Network


def show(network: Network | None = None, dataset: Dataset | None = None, title: str = "",
         block: bool | None = None) -> Any:
    """Open the neuroviz window on ``network`` from a script or IPython (see ``neuroviz.ui.show``).

    In a script it runs until the window is closed; in IPython after
    ``%gui qt`` it returns the window at once.  Qt is imported only here.
    """
    ui = importlib.import_module("neuroviz.ui.show")  # the Qt layer, loaded (and type-checked) apart
    return ui.show_window(network, dataset, title, block)
