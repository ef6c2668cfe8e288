"""What the views show: the diagram's edge and neuron modes and the picked element."""

from __future__ import annotations

from typing import Literal

from psygnal import Signal

from neuroviz.core.selection import Selection

EdgeMode = Literal["weights", "gradients", "updates"]
NodeMode = Literal["activations", "deltas"]
EDGE_MODES: tuple[EdgeMode, ...] = ("weights", "gradients", "updates")
NODE_MODES: tuple[NodeMode, ...] = ("activations", "deltas")


class ViewState:
    """``edge_mode`` (θ, ∂L/∂θ or Δθ on the edges), ``node_mode`` (a or δ in the neurons) and ``selection``."""

    changed = Signal()
    """``edge_mode`` or ``node_mode`` changed."""
    selection_changed = Signal(object)
    """The picked neuron, weight or bias (a ``Selection``) or ``None``."""

    def __init__(self) -> None:
        self.edge_mode: EdgeMode = "weights"
        self.node_mode: NodeMode = "activations"
        self.selection: Selection | None = None

    def set_modes(self, edge_mode: EdgeMode | None = None, node_mode: NodeMode | None = None) -> None:
        """Choose what the edges and the neurons show (``ValueError`` for an unknown mode)."""
        if edge_mode is not None and edge_mode not in EDGE_MODES:
            raise ValueError(f"unknown edge mode {edge_mode!r}; choose one of {', '.join(EDGE_MODES)}")
        if node_mode is not None and node_mode not in NODE_MODES:
            raise ValueError(f"unknown neuron mode {node_mode!r}; choose one of {', '.join(NODE_MODES)}")
        self.edge_mode = edge_mode or self.edge_mode
        self.node_mode = node_mode or self.node_mode
        self.changed.emit()

    def select(self, selection: Selection | None) -> None:
        """Pick a neuron, weight or bias (``None`` clears)."""
        if selection != self.selection:
            self.selection = selection
            self.selection_changed.emit(selection)
