"""The model layer runs without Qt: importing any of its modules loads no Qt module."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import neuroviz.model

QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")


def test_every_model_module_imports_without_qt():
    names = [m.name for m in pkgutil.iter_modules(neuroviz.model.__path__, "neuroviz.model.")]
    assert {"neuroviz.model.app_model", "neuroviz.model.time_travel", "neuroviz.model.undo"} <= set(names)
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r})\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"Qt modules loaded by the model: {done.stdout}{done.stderr}"
