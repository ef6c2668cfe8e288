"""The phases of one update, in the order the paper explains them.

forward layer by layer (b, c, ...) → loss → backward layer by layer (from the
output down to the first hidden layer) → update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from neuroviz.core.notation import layer_letter

PhaseKind = Literal["forward", "loss", "backward", "update"]


@dataclass(frozen=True)
class Phase:
    """One phase; ``layer`` is the layer computed (1 .. L) for forward/backward, else −1."""

    kind: PhaseKind
    layer: int = -1

    def title(self) -> str:
        if self.kind == "forward":
            return f"Forward: layer {layer_letter(self.layer)}"
        if self.kind == "backward":
            return f"Backward: δ of layer {layer_letter(self.layer)}"
        return "Loss" if self.kind == "loss" else "Update: θ := θ − η ∂L/∂θ"

    def short_title(self) -> str:
        """The phase in a list of all of them: ``b`` (forward), ``L``, ``δ^c`` (backward), ``update``."""
        if self.kind == "forward":
            return layer_letter(self.layer)
        if self.kind == "backward":
            return f"δ^{layer_letter(self.layer)}"
        return "L" if self.kind == "loss" else "update"


def phases_for(n_layers: int) -> list[Phase]:
    """All phases of one update of a network with ``n_layers`` layers (input included)."""
    forward = [Phase("forward", l) for l in range(1, n_layers)]
    backward = [Phase("backward", l) for l in range(n_layers - 1, 0, -1)]
    return [*forward, Phase("loss"), *backward, Phase("update")]
