"""Views subscribe to the model's psygnal signals for as long as they live.

A model outlives its views (a test or a script may keep it after the window
closed), and psygnal holds lambdas strongly: ``subscribe`` connects a view's
handler and disconnects it when the view's Qt object is destroyed, so that
the model never calls into a deleted widget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from psygnal import SignalInstance
from PySide6.QtCore import QObject


def subscribe(view: QObject, signal: SignalInstance, handler: Callable[..., Any]) -> None:
    """Call ``handler`` on every ``signal`` until ``view`` is destroyed."""
    signal.connect(handler)
    view.destroyed.connect(lambda *_: signal.disconnect(handler))
