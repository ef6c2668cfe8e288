"""neuroviz.core is NumPy only: importing all of it loads no Qt module."""

import pkgutil
import subprocess
import sys

import neuroviz.core


def test_core_imports_no_qt():
    modules = [f"neuroviz.core.{m.name}" for m in pkgutil.iter_modules(neuroviz.core.__path__)]
    assert len(modules) >= 8
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in Qt: {out.stdout}"
