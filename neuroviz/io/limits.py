"""The one table of limits: what the app makes, saves, opens and imports.

The New network dialog, the snapshot reader and writer and the data set
importers all take their bounds from here, so that everything the app makes
it can save, and everything it saves it opens again.  ``docs/limits.md``
explains each number; ``LIMITS`` lists them for the documentation and tests.

The two network limits (layers, neurons per layer) are the core's own rules
(``NetworkConfig.validate``) and are only restated here.
"""

from __future__ import annotations

import itertools

from neuroviz.core.network import MAX_LAYER_SIZE, MAX_LAYERS
from neuroviz.core.numbers import count

MIB = 1024 * 1024

# ------------------------------------------------------------------ networks
MAX_PARAMETERS = 1_000_000
"""Weights and biases of one network (New network, Open, Save).  After one
step a snapshot holds four copies (θ, θ before, θ after, ∂L/∂θ): at most about
100 MB of text, well inside ``MAX_FILE_BYTES``."""

MAX_INPUTS = MAX_LAYER_SIZE
"""Pixels per image (H·W): the input layer has one neuron per pixel."""

# ----------------------------------------------------------------- snapshots
MAX_FILE_BYTES = 256 * MIB
"""A snapshot file (Open refuses larger ones, Save refuses to write them)."""

PARSE_MEMORY_FACTOR = 12
PARSE_MEMORY_SLACK = 64 * MIB
"""Opening parses a file only if its parsed form is estimated (from its count
of brackets, braces, commas, colons and quotes, an upper bound) to need at most
``PARSE_MEMORY_FACTOR`` × its size + ``PARSE_MEMORY_SLACK`` bytes."""

MAX_SAMPLES = 200_000
"""Samples of a data set in a snapshot."""

MAX_DATASET_VALUES = 4_000_000
"""Pixel values (samples × H·W) of a data set stored in a snapshot or imported."""

MAX_CLASSES = 1000
"""Classes of a data set (labels 0 … 999)."""

MAX_IMAGE_SIDE = 256
"""Height or width of a built-in data set's generated images."""

MAX_HISTORY = 10_000_000
MAX_EPOCHS = 1_000_000
"""Loss history entries and epoch records in a snapshot."""

MAX_SESSION_ARRAY_BYTES = 1024 * MIB
"""Bytes of the arrays of a session file (its timeline), added up as their headers declare them before
any is read: the zip archive is at most ``MAX_FILE_BYTES``, and compressed data could otherwise unpack to
much more."""

MAX_BRANCHES = 1000
"""Kept branches of a session's timeline (also data sets and optimiser settings its checkpoints use)."""

MAX_CHECKPOINT_EVERY = 4096
"""Updates between two checkpoints of a saved timeline: opening one never recomputes more to reach a moment."""

MAX_TEXT = 10_000
MAX_NAME = 200
"""Characters of a title; of a data set or class name."""

# ------------------------------------------------------------------- imports
MAX_IMPORT_ROWS = 100_000
"""Samples one import reads (images of a folder, CSV rows, npz samples)."""

MAX_IMPORT_FILE_BYTES = 256 * MIB
"""A CSV or .npz file to import."""

MAX_IMAGE_FILE_BYTES = 64 * MIB
"""One image file (PNG, JPEG, BMP, GIF, PGM/PPM)."""

MAX_MODEL_FILE_BYTES = 64 * MIB
"""An ONNX model or a neuroviz .npz of parameters to import (a million float64 parameters are 8 MB)."""

MAX_SOURCE_PIXELS = 4096 * 4096
MAX_SOURCE_SIDE = 16_384
"""An image's declared size, checked before it is decoded (decompression bombs)."""

MAX_CSV_LINE = 1_000_000
"""Characters of one CSV line, checked before it is split into cells."""

MAX_ZIP_DIRECTORY = 64 * 1024
"""Bytes of an .npz file's table of contents, checked before it is read."""

LIMITS: tuple[tuple[str, int, str], ...] = (
    ("MAX_LAYERS", MAX_LAYERS, "layers of a network, input and output included"),
    ("MAX_LAYER_SIZE", MAX_LAYER_SIZE, "neurons in one layer; also pixels per image (H·W)"),
    ("MAX_PARAMETERS", MAX_PARAMETERS, "weights and biases of a network"),
    ("MAX_FILE_BYTES", MAX_FILE_BYTES, "bytes of a snapshot file"),
    ("MAX_SAMPLES", MAX_SAMPLES, "samples of a data set in a snapshot"),
    ("MAX_DATASET_VALUES", MAX_DATASET_VALUES, "pixel values (samples × H·W) saved or imported"),
    ("MAX_CLASSES", MAX_CLASSES, "classes of a data set"),
    ("MAX_HISTORY", MAX_HISTORY, "loss history entries in a snapshot"),
    ("MAX_EPOCHS", MAX_EPOCHS, "epoch records in a snapshot"),
    ("MAX_SESSION_ARRAY_BYTES", MAX_SESSION_ARRAY_BYTES, "bytes of a session file's timeline arrays, unpacked"),
    ("MAX_BRANCHES", MAX_BRANCHES, "branches of a saved timeline (and data sets, optimisers it uses)"),
    ("MAX_CHECKPOINT_EVERY", MAX_CHECKPOINT_EVERY, "updates between two checkpoints of a saved timeline"),
    ("MAX_IMPORT_ROWS", MAX_IMPORT_ROWS, "samples read by one import"),
    ("MAX_IMPORT_FILE_BYTES", MAX_IMPORT_FILE_BYTES, "bytes of a CSV or .npz to import"),
    ("MAX_IMAGE_FILE_BYTES", MAX_IMAGE_FILE_BYTES, "bytes of one image file"),
    ("MAX_MODEL_FILE_BYTES", MAX_MODEL_FILE_BYTES, "bytes of an ONNX model or .npz of parameters to import"),
    ("MAX_SOURCE_PIXELS", MAX_SOURCE_PIXELS, "declared pixels of one image before decoding"),
    ("MAX_SOURCE_SIDE", MAX_SOURCE_SIDE, "declared width or height of one image"),
    ("MAX_CSV_LINE", MAX_CSV_LINE, "characters of one CSV line"),
)
"""(name, value, what it bounds) for every limit, in the order of ``docs/limits.md``."""


def parameter_count(sizes: tuple[int, ...] | list[int]) -> int:
    """Weights and biases of a network with layer ``sizes``: Σ_l (n_l + 1)·n_{l+1}."""
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def check_parameter_count(sizes: tuple[int, ...] | list[int]) -> int:
    """``parameter_count(sizes)``, or ``ValueError`` if it is above ``MAX_PARAMETERS``."""
    n = parameter_count(sizes)
    if n > MAX_PARAMETERS:
        raise ValueError(f"the network would have {count(n)} parameters; the limit is {count(MAX_PARAMETERS)}")
    return n
