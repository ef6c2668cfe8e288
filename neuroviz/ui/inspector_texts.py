"""The inspector's short texts: the header over the update shown, the sample's outcome and the loss.

Each is rich text made from plain data (the trace, the core's numbers, the
update's number); the panel puts them in its labels.
"""

from __future__ import annotations

from neuroviz.core.explain import PAPER_LOG_NOTE_SHORT, Explainer, Progress
from neuroviz.core.numbers import count, fmt
from neuroviz.core.trace import StepTrace
from neuroviz.core.update_table import Outcome
from neuroviz.ui.math_text import to_html

NO_UPDATE = ("<b>No update yet.</b> Take a step, or walk through one in phases "
             "(<b>W</b>), to see every number of it.")


def header_html(trace: StepTrace | None, number: int, walking: bool) -> str:
    """``Update 3 · batch of 8 · η = 0.01 · gradients are batch means``.

    ``walking``: ``trace`` is being walked through, not applied yet.
    """
    if trace is None:
        return NO_UPDATE
    batched = trace.batch_size > 1
    parts = [f"<b>Update {count(number)}</b>" + (" — walking through it, not applied yet" if walking else "")]
    parts.append(f"batch of {trace.batch_size}" if batched else "one sample")
    parts.append(f"η = {fmt(trace.lr)}")
    if batched:
        parts.append("gradients are batch means")
    return " · ".join(parts)


def outcome_text(outcome: Outcome, class_names: tuple[str, ...]) -> str:
    """``r: circle · predicted: square ✗`` (a class without a name by its number)."""

    def name(k: int) -> str:
        return class_names[k] if k < len(class_names) else str(k)

    mark = "✓" if outcome.correct else "✗"
    return f"r: {name(outcome.true)} · predicted: {name(outcome.predicted)} {mark}"


def loss_html(explainer: Explainer, progress: Progress | None, sample: int | None,
              muted: str) -> tuple[str, str | None]:
    """(text, tooltip) of the loss of ``sample`` (``None``: the batch mean only), the batch mean, the note on
    the paper's logarithm (in the quiet colour ``muted``).

    While the walk has not computed the loss yet (``progress``) the text says
    so, and there is no new tooltip (None).
    """
    if progress is not None and not progress.loss:
        return "<b>Loss</b>: not computed yet", None
    eq = explainer.batch_loss() if sample is None else explainer.loss(sample)
    text = f"<b>Loss</b> &nbsp;{to_html(eq.text())}"
    if explainer.batch_size > 1 and sample is not None:
        text += f" &nbsp;·&nbsp; batch mean L = {to_html(fmt(explainer.trace.loss))}"
    if explainer.config.loss == "cross_entropy":
        text += f"<br><span style='color:{muted}'>{PAPER_LOG_NOTE_SHORT}</span>"
    return text, eq.note


__all__ = ["header_html", "loss_html", "outcome_text"]
