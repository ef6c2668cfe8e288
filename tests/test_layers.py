"""The layers hold: core needs NumPy only, io and model no Qt, nothing imports the UI but the UI,
and no two modules import each other (directly or round a longer loop)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "neuroviz"
QT = ("PySide6", "shiboken6", "pyqtgraph")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Modules ``path`` imports when it runs (imports under ``if TYPE_CHECKING:`` do not count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
               and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}
GRAPH = {name: {m for m in imports(p) if m in MODULES and m != name} for name, p in MODULES.items()}


def layer_of(name: str) -> str:
    return name.split(".")[1] if name.count(".") else "top"


def test_core_io_and_model_import_no_qt_and_no_ui():
    for name, path in MODULES.items():
        layer = layer_of(name)
        if layer in ("core", "io", "model"):
            found = {m for m in imports(path) if m.split(".")[0] in QT or m.startswith("neuroviz.ui")}
            assert not found, f"{name} imports {sorted(found)}"
        if layer == "core":
            assert not any(m.startswith(("neuroviz.io", "neuroviz.model")) for m in GRAPH[name]), name
        if layer == "io":
            assert not any(m.startswith("neuroviz.model") for m in GRAPH[name]), name


def test_no_import_cycles():
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    # a package's __init__ re-exporting its modules is not a cycle
    real = [c for c in cycles if not any(MODULES[m].name == "__init__.py" for m in c)]
    assert not real, "import cycles: " + "; ".join(" → ".join(c) for c in real)



def test_no_module_is_over_about_600_lines():
    long = {name: n for name, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 620}
    assert not long, long
