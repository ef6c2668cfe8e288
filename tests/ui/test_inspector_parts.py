"""The inspector's parts work from plain data (tables, phases, selections), without a model."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from neuroviz.core.explain import Explainer, NeuronTable
from neuroviz.core.explain_sections import SectionBuilder
from neuroviz.core.phases import phases_for
from neuroviz.core.presets import paper_figure_4
from neuroviz.core.selection import Selection
from neuroviz.core.update_table import BIAS, UpdateTable
from neuroviz.ui.inspector_equations import EquationsView
from neuroviz.ui.inspector_tabs import NeuronView, ParameterTab
from neuroviz.ui.phase_bar import PhaseTrack

UI = Path(__file__).resolve().parents[2] / "neuroviz" / "ui"
PARTS = ("phase_bar.py", "inspector_equations.py", "inspector_tabs.py", "inspector_tables.py",
         "gradient_check_runner.py", "inspector_texts.py")


@pytest.fixture(scope="module")
def fig4():
    preset = paper_figure_4()
    trace = preset.network.step(preset.inputs, preset.label, 0.01)
    return trace, UpdateTable.from_trace(trace), Explainer(trace, preset.network.config)


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return names | {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}


def test_only_the_panel_reads_the_model():
    assert "neuroviz.model" in imported(UI / "inspector.py")
    for name in PARTS:
        assert not any(m.startswith("neuroviz.model") for m in imported(UI / name)), name


def click_row(qtbot, view, row: int) -> None:
    index = view.model().index(row, 0)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def test_a_clicked_parameter_row_names_its_parameter(qtbot, show, fig4):
    _, table, _ = fig4
    tab = show(ParameterTab(), (700, 600))
    tab.show_table(table, None, 0)
    row = tab.table_model.view_row(table.find(BIAS, 1, 1))
    with qtbot.waitSignal(tab.rowPicked) as picked:
        click_row(qtbot, tab.view, row)
    assert picked.args == [Selection("bias", 1, 1)]
    tab.select_rows(Selection("neuron", 1, 0), scroll=True)  # b_1: 4 incoming weights, its bias, 2 outgoing
    assert len(tab.view.selectionModel().selectedRows()) == 4 + 1 + 2


def test_a_clicked_neuron_row_names_its_neuron(qtbot, show, fig4):
    trace, _, _ = fig4
    view = show(NeuronView(), (500, 400))
    view.show_neurons(NeuronTable.from_trace(trace), None, -1)
    with qtbot.waitSignal(view.rowPicked) as picked:
        click_row(qtbot, view, view.neuron_model.row_of(2, 1))
    assert picked.args == [Selection("neuron", 2, 1)]
    view.select_rows(Selection("weight", 1, 0, 2), scroll=True)  # θ^{cb}_{13} feeds c_1
    assert [i.row() for i in view.selectionModel().selectedRows()] == [view.neuron_model.row_of(2, 0)]


def test_equations_of_a_selection_and_of_a_phase(show, fig4):
    _, table, explainer = fig4
    view = show(EquationsView(), (600, 500))
    builder = SectionBuilder(explainer, table, 0)
    weight = Selection("weight", 1, 0, 0)
    view.show_sections(builder.sections(weight), True, weight)
    assert view.sections[0][0] == "Gradient and update of θ^{cb}_{11}"
    assert "0.8 − 0.01(−0.12)" in view.toPlainText() and "\\begin{aligned}" in view.latex()
    view.show_sections(builder.sections(None, phases_for(3)[0]), True, None)
    assert [title for title, _ in view.sections] == ["Forward layer b"]
    view.show_sections([], False, None)
    assert view.sections == [] and view.latex() == "" and "appear here" in view.toPlainText()


def test_clicking_a_phase_of_the_list_picks_it(qtbot, show):
    phases = phases_for(3)  # b → c → L → δ^c → δ^b → update
    track = show(PhaseTrack(), (600, 40))
    track.show_walk(phases, phases[2], walking=True)
    assert "<b>Loss</b>: " in track.text()
    picked: list[int] = []
    track.phasePicked.connect(picked.append)
    y = track.contentsRect().center().y()
    for x in range(0, track.width(), 3):
        qtbot.mouseClick(track, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    assert sorted(set(picked)) == [0, 1, 3, 4, 5]  # every phase but the current one is a link
    assert picked == sorted(picked)
    track.show_walk(phases, None, walking=False)
    picked.clear()
    for x in range(0, track.width(), 3):
        qtbot.mouseClick(track, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    assert picked == [] and track.text().startswith("Phases: ")


def test_walk_and_next_are_disabled_when_they_cannot_act(qtbot):
    from PySide6.QtGui import QAction

    from neuroviz.ui.phase_bar import BUTTONS, PhaseBar

    actions = {name: QAction(name) for name in BUTTONS}
    bar = PhaseBar(actions)
    qtbot.addWidget(bar)
    phases = phases_for(3)
    bar.show_walk(phases, None, walking=False, can_start=False)  # no training samples to walk on
    assert not actions["walk"].isEnabled() and not actions["next"].isEnabled()
    assert not any(actions[n].isEnabled() for n in ("back", "finish", "cancel"))
    bar.show_walk(phases, None, walking=False, can_start=True)
    assert actions["walk"].isEnabled() and actions["next"].isEnabled()
    bar.show_walk(phases, phases[0], walking=True, can_start=True)
    assert not actions["walk"].isEnabled() and actions["next"].isEnabled() and not actions["back"].isEnabled()
    bar.show_walk(phases, phases[-1], walking=True, can_start=False)
    assert actions["next"].isEnabled() and actions["next"].text() == "Apply ▶" and actions["back"].isEnabled()
