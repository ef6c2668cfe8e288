"""What the diagram shows, as arrays: the model's view state made concrete (no Qt).

``diagram_values`` picks, for the current view modes and update phase, the
value of every neuron and every edge.  It never computes math of its own:
the neurons' values and δ are those of the input and moment shown
(``neuroviz.model.Shown``), θ the moment's, ∂L/∂θ and Δθ the update's
(batch means) from its ``StepTrace``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from neuroviz.core.phases import Phase
from neuroviz.core.trace import StepTrace

EDGE_SYMBOLS = {"weights": "θ", "gradients": "∂L/∂θ", "updates": "Δθ"}
EDGE_TITLES = {"weights": "weights θ", "gradients": "gradients ∂L/∂θ", "updates": "last update Δθ"}


@dataclass(frozen=True, eq=False)
class DiagramValues:
    """The numbers behind the colours.

    Attributes
    ----------
    nodes:
        ``nodes[l]`` shape (n_l,): value of each neuron of layer l, or ``None``
        when not (yet) known (drawn neutral).  ``nodes[0]`` is the input a, or
        its own δ^a with ``input_mode`` ``deltas`` (``None`` while not known).
    node_mode:
        ``activations`` or ``deltas``: what ``nodes[1:]`` hold.
    edges:
        ``edges[l]`` shape (n_{l+1}, n_l) or ``None`` when not known.
    edge_mode:
        ``weights``, ``gradients`` or ``updates``: what ``edges`` hold.
    active_layer:
        The layer the current phase computes (−1: none); edges into it are
        highlighted during a forward phase.
    dim_edges:
        ``dim_edges[l]`` True: weight layer l is not part of the current phase.
    batch:
        Number of samples the trace averaged over (0 without a trace).
    note:
        A short sentence when something cannot be shown yet.
    """

    nodes: list[np.ndarray | None]
    node_mode: str
    edges: list[np.ndarray | None]
    edge_mode: str
    active_layer: int = -1
    dim_edges: list[bool] = field(default_factory=list)
    batch: int = 0
    note: str = ""
    input_mode: str = "values"
    """``values`` (a, on the input's ink scale) or ``deltas`` (δ^a = ∂L/∂a, on the diverging scale)."""


def diagram_values(weights: list[np.ndarray] | tuple[np.ndarray, ...], acts: list[np.ndarray],
                   deltas: list[np.ndarray] | None, trace: StepTrace | None, edge_mode: str, node_mode: str,
                   phase: Phase | None = None, showing: str = "",
                   input_deltas: np.ndarray | None = None, input_mode: str = "values") -> DiagramValues:
    """Values for the view.

    ``weights`` are the θ of the moment shown (shapes (n_{l+1}, n_l));
    ``acts[l]`` (n_l,) the values of the input shown, layer by layer (0: the
    input); ``deltas[l − 1]`` (n_l,) its δ of layers l ≥ 1 (``None``: not
    known); ``trace`` the update shown (the pending one during a phase walk),
    whose batch-mean gradients and Δθ the edges show; ``showing`` says in
    words which input and moment they are (it leads the note).
    """
    n_w = len(weights)
    n_layers = n_w + 1
    notes: list[str] = [showing] if showing else []
    dim = [False] * n_w
    active = -1
    batch = trace.batch_size if trace is not None and edge_mode != "weights" else 0

    # ---- neurons
    nodes: list[np.ndarray | None] = [acts[0]] + [None] * n_w

    def delta(l: int) -> np.ndarray | None:
        return None if deltas is None else deltas[l - 1]

    if phase is not None and trace is not None:
        if phase.kind == "forward":
            node_mode = "activations"
            active = phase.layer
            for l in range(1, phase.layer + 1):
                nodes[l] = acts[l]
            dim = [l != phase.layer - 1 for l in range(n_w)]
        elif phase.kind == "backward":
            node_mode = "deltas"
            active = phase.layer
            for l in range(phase.layer, n_layers):
                nodes[l] = delta(l)
            if phase.layer < n_w:
                # δ of a hidden layer flows back through the weights above it.
                dim = [l != phase.layer for l in range(n_w)]
        elif node_mode == "activations":
            active = n_layers - 1 if phase.kind == "loss" else -1
            for l in range(1, n_layers):
                nodes[l] = acts[l]
        else:
            for l in range(1, n_layers):
                nodes[l] = delta(l) if phase.kind == "update" else None
    elif node_mode == "activations":
        for l in range(1, n_layers):
            nodes[l] = acts[l]
    elif deltas is not None:
        for l in range(1, n_layers):
            nodes[l] = delta(l)
    else:
        notes.append("δ is not known: the loss is not finite")

    # ---- edges
    edges: list[np.ndarray | None] = [None] * n_w
    if phase is not None and phase.kind == "update":
        edge_mode = "updates"
    if edge_mode == "weights":
        edges = [np.asarray(w) for w in weights]
    elif trace is None:
        notes.append(f"{EDGE_SYMBOLS[edge_mode]} appears after the first update (Step)")
    elif edge_mode == "gradients":
        for l in range(n_w):
            known = phase is None or phase.kind == "update" or (phase.kind == "backward" and l + 1 >= phase.layer)
            edges[l] = trace.grad_weights[l] if known else None
    else:
        if phase is None or phase.kind == "update":
            edges = list(trace.weight_updates())
            if trace.optimizer is not None and not trace.optimizer.plain:  # Δθ = after − before, as applied
                notes.append(f"Δθ is the optimiser's step ({trace.optimizer.name}), not −η ∂L/∂θ")
    if input_mode == "deltas":
        nodes[0] = input_deltas
        notes.append("input layer: its δᵃ = ∂L/∂a" if input_deltas is not None else "δᵃ is not known yet")
    return DiagramValues(nodes, node_mode, edges, edge_mode, active, dim, batch, " · ".join(notes), input_mode)


def strongest_per_layer(values: np.ndarray, known: np.ndarray, offsets: np.ndarray, budget: int) -> np.ndarray:
    """Indices of the largest |values| among ``known`` ones, at most ``budget`` in all.

    Each weight layer gets a share of the budget proportional to its number
    of edges, but at least ``min(its edges, budget / (2·layers))``, so that a
    small layer beside two large ones still shows its strongest weights.
    """
    bounds = [*offsets.tolist(), values.size]
    counts = np.array([int(known[a:b].sum()) for a, b in pairwise(bounds)])
    floor = np.minimum(counts, budget // (2 * len(counts)))
    rest = budget - int(floor.sum())
    share = floor + np.floor(rest * (counts - floor) / max(int((counts - floor).sum()), 1)).astype(int)
    for l in np.argsort(-counts):  # what rounding left over goes to the largest layers
        share[l] += min(budget - int(share.sum()), int(counts[l] - share[l]))
    picked = []
    for (a, b), k in zip(pairwise(bounds), share):
        idx = a + np.flatnonzero(known[a:b])
        if k <= 0 or idx.size == 0:
            continue
        if idx.size > k:
            idx = idx[np.argpartition(-np.abs(values[idx]), k - 1)[:k]]
        picked.append(idx)
    return np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)
