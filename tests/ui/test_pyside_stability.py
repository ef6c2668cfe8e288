"""PySide6 survives many Qt calls that return None (6.12.0 on CPython 3.11 crashed: none_dealloc)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import PySide6

CALLS = 20_000

SCRIPT = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QColor, QPen
    from PySide6.QtWidgets import QApplication, QLabel, QWidget

    app = QApplication([])
    widget = QWidget()
    label = QLabel(widget)
    point, rect, pen = QPointF(), QRectF(), QPen()
    before = sys.getrefcount(None)
    calls = (
        lambda i: label.setText(str(i)),
        lambda i: widget.setToolTip("tip"),
        lambda i: point.setX(float(i)),
        lambda i: rect.setWidth(float(i)),
        lambda i: pen.setColor(QColor(i % 256, 0, 0)),
        lambda i: widget.update(),
        lambda i: label.setMinimumWidth(i % 50),
    )
    done = 0
    for i in range({CALLS}):
        result = calls[i % len(calls)](i)
        assert result is None
        done += 1
    app.processEvents()
    after = sys.getrefcount(None)
    print(done, before - after)
    """
)


def test_twenty_thousand_none_returning_calls_do_not_crash():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"Qt crashed (exit {out.returncode}): {out.stderr[-2000:]}"
    done, none_lost = (int(v) for v in out.stdout.split())
    assert done == CALLS
    # Each call must give back the reference to None it returns; a leak of one per call
    # is the bug that ends in "Fatal Python error: none_dealloc".
    assert none_lost < CALLS // 10


def test_the_pinned_pyside_is_not_the_crashing_one():
    major, minor = (int(p) for p in PySide6.__version__.split(".")[:2])
    if sys.version_info < (3, 12):
        assert (major, minor) < (6, 12), f"PySide6 {PySide6.__version__} crashes on Python 3.11; see pyproject.toml"
    assert PySide6.__version__ != "6.9.1"
