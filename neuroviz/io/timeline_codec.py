"""The timeline of a session file (snapshot format version 3) as JSON values and NumPy arrays.

``encode_timeline`` turns a ``TimelineRecord`` (``neuroviz.core.history_record``)
into the ``timeline`` field of the snapshot document and a set of named
arrays; ``decode_timeline`` checks them and gives the record back.  The
layout (see ``docs/snapshot-format.md``):

``timeline`` (JSON)
    ``checkpoint_every``, ``first``, ``position``, ``hist_base``, ``ep_base``,
    ``serial`` (the serial number at ``first``), ``start_update`` (the update
    shown at position 0 when the timeline began with one, else ``null``),
    ``datasets`` (the checkpoints' data sets other than the snapshot's own,
    as its ``dataset`` field), ``optimizers`` (each distinct optimiser's
    settings), ``orders`` (the length of each epoch order) and ``branches``
    (``fork``, ``fork_serial``, ``last`` of each).
Arrays, per segment ``main`` and ``branch<i>``
    ``events`` (n, 5) int64: kind, batch size, serial, loss-history and
    epoch counts after each event; ``event_lr`` (n,) η of each;
    ``checkpoints`` (c, 15) int64 (``CHECKPOINT_COLUMNS``), ``checkpoint_lr``
    (c,), ``checkpoint_rng`` (c, 4) uint64 (the PCG64 state and increment,
    high and low 64 bits), ``params`` and ``optimizer_state`` (rows of
    float64 packed by ``pack_rows``), the drawings updates were made on
    (``input_events`` (m, 3) int64: position, rows, 1 if the targets are
    labels; ``input_x``, ``input_labels``, ``input_targets``), the loss
    history after the moment shown (main) or after the fork (a branch):
    ``hist_steps``, ``hist_values``, ``hist_penalties``, and the epoch
    metrics: ``epoch_ints`` (e, 2), ``epoch_values`` (e, 4; NaN where a
    value does not exist).  Shared: ``orders`` (all epoch orders, int32).

Every value is checked before anything is built (kinds, ranges, shapes,
finiteness, that every edit has a checkpoint and no update is more than
``checkpoint_every`` from one, that the counts add up); a problem raises
``SnapshotError`` naming the array or field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neuroviz.core.datasets import Dataset
from neuroviz.core.history_record import TimelineRecord
from neuroviz.core.history_store import EDIT, INPUT, Branch, Checkpoint
from neuroviz.core.optimisers import BUFFERS, Optimizer, OptimizerState, optimizer_from_dict, optimizer_to_dict
from neuroviz.core.trainer import EpochMetrics, TrainerPosition
from neuroviz.io import optimiser_state
from neuroviz.io.limits import MAX_BRANCHES, MAX_CHECKPOINT_EVERY, MAX_HISTORY, MAX_SAMPLES, parameter_count
from neuroviz.io.snapshot_dataset import MAX_SEED, encode_dataset, read_dataset
from neuroviz.io.validate import fail, integer, obj, sub
from neuroviz.io.validate import field as get

CHECKPOINT_COLUMNS = ("position", "batch_size", "shuffle", "seed", "epoch", "step", "cursor", "n_history",
                      "n_epochs", "dataset", "order", "optimizer", "t", "has_uint32", "uinteger")
EVENT_COLUMNS = ("kind", "batch", "serial", "n_hist", "n_ep")
SEGMENT_ARRAYS = ("events", "event_lr", "checkpoints", "checkpoint_lr", "checkpoint_rng", "params", "optimizer_state",
                  "input_events", "input_x", "input_labels", "input_targets", "hist_steps", "hist_values",
                  "hist_penalties", "epoch_ints", "epoch_values")
"""The arrays each segment (the timeline, each branch) has; the archive holds each once, the segments' parts
one after the other (``timeline.segments`` says how many rows each has)."""
PACKED = ("params", "optimizer_state")
MASK64 = (1 << 64) - 1
MAX_COUNT = (1 << 62) - 1


# ================================================================== packing
def pack_rows(rows: np.ndarray) -> np.ndarray:
    """Float64 rows (r, P) as uint8 (8, r, P): each row XOR the one before, split into byte planes.

    Checkpoints a few updates apart share their sign, exponent and leading
    mantissa bits, so the planes of high bytes are mostly zeros and the zip
    compression takes them to almost nothing; ``unpack_rows`` gives the
    very bits back.
    """
    bits = np.ascontiguousarray(rows, dtype="<f8").view("<u8")
    delta = bits.copy()
    delta[1:] ^= bits[:-1]
    r, p = bits.shape
    return np.ascontiguousarray(delta.view(np.uint8).reshape(r, p, 8).transpose(2, 0, 1))


def unpack_rows(planes: np.ndarray) -> np.ndarray:
    """The float64 rows (r, P) that ``pack_rows`` packed into ``planes`` (8, r, P)."""
    _, r, p = planes.shape
    bits = np.array(planes.transpose(1, 2, 0), order="C").view("<u8").reshape(r, p)
    np.bitwise_xor.accumulate(bits, axis=0, out=bits)
    return bits.view("<f8").astype(np.float64)


def _axis(key: str) -> int:
    """The axis along which segments follow each other: rows (1) of the packed planes, else the first."""
    return 1 if key in PACKED else 0


# ================================================================== writing
@dataclass
class _Tables:
    """The data sets, epoch orders and optimiser settings the checkpoints share (each stored once)."""

    dataset_now: Dataset
    sizes: tuple[int, ...]
    datasets: list[Dataset] = field(default_factory=list)
    orders: list[np.ndarray] = field(default_factory=list)
    optimizers: list[Optimizer] = field(default_factory=list)
    _order_index: dict[int, int] = field(default_factory=dict)

    def dataset(self, ds: Dataset) -> int:
        if ds is self.dataset_now:
            return 0
        for i, known in enumerate(self.datasets):
            if known is ds:
                return i + 1
        self.datasets.append(ds)
        return len(self.datasets)

    def order(self, order: np.ndarray) -> int:
        if id(order) not in self._order_index:
            self._order_index[id(order)] = len(self.orders)
            self.orders.append(order)
        return self._order_index[id(order)]

    def optimizer(self, opt: Optimizer) -> int:
        key = (opt.config, opt.penalty, opt.schedule)
        for i, known in enumerate(self.optimizers):
            if (known.config, known.penalty, known.schedule) == key:
                return i
        self.optimizers.append(opt)
        return len(self.optimizers) - 1


def _settings(opt: Optimizer) -> dict[str, Any]:
    d = optimizer_to_dict(opt)
    del d["t"], d["buffers"]
    return d


def _serial_at(b: Branch, serial0: int, position: int) -> int:
    return serial0 if position == b.fork else int(b.columns["serial"][position - b.fork - 1])


def _n_at(b: Branch, column: str, position: int, base: int) -> int:
    """The loss-history (``n_hist``) or epoch (``n_ep``) count after ``position`` of segment ``b``."""
    return base if position == b.fork else int(b.columns[column][position - b.fork - 1])


def _segment_arrays(b: Branch, checkpoints: dict[int, Checkpoint], hist: tuple[np.ndarray, ...],
                    epochs: list[EpochMetrics], tables: _Tables) -> dict[str, np.ndarray]:
    cols = b.columns
    out: dict[str, np.ndarray] = {
        "events": np.stack([np.asarray(cols[c], dtype=np.int64) for c in EVENT_COLUMNS], axis=1).reshape(-1, 5),
        "event_lr": np.asarray(cols["lr"], dtype=np.float64),
    }
    positions = sorted(checkpoints)
    cks = [checkpoints[q] for q in positions]
    ints: list[list[int]] = []
    lrs: list[float] = []
    rngs: list[list[int]] = []
    states: list[np.ndarray] = []
    for q, ck in zip(positions, cks, strict=True):
        t = ck.trainer
        rng = t.rng_state
        if rng.get("bit_generator") != "PCG64":
            raise ValueError(f"cannot save the random state of a {rng.get('bit_generator')} generator")
        s, inc = int(rng["state"]["state"]), int(rng["state"]["inc"])
        ints.append([q, t.batch_size, int(t.shuffle), t.seed, t.epoch, t.step, t.cursor, t.n_history, t.n_epochs,
                     tables.dataset(t.dataset), tables.order(t.order), tables.optimizer(t.optimizer),
                     t.optimizer.state.t, int(rng["has_uint32"]), int(rng["uinteger"])])
        lrs.append(t.lr)
        rngs.append([s >> 64, s & MASK64, inc >> 64, inc & MASK64])
        states.extend(t.optimizer.state.buffers[k] for k in BUFFERS[t.optimizer.name])
    n_params = parameter_count(tables.sizes)
    out["checkpoints"] = np.array(ints, dtype=np.int64).reshape(-1, len(CHECKPOINT_COLUMNS))
    out["checkpoint_lr"] = np.array(lrs, dtype=np.float64)
    out["checkpoint_rng"] = np.array(rngs, dtype=np.uint64).reshape(-1, 4)
    out["params"] = pack_rows(np.array([ck.params for ck in cks], dtype=np.float64).reshape(-1, n_params))
    out["optimizer_state"] = pack_rows(np.array(states, dtype=np.float64).reshape(-1, n_params))
    ins = sorted(b.inputs)
    xs = [np.atleast_2d(b.inputs[q][0]) for q in ins]
    ys = [b.inputs[q][1] for q in ins]
    n_in, n_out = tables.sizes[0], tables.sizes[-1]
    out["input_events"] = np.array([[q, len(x), int(y.ndim == 1)] for q, x, y in zip(ins, xs, ys, strict=True)],
                                   dtype=np.int64).reshape(-1, 3)
    out["input_x"] = np.concatenate([np.zeros((0, n_in)), *xs]).astype(np.float64)
    out["input_labels"] = np.concatenate([np.zeros(0, dtype=np.int64)] + [
        y if y.ndim == 1 else np.zeros(len(y), dtype=np.int64) for y in ys]).astype(np.int64)
    out["input_targets"] = np.concatenate([np.zeros((0, n_out))] + [
        y if y.ndim == 2 else np.zeros((len(y), n_out)) for y in ys]).astype(np.float64)
    out["hist_steps"] = np.asarray(hist[0], dtype=np.int64)
    out["hist_values"] = np.asarray(hist[1], dtype=np.float64)
    out["hist_penalties"] = np.asarray(hist[2], dtype=np.float64)
    out["epoch_ints"] = np.array([[m.epoch, m.step] for m in epochs], dtype=np.int64).reshape(-1, 2)
    out["epoch_values"] = np.array([[m.train_loss, m.test_loss, m.train_accuracy, m.test_accuracy]
                                    for m in epochs], dtype=np.float64).reshape(-1, 4)
    return out


def encode_timeline(record: TimelineRecord, dataset_now: Dataset, sizes: tuple[int, ...],
                    start_trace: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The ``timeline`` field and the arrays of ``record`` (``dataset_now``: the snapshot's own data set;
    ``start_trace``: the ``start_update`` field, already encoded, or ``None``)."""
    tables = _Tables(dataset_now, sizes)
    main = record.main
    n_hist = _n_at(main, "n_hist", record.position, record.hist_base) - record.hist_base
    n_ep = _n_at(main, "n_ep", record.position, record.ep_base) - record.ep_base
    pieces = [_segment_arrays(main, {record.first: record.start, **main.checkpoints},
                              (main.hist_steps[n_hist:], main.hist_values[n_hist:], main.hist_penalties[n_hist:]),
                              main.epochs[n_ep:], tables)]
    pieces += [_segment_arrays(b, b.checkpoints, (b.hist_steps, b.hist_values, b.hist_penalties), b.epochs, tables)
               for b in record.branches]
    arrays = {key: np.concatenate([piece[key] for piece in pieces], axis=_axis(key)) for key in SEGMENT_ARRAYS}
    arrays["orders"] = (np.concatenate(tables.orders).astype(np.int32) if tables.orders
                        else np.zeros(0, dtype=np.int32))
    meta = {
        "checkpoint_every": record.checkpoint_every,
        "first": record.first,
        "position": record.position,
        "hist_base": record.hist_base,
        "ep_base": record.ep_base,
        "serial": main.fork_serial,
        "start_update": start_trace,
        "datasets": [encode_dataset(ds) for ds in tables.datasets],
        "optimizers": [_settings(opt) for opt in tables.optimizers],
        "orders": [len(o) for o in tables.orders],
        "branches": [{"fork": b.fork, "fork_serial": b.fork_serial, "last": b.last} for b in record.branches],
        "segments": [{key: int(piece[key].shape[_axis(key)]) for key in SEGMENT_ARRAYS} for piece in pieces],
    }
    return meta, arrays


