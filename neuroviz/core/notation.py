"""The paper's notation: layer letters and labels of neurons, weights, biases, δ.

docs/paper-notes.md ("Notation") lists the symbols and where the paper
defines them; this module writes them.

Layers are lettered from the input: ``a`` (input), ``b``, ``c`` ...  Labels are
1-based as in the paper, while the functions take 0-based indices:
``weight_label(1, 1, 0)`` is θ^{cb}_{21}, the weight from b_1 to c_2.

Every label comes in three styles:

``plain``
    Unicode text with TeX-like scripts, as written in the paper's prose:
    ``θ^{cb}_{21}``, ``β^b_1``, ``δ^c_2``, ``b_1``.
``unicode``
    Unicode super- and subscript characters: ``θᶜᵇ₂₁``, ``βᵇ₁``, ``δᶜ₂``, ``b₁``.
``latex``
    ``\\theta^{cb}_{21}``, ``\\beta^{b}_{1}``, ``\\delta^{c}_{2}``, ``b_{1}``.

When an index has two or more digits the two weight indices are separated by
a comma (``θ^{cb}_{12,3}``) so that labels stay unambiguous.
"""

from __future__ import annotations

from typing import Literal

Style = Literal["plain", "unicode", "latex"]

_SUP = dict(
    zip(
        "abcdefghijklmnoprstuvwxyz0123456789",
        "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ⁰¹²³⁴⁵⁶⁷⁸⁹",
    )
)
_SUB = dict(zip("0123456789,", "₀₁₂₃₄₅₆₇₈₉,"))


def layer_letter(layer: int) -> str:
    """Letter of layer ``layer`` (0 → ``a``, the input; 1 → ``b`` ...).

    After ``z`` (26 layers) letters get a number: ``a1``, ``b1`` ...
    """
    if layer < 0:
        raise ValueError(f"layer index must be ≥ 0; got {layer}")
    letter = chr(ord("a") + layer % 26)
    return letter if layer < 26 else f"{letter}{layer // 26}"


def _sup(text: str) -> str:
    return "".join(_SUP.get(ch, ch) for ch in text)


def _sub(text: str) -> str:
    return "".join(_SUB.get(ch, ch) for ch in text)


def _pair(m: int, n: int) -> str:
    """1-based index pair as a subscript body: ``21`` or ``12,3``."""
    a, b = str(m + 1), str(n + 1)
    return a + b if len(a) == 1 and len(b) == 1 else f"{a},{b}"


def _script(symbol: str, sup: str, sub: str, style: Style) -> str:
    if style == "latex":
        return f"{symbol}^{{{sup}}}_{{{sub}}}"
    if style == "unicode":
        return f"{symbol}{_sup(sup)}{_sub(sub)}"
    up = sup if len(sup) == 1 else f"{{{sup}}}"
    down = sub if len(sub) == 1 else f"{{{sub}}}"
    return f"{symbol}^{up}_{down}"


def indexed(symbol: str, index: int) -> str:
    """``symbol`` subscripted with the 1-based ``index + 1`` (plain style): ``p_1``, ``p_{10}``."""
    i = str(index + 1)
    return f"{symbol}_{i}" if len(i) == 1 else f"{symbol}_{{{i}}}"


def neuron_label(layer: int, index: int, style: Style = "plain", raw: bool = False) -> str:
    """Label of neuron ``index`` (0-based) of layer ``layer``: ``b_1`` or ``b_1^raw``."""
    letter = layer_letter(layer)
    i = str(index + 1)
    if style == "latex":
        base = f"{letter}_{{{i}}}"
        return base + "^{\\mathrm{raw}}" if raw else base
    if style == "unicode":
        base = f"{letter}{_sub(i)}"
        return base + "ʳᵃʷ" if raw else base
    base = indexed(letter, index)
    return base + "^raw" if raw else base


def weight_label(layer: int, m: int, n: int, style: Style = "plain") -> str:
    """Label of ``weights[layer][m, n]`` (0-based): θ from neuron n to neuron m."""
    sup = layer_letter(layer + 1) + layer_letter(layer)
    symbol = "\\theta" if style == "latex" else "θ"
    return _script(symbol, sup, _pair(m, n), style)


def bias_label(layer: int, m: int, style: Style = "plain") -> str:
    """Label of ``biases[layer][m]`` (0-based): β of neuron m of layer layer+1."""
    symbol = "\\beta" if style == "latex" else "β"
    return _script(symbol, layer_letter(layer + 1), str(m + 1), style)


def delta_label(layer: int, m: int, style: Style = "plain") -> str:
    """Label of the error term of neuron ``m`` of layer ``layer`` (≥ 1): δ^c_2."""
    symbol = "\\delta" if style == "latex" else "δ"
    return _script(symbol, layer_letter(layer), str(m + 1), style)


def matrix_label(layer: int, style: Style = "plain") -> str:
    """Label of the whole matrix ``weights[layer]``: Θ^{ba}."""
    sup = layer_letter(layer + 1) + layer_letter(layer)
    if style == "latex":
        return f"\\Theta^{{{sup}}}"
    if style == "unicode":
        return f"Θ{_sup(sup)}"
    return f"Θ^{{{sup}}}"

