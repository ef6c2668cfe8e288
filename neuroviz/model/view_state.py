"""What the views show: the diagram's edge and neuron modes, its receptive fields and the picked element."""

from __future__ import annotations

from typing import Literal

from psygnal import Signal

from neuroviz.core.selection import Selection

EdgeMode = Literal["weights", "gradients", "updates"]
NodeMode = Literal["activations", "deltas"]
InputMode = Literal["values", "deltas"]
"""What the diagram's input layer shows: the input's values a, or its own error terms δ^a = ∂L/∂a."""
EDGE_MODES: tuple[EdgeMode, ...] = ("weights", "gradients", "updates")
NODE_MODES: tuple[NodeMode, ...] = ("activations", "deltas")
INPUT_MODES: tuple[InputMode, ...] = ("values", "deltas")


class ViewState:
    """``edge_mode`` (θ, ∂L/∂θ or Δθ on the edges), ``node_mode`` (a or δ in the neurons), ``input_mode``
    (a or δ^a in the diagram's input layer), ``input_overlay`` (the input editor tints its pixels by −δ^a),
    ``receptive_fields`` (the diagram draws each first-hidden neuron's weights θ^{ba}_{m·} as an H×W image)
    and ``selection``."""

    changed = Signal()
    """``edge_mode``, ``node_mode``, ``input_mode``, ``input_overlay`` or ``receptive_fields`` changed."""
    selection_changed = Signal(object)
    """The picked neuron, weight or bias (a ``Selection``) or ``None``."""

    def __init__(self) -> None:
        self.edge_mode: EdgeMode = "weights"
        self.node_mode: NodeMode = "activations"
        self.input_mode: InputMode = "values"
        self.input_overlay = False
        self.receptive_fields = False
        self.selection: Selection | None = None

    def set_modes(self, edge_mode: EdgeMode | None = None, node_mode: NodeMode | None = None,
                  input_mode: InputMode | None = None) -> None:
        """Choose what the edges, the neurons and the input layer show (``ValueError`` for an unknown mode)."""
        if edge_mode is not None and edge_mode not in EDGE_MODES:
            raise ValueError(f"unknown edge mode {edge_mode!r}; choose one of {', '.join(EDGE_MODES)}")
        if node_mode is not None and node_mode not in NODE_MODES:
            raise ValueError(f"unknown neuron mode {node_mode!r}; choose one of {', '.join(NODE_MODES)}")
        if input_mode is not None and input_mode not in INPUT_MODES:
            raise ValueError(f"unknown input mode {input_mode!r}; choose one of {', '.join(INPUT_MODES)}")
        self.edge_mode = edge_mode or self.edge_mode
        self.node_mode = node_mode or self.node_mode
        self.input_mode = input_mode or self.input_mode
        self.changed.emit()

    def set_input_overlay(self, on: bool) -> None:
        """Tint the input editor's pixels by −δ^a (which pixels, made brighter or darker, lower the loss)."""
        if bool(on) != self.input_overlay:
            self.input_overlay = bool(on)
            self.changed.emit()

    def set_receptive_fields(self, on: bool) -> None:
        """Draw each first-hidden neuron's incoming weights θ^{ba}_{m1} … θ^{ba}_{m,HW} as an H×W image beside it."""
        if bool(on) != self.receptive_fields:
            self.receptive_fields = bool(on)
            self.changed.emit()

    def select(self, selection: Selection | None) -> None:
        """Pick a neuron, weight or bias (``None`` clears)."""
        if selection != self.selection:
            self.selection = selection
            self.selection_changed.emit(selection)
