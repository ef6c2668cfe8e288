"""The input's own error term δ^a = ∂L/∂a: the δ recursion taken one layer further, to the input.

The paper stops its recursion at the first hidden layer b; one more step
reaches the input layer a, which has no activation (so no f' factor)::

    δ^a_n = ∂L/∂a_n = Σ_m δ^b_m θ^{ba}_{mn}

For each sample s this is ∂L[s]/∂a[s], its own loss's slope along pixel n:
a small change Δa_n changes that loss by about δ^a_n Δa_n, so a pixel with
δ^a_n < 0 lowers the loss when made brighter, one with δ^a_n > 0 when made
darker.  Over a batch, the mean (1/B) Σ_s δ^a_n[s] is the slope of the batch
loss L = (1/B) Σ_s L[s] when pixel n of every sample changes by the same
amount.  Nothing is trained on δ^a (the input has no parameters); it says
what the network's loss wants of the input.
"""

from __future__ import annotations

import numpy as np

from neuroviz.core.equation import Equation
from neuroviz.core.explain import DEFAULT_MAX_TERMS, sum_of_products
from neuroviz.core.notation import delta_label
from neuroviz.core.numbers import fmt
from neuroviz.core.trace import StepTrace


def input_deltas(trace: StepTrace) -> np.ndarray:
    """Shape (B, n_0): δ^a of every sample, ``deltas[0] @ θ^{ba}`` with the update's parameters before.

    ``trace.deltas[0]`` (B, n_1) is δ^b, ``trace.weights_before[0]`` (n_1, n_0) is θ^{ba}.
    """
    out: np.ndarray = np.asarray(trace.deltas[0]) @ np.asarray(trace.weights_before[0])
    return out


def input_delta_equation(trace: StepTrace, n: int, sample: int = 0, max_terms: int = DEFAULT_MAX_TERMS) -> Equation:
    """``δ^a_n = Σ_m δ^b_m θ^{ba}_{mn} = (δ^b_1)(θ^{ba}_{1n}) + … = value`` for input neuron ``n`` of ``sample``
    (both 0-based), every term written out (the largest ``max_terms`` of a longer sum)."""
    n_inputs = trace.weights_before[0].shape[1]
    if not 0 <= n < n_inputs:
        raise IndexError(f"layer a has no neuron {n + 1}")
    if not 0 <= sample < trace.batch_size:
        raise IndexError(f"the batch has no sample {sample + 1}")
    col = f"m{n + 1}" if n < 9 else f"m,{n + 1}"
    general = f"Σ_m δ^b_m θ^{{ba}}_{{{col}}}"
    deltas = np.asarray(trace.deltas[0][sample])
    weights = np.asarray(trace.weights_before[0][:, n])
    value = float(input_deltas(trace)[sample, n])
    terms, terms_note = sum_of_products(deltas, weights, max_terms, total=value)  # true after rounding
    notes = ["The input layer has no activation: no f′ factor, δ^a = ∂L/∂a.",
             "δ^a < 0: a brighter pixel lowers the loss; δ^a > 0: a darker one does."]
    if terms_note:
        notes.append(terms_note)
    if trace.batch_size > 1:
        notes.append(f"Sample {sample + 1} of the batch of {trace.batch_size}.")
    return Equation(delta_label(0, n), (general, terms, fmt(value)), tuple(notes))
