"""Your point's features, as the Input image panel shows them for a network on the plane.

A network on the plane takes the features of one point (x₁, x₂) as its
input a⁰ (n₀ = F neurons), not an image: ``PointFeatures`` lists them, one
line each (``x₁ = 0.79``, ``x₁² = 0.624`` …), beside the point itself, and
says where the point is moved.  It follows your point and the features of
the open data set.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from neuroviz.core.features import FEATURE_LABELS
from neuroviz.core.numbers import fmt
from neuroviz.model import AppModel
from neuroviz.ui.binding import subscribe

DIGITS = 4


class PointFeatures(QLabel):
    """The labelled list of your point's features (see the module docstring)."""

    def __init__(self, model: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pointFeatures")
        self.model = model
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        for signal in (model.drawing.changed, model.plane.changed, model.document.architecture_changed,
                       model.document.dataset_changed):
            subscribe(self, signal, self.refresh)
        self.refresh()

    def lines(self) -> list[tuple[str, str]]:
        """(feature as written, its value) for each input neuron n = 1 … n₀ of your point."""
        plane = self.model.plane
        info = plane.info
        if info is None:
            return []
        x = plane.features_of(plane.point)
        return [(FEATURE_LABELS[f], fmt(float(v), DIGITS)) for f, v in zip(info.features, x, strict=True)]

    def refresh(self, *_: object) -> None:
        rows = self.lines()
        if not rows:
            self.setText("")
            return
        x1, x2 = self.model.plane.point
        table = "".join(f"<tr><td>a⁰<sub>{n}</sub></td><td>&nbsp;=&nbsp;</td><td><b>{label}</b></td>"
                        f"<td>&nbsp;=&nbsp;</td><td align='right'>{value}</td></tr>"
                        for n, (label, value) in enumerate(rows, 1))
        self.setText(f"<p><b>Your point</b> (x₁, x₂) = ({fmt(x1, DIGITS)}, {fmt(x2, DIGITS)})</p>"
                     f"<p>Its features are the input a⁰, one per input neuron (n₀ = {len(rows)}):</p>"
                     f"<table cellspacing='2'>{table}</table>"
                     "<p>Move your point, add, remove or import points on the <b>Plane</b> panel.</p>")
