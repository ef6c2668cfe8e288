"""The input the network is shown: the drawing x (shape (n_0,)), its target class r, and its own undo."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from neuroviz.model.undo import UndoStack


@dataclass(frozen=True, eq=False)
class InputEdit:
    """One undoable change of the input and target: a stroke, a tool, a loaded image."""

    model: InputModel
    text: str
    before: tuple[np.ndarray, int]
    after: tuple[np.ndarray, int]

    def redo(self) -> None:
        self.model.apply(*self.after)

    def undo(self) -> None:
        self.model.apply(*self.before)


class InputModel:
    """The drawing ``image`` (shape (n_0,), values in [0, 1]) and its ``target`` r (0 .. K−1).

    ``n_inputs`` and ``n_classes`` are the open network's n_0 and n_L; every
    value set is checked against them.  Edits made with ``edit`` can be undone
    (``undo_stack``); ``set_image``/``set_target`` are not recorded.
    """

    changed = Signal()
    """The image or the target changed."""

    def __init__(self, image: np.ndarray, target: int, n_classes: int, bounded: bool = True) -> None:
        self.undo_stack = UndoStack()
        self.image = np.zeros(0)
        self.target = 0
        self.n_classes = 0
        self.bounded = True
        """Values are clipped to [0, 1] (pixels); False for inputs of any finite value (features of a point)."""
        self.reset(image, target, n_classes, bounded)

    @property
    def n_inputs(self) -> int:
        return int(self.image.size)

    def reset(self, image: np.ndarray, target: int, n_classes: int, bounded: bool = True) -> None:
        """Start over for another network: new sizes, no undo history (``bounded``: values in [0, 1])."""
        arr = np.asarray(image, dtype=np.float64).reshape(-1)
        self.n_classes = int(n_classes)
        self.bounded = bool(bounded)
        self.image = np.zeros(arr.size)
        self.image = self.checked_image(arr)
        self.target = self.checked_target(target)
        self.undo_stack.clear()
        self.changed.emit()

    def set_image(self, x: np.ndarray) -> None:
        """Replace the image (shape (n_0,), values clipped to [0, 1]); raises ``ValueError`` if it does not fit."""
        self.image = self.checked_image(x)
        self.changed.emit()

    def set_target(self, label: int) -> None:
        """Set the class r of the image."""
        self.target = self.checked_target(label)
        self.changed.emit()

    def set(self, x: np.ndarray, target: int) -> None:
        """Set both at once (one ``changed``)."""
        arr, label = self.checked_image(x), self.checked_target(target)
        self.image, self.target = arr, label
        self.changed.emit()

    def edit(self, x: np.ndarray, text: str, before: np.ndarray | None = None, target: int | None = None) -> None:
        """Set the image (and optionally the target) as one undoable command named ``text``.

        ``before`` is the image to restore on undo (default: the current one),
        for edits such as a brush stroke that were shown live while being made.
        """
        arr = self.checked_image(x)
        label = self.target if target is None else self.checked_target(target)
        old = np.array(self.image if before is None else self.checked_image(before))
        self.undo_stack.push(InputEdit(self, text, (old, self.target), (arr, label)))

    def apply(self, x: np.ndarray, target: int) -> None:
        """Undo/redo of an ``InputEdit``: set both (no signal if nothing changes)."""
        if target != self.target or not np.array_equal(x, self.image):
            self.image, self.target = np.array(x), int(target)
            self.changed.emit()

    def checked_image(self, x: np.ndarray) -> np.ndarray:
        """``x`` as a float64 vector of n_0 values clipped to [0, 1] (if ``bounded``); ``ValueError`` if it does
        not fit."""
        arr = np.asarray(x, dtype=np.float64).reshape(-1)
        if arr.shape != (self.n_inputs,):
            raise ValueError(f"the input has {arr.size} values; the network has {self.n_inputs} inputs")
        if not np.isfinite(arr).all():
            raise ValueError("the input contains NaN or infinity")
        return np.clip(arr, 0.0, 1.0) if self.bounded else arr.copy()

    def checked_target(self, label: int) -> int:
        """``label`` as a class index; ``ValueError`` outside 0 .. K−1."""
        if not 0 <= int(label) < self.n_classes:
            raise ValueError(f"the target must be a class from 0 to {self.n_classes - 1}; got {label}")
        return int(label)