# ================================================================== reading
class _Arrays:
    """The archive's arrays, each taken once by name with its dtype and shape checked."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays

    def take(self, name: str, dtype: str, shape: tuple[int | None, ...]) -> np.ndarray:
        a = self.arrays.get(name)
        if a is None:
            raise fail(name, "the array is missing from the session file")
        if a.dtype != np.dtype(dtype) or a.ndim != len(shape) or any(
                want is not None and got != want for got, want in zip(a.shape, shape, strict=True)):
            raise fail(name, f"has type {a.dtype} and shape {a.shape}; expected {np.dtype(dtype)} of shape "
                       f"({', '.join('n' if s is None else str(s) for s in shape)})")
        if a.dtype.kind == "f" and name.split(".")[-1] != "epoch_values" and not np.isfinite(a).all():
            raise fail(name, "contains NaN or infinity")
        return a


def _check(ok: Any, where: str, problem: str) -> None:
    if not bool(np.all(ok)):
        raise fail(where, problem)


@dataclass
class _Context:
    """What every segment is read against."""

    sizes: tuple[int, ...]
    every: int
    datasets: list[Dataset]
    optimizers: list[Optimizer]
    orders: list[np.ndarray]


def _read_checkpoints(arr: _Arrays, prefix: str, ctx: _Context) -> tuple[dict[int, Checkpoint], np.ndarray]:
    ints = arr.take(f"{prefix}.checkpoints", "int64", (None, len(CHECKPOINT_COLUMNS)))
    c = len(ints)
    lr = arr.take(f"{prefix}.checkpoint_lr", "float64", (c,))
    rng = arr.take(f"{prefix}.checkpoint_rng", "uint64", (c, 4))
    n_params = parameter_count(ctx.sizes)
    params = unpack_rows(arr.take(f"{prefix}.params", "uint8", (8, c, n_params)))
    col = {name: ints[:, i] for i, name in enumerate(CHECKPOINT_COLUMNS)}
    where = f"{prefix}.checkpoints"
    _check(lr > 0, f"{prefix}.checkpoint_lr", "η must be above 0")
    _check((col["dataset"] >= 0) & (col["dataset"] < len(ctx.datasets)), where, "names a data set that is not there")
    _check((col["order"] >= 0) & (col["order"] < len(ctx.orders)), where, "names an epoch order that is not there")
    _check((col["optimizer"] >= 0) & (col["optimizer"] < len(ctx.optimizers)), where,
           "names an optimiser that is not there")
    _check((col["shuffle"] >= 0) & (col["shuffle"] <= 1) & (col["has_uint32"] >= 0) & (col["has_uint32"] <= 1),
           where, "shuffle and has_uint32 are 0 or 1")
    _check((col["seed"] >= 0) & (col["seed"] <= MAX_SEED) & (col["uinteger"] >= 0) & (col["uinteger"] < 1 << 32)
           & (ints[:, 4:9] >= 0).all(axis=1) & (col["t"] >= 0), where, "a count or seed is out of range")
    _check(rng[:, 3] % 2 == 1, f"{prefix}.checkpoint_rng", "a PCG64 increment is always odd")
    n_rows = sum(len(BUFFERS[ctx.optimizers[int(k)].name]) for k in col["optimizer"])
    state = unpack_rows(arr.take(f"{prefix}.optimizer_state", "uint8", (8, n_rows, n_params)))
    _check(np.isfinite(params).all() and np.isfinite(state).all(), f"{prefix}.params",
           "contains NaN or infinity")
    out: dict[int, Checkpoint] = {}
    row = 0
    for i in range(c):
        ds = ctx.datasets[int(col["dataset"][i])]
        n_train = len(ds.train_indices)
        order = ctx.orders[int(col["order"][i])]
        if len(order) != n_train or not 0 <= col["cursor"][i] < n_train or not 1 <= col["batch_size"][i] <= n_train:
            raise fail(sub(where, i), f"its epoch order, position or batch size does not fit the {n_train} "
                       "training samples of its data set")
        settings = ctx.optimizers[int(col["optimizer"][i])]
        names = BUFFERS[settings.name]
        buffers = {}
        for k in names:
            vector = state[row].copy()
            vector.setflags(write=False)
            buffers[k] = vector
            row += 1
        opt = settings.with_state(OptimizerState(int(col["t"][i]), buffers))
        s_hi, s_lo, i_hi, i_lo = (int(v) for v in rng[i])
        rng_state = {"bit_generator": "PCG64", "state": {"state": s_hi << 64 | s_lo, "inc": i_hi << 64 | i_lo},
                     "has_uint32": int(col["has_uint32"][i]), "uinteger": int(col["uinteger"][i])}
        position = TrainerPosition(ds, float(lr[i]), int(col["batch_size"][i]), bool(col["shuffle"][i]),
                                   int(col["seed"][i]), int(col["epoch"][i]), int(col["step"][i]), order,
                                   int(col["cursor"][i]), rng_state, int(col["n_history"][i]),
                                   int(col["n_epochs"][i]), opt)
        out[int(col["position"][i])] = Checkpoint(params[i].copy(), position)
    return out, ints


def _read_inputs(arr: _Arrays, prefix: str, ctx: _Context, input_positions: np.ndarray
                 ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    events = arr.take(f"{prefix}.input_events", "int64", (len(input_positions), 3))
    _check(events[:, 0] == input_positions, f"{prefix}.input_events",
           "does not list exactly the updates made on a drawing")
    _check((events[:, 1] >= 1) & (events[:, 1] <= MAX_SAMPLES) & (events[:, 2] >= 0) & (events[:, 2] <= 1),
           f"{prefix}.input_events", "rows or the label flag out of range")
    rows = int(events[:, 1].sum())
    n_in, n_out = ctx.sizes[0], ctx.sizes[-1]
    x = arr.take(f"{prefix}.input_x", "float64", (rows, n_in))
    labels = arr.take(f"{prefix}.input_labels", "int64", (rows,))
    targets = arr.take(f"{prefix}.input_targets", "float64", (rows, n_out))
    ends = np.cumsum(events[:, 1])
    out = {}
    for (q, n, is_label), end in zip(events.tolist(), ends.tolist(), strict=True):
        start = end - n
        if is_label:
            y = labels[start:end].copy()
            _check((y >= 0) & (y < n_out), f"{prefix}.input_labels", f"classes run from 0 to {n_out - 1}")
        else:
            y = targets[start:end].copy()
        out[int(q)] = (x[start:end].copy(), y)
    return out


def _read_segment(arr: _Arrays, prefix: str, ctx: _Context, fork: int, n_hist0: int | None, n_ep0: int | None,
                  is_main: bool) -> tuple[Branch, dict[int, Checkpoint], int, int]:
    """One segment; returns the branch, all its checkpoints and its loss-history and epoch counts at ``fork``."""
    events = arr.take(f"{prefix}.events", "int64", (None, 5))
    n = len(events)
    if n > MAX_HISTORY:
        raise fail(f"{prefix}.events", f"more than {MAX_HISTORY:,} events")
    lr = arr.take(f"{prefix}.event_lr", "float64", (n,))
    kind, batch, serial, n_hist, n_ep = (events[:, i] for i in range(5))
    where = f"{prefix}.events"
    _check((kind >= 0) & (kind <= 2), where, "an event kind is 0 (update), 1 (on a drawing) or 2 (edit)")
    _check((batch >= 1) & (batch <= MAX_SAMPLES), where, "a batch size is out of range")
    _check(lr > 0, f"{prefix}.event_lr", "η must be above 0")
    grows = (kind != EDIT).astype(np.int64)
    base_hist = n_hist0 if n_hist0 is not None else (int(n_hist[0] - grows[0]) if n else 0)
    n_epochs_kept = len(arr.take(f"{prefix}.epoch_ints", "int64", (None, 2)))
    base_ep = n_ep0 if n_ep0 is not None else (int(n_ep[-1]) - n_epochs_kept if n else 0)
    if base_hist < 0 or base_ep < 0:
        raise fail(where, "the loss-history or epoch counts are negative")
    _check(np.diff(np.concatenate([[base_hist], n_hist])) == grows, where,
           "the loss-history counts do not grow by one per update")
    ep_steps = np.diff(np.concatenate([[base_ep], n_ep]))
    _check((ep_steps >= 0) & ((ep_steps == 0) | (kind != EDIT)), where, "the epoch counts do not add up")
    checkpoints, ck_ints = _read_checkpoints(arr, prefix, ctx)
    positions = ck_ints[:, 0]
    last = fork + n
    low = fork if is_main else fork + 1
    _check((np.diff(positions) > 0) & (positions[1:] <= last) if len(positions) > 1 else True, where,
           "checkpoints are not in order")
    if len(positions) and not low <= positions[0] <= last:
        raise fail(f"{prefix}.checkpoints", f"a checkpoint lies outside positions {low}–{last}")
    if is_main and (not len(positions) or positions[0] != fork):
        raise fail(f"{prefix}.checkpoints", "the timeline's first moment has no checkpoint")
    counts_hist = np.concatenate([[base_hist], n_hist])[positions - fork]
    counts_ep = np.concatenate([[base_ep], n_ep])[positions - fork]
    _check((ck_ints[:, 7] == counts_hist) & (ck_ints[:, 8] == counts_ep), f"{prefix}.checkpoints",
           "a checkpoint's loss-history or epoch count does not fit its moment")
    event_pos = np.arange(fork + 1, last + 1)
    _check(np.isin(event_pos[kind == EDIT], positions), where, "an edit has no checkpoint")
    anchors = np.concatenate([[fork], positions])
    nearest = anchors[np.searchsorted(anchors, event_pos, side="right") - 1]
    _check(event_pos - nearest <= ctx.every, where, f"an update is more than {ctx.every} from a checkpoint")
    n_train_max = max(len(ds.train_indices) for ds in ctx.datasets)
    _check(batch <= n_train_max, where, "a batch size is larger than the training split")
    inputs = _read_inputs(arr, prefix, ctx, event_pos[kind == INPUT])
    n_new = int(n_hist[-1]) - base_hist if n else 0
    hist_len = None if is_main else n_new
    steps = arr.take(f"{prefix}.hist_steps", "int64", (hist_len,))
    values = arr.take(f"{prefix}.hist_values", "float64", (len(steps),))
    penalties = arr.take(f"{prefix}.hist_penalties", "float64", (len(steps),))
    _check((steps >= 0) & (steps <= MAX_COUNT), f"{prefix}.hist_steps", "an update number is out of range")
    e_ints = arr.take(f"{prefix}.epoch_ints", "int64", (None, 2))
    e_vals = arr.take(f"{prefix}.epoch_values", "float64", (len(e_ints), 4))
    _check(~np.isinf(e_vals), f"{prefix}.epoch_values", "contains infinity")
    _check((e_ints >= 0) & (e_ints <= MAX_COUNT), f"{prefix}.epoch_ints", "a count is out of range")
    n_ep_new = int(n_ep[-1]) - base_ep if n else 0
    if not is_main and len(e_ints) != n_ep_new:
        raise fail(f"{prefix}.epoch_ints", f"holds {len(e_ints)} epochs; the events count {n_ep_new}")
    epochs = [EpochMetrics(int(a), int(b), *(float(v) for v in vals))
              for (a, b), vals in zip(e_ints.tolist(), e_vals.tolist(), strict=True)]
    columns = {"kind": kind.astype(np.int8), "lr": lr.copy(), "batch": batch.astype(np.int32),
               "serial": serial.copy(), "n_hist": n_hist.copy(), "n_ep": n_ep.astype(np.int32)}
    branch = Branch(fork=fork, fork_serial=0, last=last, columns=columns,
                    checkpoints={q: ck for q, ck in checkpoints.items() if q > fork}, inputs=inputs,
                    hist_steps=steps.copy(), hist_values=values.copy(), hist_penalties=penalties.copy(),
                    epochs=epochs)
    return branch, checkpoints, base_hist, base_ep


def _split_segments(counts: Any, arrays: dict[str, np.ndarray], n_segments: int) -> dict[str, np.ndarray]:
    """Each segment's part of each array, named ``main.<array>`` and ``branch<i>.<array>``."""
    where = "timeline.segments"
    if not isinstance(counts, list) or len(counts) != n_segments:
        raise fail(where, f"expected one entry for the timeline and each of the {n_segments - 1} branches")
    out: dict[str, np.ndarray] = {}
    for key in SEGMENT_ARRAYS:
        whole = arrays.get(key)
        if whole is None:
            raise fail(key, "the array is missing from the session file")
        axis = _axis(key)
        if whole.ndim <= axis:
            raise fail(key, f"has shape {whole.shape}; too few dimensions")
        lengths = [integer(get(obj(c, sub(where, i)), key, sub(where, i)), sub(sub(where, i), key), 0, MAX_COUNT)
                   for i, c in enumerate(counts)]
        if sum(lengths) != whole.shape[axis]:
            raise fail(key, f"has {whole.shape[axis]:,} rows; the segments count {sum(lengths):,}")
        for i, part in enumerate(np.split(whole, np.cumsum(lengths)[:-1], axis=axis)):
            out[f"{'main' if i == 0 else f'branch{i - 1}'}.{key}"] = part
    return out


