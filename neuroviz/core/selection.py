"""What the user has picked on the network: a neuron, a weight or a bias."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from neuroviz.core.notation import Style, bias_label, neuron_label, weight_label

Kind = Literal["neuron", "weight", "bias"]


@dataclass(frozen=True)
class Selection:
    """A picked item, with 0-based indices.

    neuron: neuron ``m`` of layer ``layer`` (0 = input layer a).
    weight: ``weights[layer][m, n]``, from neuron n of layer ``layer`` to
    neuron m of layer ``layer + 1``.
    bias: ``biases[layer][m]``, the bias of neuron m of layer ``layer + 1``.
    """

    kind: Kind
    layer: int
    m: int
    n: int = -1

    def label(self, style: Style = "plain") -> str:
        if self.kind == "neuron":
            return neuron_label(self.layer, self.m, style)
        if self.kind == "weight":
            return weight_label(self.layer, self.m, self.n, style)
        return bias_label(self.layer, self.m, style)
