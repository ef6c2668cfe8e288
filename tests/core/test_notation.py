"""Labels in the paper's notation: letters a, b, c ...; 1-based indices; plain, Unicode and LaTeX."""

from __future__ import annotations

import pytest

from neuroviz.core.notation import (
    bias_label,
    delta_label,
    layer_letter,
    matrix_label,
    neuron_label,
    weight_label,
)


def test_layer_letters():
    assert [layer_letter(i) for i in range(4)] == ["a", "b", "c", "d"]
    assert layer_letter(25) == "z"
    assert layer_letter(26) == "a1"
    with pytest.raises(ValueError, match="layer index must be ≥ 0"):
        layer_letter(-1)


@pytest.mark.parametrize(
    ("label", "plain", "unicode", "latex"),
    [
        (weight_label(1, 1, 0, "plain"), "θ^{cb}_{21}", None, None),
        (weight_label(1, 1, 0, "unicode"), None, "θᶜᵇ₂₁", None),
        (weight_label(1, 1, 0, "latex"), None, None, r"\theta^{cb}_{21}"),
        (weight_label(0, 0, 0), "θ^{ba}_{11}", None, None),
        (bias_label(0, 0), "β^b_1", None, None),
        (bias_label(0, 0, "unicode"), None, "βᵇ₁", None),
        (bias_label(0, 0, "latex"), None, None, r"\beta^{b}_{1}"),
        (delta_label(2, 1), "δ^c_2", None, None),
        (delta_label(2, 1, "unicode"), None, "δᶜ₂", None),
        (delta_label(2, 1, "latex"), None, None, r"\delta^{c}_{2}"),
        (neuron_label(1, 0), "b_1", None, None),
        (neuron_label(1, 0, raw=True), "b_1^raw", None, None),
        (neuron_label(1, 0, "unicode"), None, "b₁", None),
        (neuron_label(1, 0, "unicode", raw=True), None, "b₁ʳᵃʷ", None),
        (neuron_label(1, 0, "latex", raw=True), None, None, r"b_{1}^{\mathrm{raw}}"),
        (matrix_label(0), "Θ^{ba}", None, None),
        (matrix_label(1, "unicode"), None, "Θᶜᵇ", None),
        (matrix_label(1, "latex"), None, None, r"\Theta^{cb}"),
    ],
)
def test_paper_labels(label, plain, unicode, latex):
    assert label == (plain or unicode or latex)


def test_multi_digit_indices_stay_unambiguous():
    # θ from a_3 to b_12 and from a_23 to b_1 must not both read "θ^{ba}_{123}".
    assert weight_label(0, 11, 2) == "θ^{ba}_{12,3}"
    assert weight_label(0, 0, 22) == "θ^{ba}_{1,23}"
    assert weight_label(0, 11, 2, "unicode") == "θᵇᵃ₁₂,₃"
    assert weight_label(0, 11, 2, "latex") == r"\theta^{ba}_{12,3}"
    assert neuron_label(0, 63) == "a_{64}"
    assert neuron_label(0, 63, "unicode") == "a₆₄"
    assert neuron_label(0, 63, "latex") == "a_{64}"
    assert bias_label(2, 15) == "β^d_{16}"
    assert delta_label(3, 9, "latex") == r"\delta^{d}_{10}"
    assert delta_label(3, 9, "unicode") == "δᵈ₁₀"


def test_every_label_of_a_64_16_16_2_network_is_distinct():
    sizes = (64, 16, 16, 2)
    labels = [weight_label(l, m, n) for l in range(3) for m in range(sizes[l + 1]) for n in range(sizes[l])]
    labels += [bias_label(l, m) for l in range(3) for m in range(sizes[l + 1])]
    assert len(labels) == len(set(labels)) == 64 * 16 + 16 * 16 + 16 * 2 + 16 + 16 + 2
    assert weight_label(2, 1, 15) == "θ^{dc}_{2,16}"