def _read_optimizers(value: Any, sizes: tuple[int, ...]) -> list[Optimizer]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_BRANCHES:
        raise fail("timeline.optimizers", f"expected a list of 1 to {MAX_BRANCHES} optimisers")
    n_params = parameter_count(sizes)
    return [optimizer_from_dict(optimiser_state.read_optimizer(d, sizes, sub("timeline.optimizers", i),
                                                               with_state=False), n_params)
            for i, d in enumerate(value)]


def decode_timeline(meta: Any, arrays: dict[str, np.ndarray], sizes: tuple[int, ...], dataset_now: Dataset,
                    trainer_state: dict[str, Any]) -> tuple[TimelineRecord, dict[str, Any] | None]:
    """The ``TimelineRecord`` of a ``timeline`` field and its arrays, checked, and the ``start_update`` field.

    ``trainer_state`` is the snapshot's (at the moment shown): its loss history
    and epoch metrics are the timeline's up to that moment.
    """
    where = "timeline"
    meta = obj(meta, where)
    every = integer(get(meta, "checkpoint_every", where), sub(where, "checkpoint_every"), 1, MAX_CHECKPOINT_EVERY)
    first = integer(get(meta, "first", where), sub(where, "first"), 0, MAX_COUNT)
    position = integer(get(meta, "position", where), sub(where, "position"), first, MAX_COUNT)
    n_hist_now, n_ep_now = len(trainer_state["history_values"]), len(trainer_state["epochs"])
    hist_base = integer(get(meta, "hist_base", where), sub(where, "hist_base"), 0, n_hist_now)
    ep_base = integer(get(meta, "ep_base", where), sub(where, "ep_base"), 0, n_ep_now)
    serial0 = integer(get(meta, "serial", where), sub(where, "serial"), -(1 << 63), (1 << 63) - 1)
    ds_list = get(meta, "datasets", where)
    if not isinstance(ds_list, list) or len(ds_list) > MAX_BRANCHES:
        raise fail(sub(where, "datasets"), f"expected a list of at most {MAX_BRANCHES} data sets")
    datasets = [dataset_now] + [read_dataset(d, sub(sub(where, "datasets"), i)) for i, d in enumerate(ds_list)]
    for i, ds in enumerate(datasets[1:]):
        h, w = ds.image_shape
        if h * w != sizes[0] or ds.n_classes != sizes[-1] or len(ds.train_indices) == 0:
            raise fail(sub(sub(where, "datasets"), i), "does not fit the network's inputs and outputs")
    optimizers = _read_optimizers(get(meta, "optimizers", where), sizes)
    lengths = get(meta, "orders", where)
    if not isinstance(lengths, list) or len(lengths) > MAX_HISTORY:
        raise fail(sub(where, "orders"), "expected a list of epoch order lengths")
    lens = [integer(v, sub(sub(where, "orders"), i), 1, MAX_SAMPLES) for i, v in enumerate(lengths)]
    flat = _Arrays(arrays).take("orders", "int32", (sum(lens),)).astype(np.int64)
    orders = []
    for order in np.split(flat, np.cumsum(lens)[:-1]) if lens else []:
        if not np.array_equal(np.sort(order), np.arange(len(order))):
            raise fail("orders", "an epoch order is not an ordering of its training samples")
        order.setflags(write=False)
        orders.append(order)
    ctx = _Context(sizes, every, datasets, optimizers, orders)
    branch_list = get(meta, "branches", where)
    if not isinstance(branch_list, list) or len(branch_list) > MAX_BRANCHES:
        raise fail(sub(where, "branches"), f"expected a list of at most {MAX_BRANCHES} branches")
    arr = _Arrays(_split_segments(get(meta, "segments", where), arrays, len(branch_list) + 1))
    main, main_cks, _, _ = _read_segment(arr, "main", ctx, first, hist_base, ep_base, True)
    branches = []
    for i, b in enumerate(branch_list):
        at = sub(sub(where, "branches"), i)
        b = obj(b, at)
        fork = integer(get(b, "fork", at), sub(at, "fork"), 0, MAX_COUNT)
        seg, _, base_hist, base_ep = _read_segment(arr, f"branch{i}", ctx, fork, None, None, False)
        if seg.last != integer(get(b, "last", at), sub(at, "last"), 0, MAX_COUNT) or seg.n_events == 0:
            raise fail(at, "its last position does not fit its events")
        fork_serial = integer(get(b, "fork_serial", at), sub(at, "fork_serial"), -(1 << 63), (1 << 63) - 1)
        if first <= fork <= main.last and _serial_at(main, serial0, fork) == fork_serial and (
                (base_hist, base_ep) != (_n_at(main, "n_hist", fork, hist_base), _n_at(main, "n_ep", fork, ep_base))):
            raise fail(at, "its loss-history or epoch counts do not continue the timeline it forked from")
        branches.append(Branch(seg.fork, fork_serial, seg.last, seg.columns, seg.checkpoints, seg.inputs,
                               seg.hist_steps, seg.hist_values, seg.hist_penalties, seg.epochs))
    if not first <= position <= main.last:
        raise fail(sub(where, "position"), f"lies outside the timeline's positions {first}–{main.last}")
    # The main timeline's loss history and epochs up to the moment shown are the snapshot's own.
    n_hist_p = hist_base if position == first else int(main.columns["n_hist"][position - first - 1])
    n_ep_p = ep_base if position == first else int(main.columns["n_ep"][position - first - 1])
    if (n_hist_p, n_ep_p) != (n_hist_now, n_ep_now):
        raise fail(sub(where, "position"), "the snapshot's loss history does not end at the timeline's moment")
    n_hist_last = int(main.columns["n_hist"][-1]) if main.n_events else hist_base
    n_ep_last = int(main.columns["n_ep"][-1]) if main.n_events else ep_base
    if len(main.hist_steps) != n_hist_last - n_hist_p or len(main.epochs) != n_ep_last - n_ep_p:
        raise fail("main.hist_steps", "the loss history after the moment shown does not fit the events")
    h_steps = np.asarray(trainer_state["history_steps"][hist_base:], dtype=np.int64)
    h_values = np.asarray(trainer_state["history_values"][hist_base:], dtype=np.float64)
    h_pen = np.asarray(trainer_state["history_penalties"][hist_base:], dtype=np.float64)
    epochs_now = [EpochMetrics(**m) for m in trainer_state["epochs"][ep_base:]]
    main = Branch(first, serial0, main.last, main.columns, main.checkpoints, main.inputs,
                  np.concatenate([h_steps, main.hist_steps]), np.concatenate([h_values, main.hist_values]),
                  np.concatenate([h_pen, main.hist_penalties]), epochs_now + main.epochs)
    start = get(meta, "start_update", where)
    record = TimelineRecord(every, first, position, hist_base, ep_base, main_cks[first], main, tuple(branches))
    return record, start if start is None else obj(start, sub(where, "start_update"))


__all__ = ["decode_timeline", "encode_timeline", "pack_rows", "unpack_rows"]
