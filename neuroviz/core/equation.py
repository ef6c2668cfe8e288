"""One quantity written out as a chain of equal forms, and its LaTeX.

``Equation("b_1", ("max{0, Σ_j a_j θ^{ba}_{1j} + β^b_1}", "max{0, 0.3}", "0.3"))``
is ``b_1 = max{0, …} = max{0, 0.3} = 0.3``.  The forms are in the ``plain``
style of ``neuroviz.core.notation`` with numbers from
``neuroviz.core.numbers``; ``to_latex`` turns such a form into LaTeX math.
"""

from __future__ import annotations

from dataclasses import dataclass

from neuroviz.core.numbers import SUPERSCRIPT_DIGITS, from_superscript


@dataclass(frozen=True)
class Equation:
    """``lhs = rhs[0] = rhs[1] = …``: one quantity from its formula to its value.

    ``notes`` are remarks (a caveat, the paper's erratum, what was left out
    of a long sum), each one sentence.
    """

    lhs: str
    rhs: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """All notes, one per line."""
        return "\n".join(self.notes)

    @property
    def relation(self) -> str:
        """``:=`` for an assignment (``θ := …``), else ``=``."""
        return ":=" if self.lhs.endswith(":=") else "="

    @property
    def target(self) -> str:
        """The left-hand side without a trailing ``:=``."""
        return self.lhs.removesuffix(":=").rstrip()

    def text(self) -> str:
        """The chain on one line: ``b_1 = max{0, …} = max{0, 0.3} = 0.3``."""
        first = f"{self.target} {self.relation} {self.rhs[0]}"
        return " = ".join([first, *self.rhs[1:]])

    def latex(self) -> str:
        """The chain as rows of a LaTeX ``aligned`` environment (``lhs &= … \\``)."""
        rows = [f"{to_latex(self.target)} &{self.relation} {to_latex(self.rhs[0])}"]
        rows += [f"&= {to_latex(r)}" for r in self.rhs[1:]]
        return " \\\\\n".join(rows)

    def lines(self) -> list[str]:
        """The chain one form per line, the ``=`` signs aligned."""
        pad = " " * len(self.target)
        out = [f"{self.target} {self.relation} {self.rhs[0]}"]
        out += [f"{pad} = {r}" for r in self.rhs[1:]]
        return out


_LATEX_SYMBOLS = {
    "−": "-", "·": r"\cdot", "θ": r"\theta ", "Θ": r"\Theta ", "β": r"\beta ", "δ": r"\delta ",
    "η": r"\eta ", "σ": r"\sigma ", "∂": r"\partial ", "Σ": r"\sum", "½": r"\tfrac{1}{2}", "²": "^2",
    "⟨": r"\langle ", "⟩": r"\rangle ", "≈": r"\approx ", "…": r"\ldots ",
}
_LATEX_WORDS = (
    (" more: ", r"\text{ more: }"), ("LReLU", r"\operatorname{LReLU}"), ("tanh", r"\tanh"), ("max", r"\max"),
    ("ln ", r"\ln "), ("^raw", r"^{\mathrm{raw}}"), ("1[", r"\mathbf{1}["),
)


def to_latex(text: str) -> str:
    r"""A plain-style formula (``δ^c_1 · b_1 = (−0.4)(0.3)``) as LaTeX math.

    Braces after ``^``/``_`` stay groups; other braces (``max{0, z}``) become
    ``\{ \}``; ``1.5×10⁻⁷`` becomes ``1.5 \times 10^{-7}`` and ``12,345.6`` ``12{,}345.6``.
    """
    out: list[str] = []
    stack: list[bool] = []  # True: a script group, False: a literal brace
    i = 0
    while i < len(text):
        for word, tex in _LATEX_WORDS:
            if text.startswith(word, i):
                out.append(tex)
                i += len(word)
                break
        else:
            ch = text[i]
            if ch == "×" and text.startswith("×10", i) and text[i + 3:i + 4] in tuple(SUPERSCRIPT_DIGITS):
                k = i + 3
                while k < len(text) and text[k] in SUPERSCRIPT_DIGITS:
                    k += 1
                out.append(r" \times 10^{" + from_superscript(text[i + 3:k]) + "}")
                i = k
                continue
            if ch == "," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
                out.append("{,}")  # a digit group (12,345.6) or an index pair (θ_{12,3}): no space after it
                i += 1
                continue
            if ch == "{":
                script = i > 0 and text[i - 1] in "^_"
                stack.append(script)
                out.append("{" if script else r"\{")
            elif ch == "}":
                out.append("}" if (stack.pop() if stack else True) else r"\}")
            else:
                out.append(_LATEX_SYMBOLS.get(ch, ch))
            i += 1
    return "".join(out)
