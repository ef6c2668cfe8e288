"""The open document: the network, its data set and trainer, the title and the file it came from."""

from __future__ import annotations

from psygnal import Signal

from neuroviz.core.datasets import Dataset
from neuroviz.core.network import Network, NetworkConfig
from neuroviz.core.trainer import Trainer


class Document:
    """The network being taught, the data it learns from and its file state.

    ``network`` has the paper's layout (``weights[l]`` of shape (n_{l+1}, n_l));
    ``trainer`` trains it on ``dataset``.  ``modified`` says whether there are
    changes since the last open or save of ``file_path``.
    """

    architecture_changed = Signal()
    """Another network or data set replaced the old one (sizes may differ): views rebuild their layout."""
    network_changed = Signal()
    """Parameter values changed (an update, many fast updates, a reset, an edit, a move in time)."""
    dataset_changed = Signal()
    """Samples were added to, or replaced in, the data set."""
    file_changed = Signal()
    """The document was opened from or saved to a file, or ``modified`` changed."""

    def __init__(self, network: Network, dataset: Dataset, trainer: Trainer, title: str = "",
                 file_path: str | None = None) -> None:
        self.network = network
        self.dataset = dataset
        self.trainer = trainer
        self.title = title
        self.file_path = file_path
        """The snapshot file the document was opened from or last saved to."""
        self.modified = False

    @property
    def config(self) -> NetworkConfig:
        return self.network.config

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.dataset.class_names

    @property
    def image_shape(self) -> tuple[int, int]:
        """(H, W) in which the input layer is drawn as pixels."""
        return self.dataset.image_shape

    def replace(self, network: Network, dataset: Dataset, trainer: Trainer, title: str,
                file_path: str | None) -> None:
        """Hold another network (the caller emits ``architecture_changed`` once everything fits)."""
        self.network, self.dataset, self.trainer = network, dataset, trainer
        self.title = title
        self.file_path = file_path
        self.modified = False

    def set_dataset(self, dataset: Dataset) -> None:
        """Learn from ``dataset`` (the trainer has been given it already)."""
        self.dataset = dataset
        self.dataset_changed.emit()

    def mark_modified(self) -> None:
        """There are changes since the last open or save."""
        if not self.modified:
            self.modified = True
            self.file_changed.emit()

    def mark_saved(self, path: str) -> None:
        """The document was just written to ``path``."""
        self.file_path = path
        self.modified = False
        self.file_changed.emit()
