"""The application state, without Qt: what a window, a script, a lesson or a test drives.

``AppModel`` composes the parts (``Document``, ``InputModel``, ``PhaseWalk``,
``TimeTravel``, ``ViewState``, ``ShowingState``); each part emits psygnal signals that views
subscribe to.  Nothing here imports Qt.
"""

from neuroviz.model.app_model import AppModel
from neuroviz.model.document import Document
from neuroviz.model.examples import DEFAULT_CONFIG, EXAMPLE_TITLES, preset_dataset
from neuroviz.model.input_model import InputModel
from neuroviz.model.phase_walk import PhaseWalk
from neuroviz.model.showing import SHOWN_INPUTS, SHOWN_MOMENTS, Showing, ShowingState, Shown, ShownInput, ShownMoment
from neuroviz.model.time_travel import (
    DISCARD_LATER,
    KEEP_BRANCH,
    ForkChoice,
    ForkPolicy,
    ForkQuestion,
    TimeTravel,
    always,
)
from neuroviz.model.training_ops import DIVERGENCE_HINT
from neuroviz.model.undo import UndoStack
from neuroviz.model.view_state import EDGE_MODES, NODE_MODES, EdgeMode, NodeMode, ViewState

__all__ = [
    "DEFAULT_CONFIG", "DISCARD_LATER", "DIVERGENCE_HINT", "EDGE_MODES", "EXAMPLE_TITLES", "KEEP_BRANCH",
    "NODE_MODES", "SHOWN_INPUTS", "SHOWN_MOMENTS", "AppModel", "Document", "EdgeMode", "ForkChoice", "ForkPolicy",
    "ForkQuestion", "InputModel", "NodeMode", "PhaseWalk", "Showing", "ShowingState", "Shown", "ShownInput",
    "ShownMoment", "TimeTravel", "UndoStack", "ViewState", "always", "preset_dataset",
]
