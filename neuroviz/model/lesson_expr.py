"""The numbers and conditions a lesson may name: a fixed vocabulary, parsed and checked, never ``eval``-ed.

A lesson writes quantities in the paper's notation (or in ASCII):

``a_n``, ``b_m``, ``b_m^raw`` …
    a neuron's value (after / before its activation) for the drawing x;
``p_k``, ``r_k``, ``p(circle)``
    the softmax's probabilities, the target, a class's probability by name;
``L``
    the loss of the drawing (natural log);
``θ^{cb}_{mn}`` (``theta^{cb}_{mn}``), ``β^c_m`` (``beta^c_m``)
    a weight, a bias now;
``δ^c_m`` (``delta^c_m``), ``∂L/∂θ^{cb}_{mn}`` (``dL/dtheta^{cb}_{mn}``), ``∂L/∂β^c_m`` (``dL/dbeta^c_m``)
    the drawing's error term and gradients with the parameters now (an update computed, not applied);
``η`` (``eta``), ``B``, ``updates``
    the learning rate, the mini-batch size; the updates made since the lesson's step began;
``train_loss``, ``test_loss``, ``train_accuracy``, ``test_accuracy``, ``train_samples``
    the network on the data set's splits now; the number of training samples.

Functions: ``ln``, ``log10``, ``exp``, ``abs``, ``sqrt``, ``min``, ``max``;
``change(θ^{cb}_{mn})`` (what the last update changed it by), ``mean_abs(δ^b)`` (the mean |δ| of a layer),
``before(Q)`` (a quantity in the last update, before it was applied: its first sample's forward pass, loss, δ,
gradients and parameters), ``dead(b)`` (neurons of a layer whose raw value is ≤ 0 for every training sample)
and ``max_raw(b_m)`` (the largest b_m^raw any drawing with pixels in [0, 1] can give: β + Σ max(θ, 0)).

An expression combines them with numbers, ``+ − * /`` and parentheses; a
condition is ``expr OP expr`` (OP one of ``< <= > >= == !=``, also ``≤ ≥``), or
``says CLASS``, ``selected ELEMENT`` (a neuron, weight or bias), ``edges MODE``,
``neurons MODE``, ``receptive-fields on|off`` or ``running``, joined by ``and``.

Everything is parsed into small trees here; values come from a ``Context``
that reads the model (``lesson_context.py``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from neuroviz.core.selection import Selection


class ExprError(ValueError):
    """An expression or condition that is not in the vocabulary (the message says what)."""


class Context(Protocol):
    """What an expression reads: the model's numbers, by name (``lesson_context.ModelContext``)."""

    def quantity(self, q: Quantity) -> float: ...

    def class_probability(self, name: str) -> float: ...

    def layer_function(self, name: str, layer: int, vector: str) -> float: ...

    def change(self, q: Quantity) -> float: ...

    def before(self, q: Quantity) -> float: ...

    def max_raw(self, q: Quantity) -> float: ...

    def says(self, name: str) -> bool: ...

    def selection(self) -> Selection | None: ...

    def modes(self) -> tuple[str, str]: ...

    def receptive_fields(self) -> bool: ...

    def running(self) -> bool: ...


# ------------------------------------------------------------------ tokens
_SCRIPT = r"(?:\{[^{}]*\}|[A-Za-z0-9])"
_PARAM = rf"(?:θ|theta|β|beta|δ|delta|Θ)\^{_SCRIPT}(?:_{_SCRIPT})?"
_TOKEN = re.compile(
    rf"""\s*(?:
    (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+−]?\d+)?)
  | (?P<grad>(?:∂L/∂|dL/d){_PARAM})
  | (?P<param>{_PARAM})
  | (?P<neuron>[a-z]_(?:\{{\d+\}}|\d+)(?:\^raw|\^\{{raw\}})?)
  | (?P<name>η|[A-Za-z][A-Za-z0-9_]*)
  | (?P<op><=|>=|==|!=|≤|≥|[<>+\-−*/(),])
    )""",
    re.VERBOSE,
)
_SYMBOLS = {"theta": "θ", "beta": "β", "delta": "δ", "Θ": "θ"}
_CMP: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "==": lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12),
    "!=": lambda a, b: not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12),
}
_CMP_ALIASES = {"≤": "<=", "≥": ">="}
FUNCTIONS: dict[str, Callable[..., float]] = {
    "ln": math.log, "log10": math.log10, "exp": math.exp, "abs": abs, "sqrt": math.sqrt, "min": min, "max": max,
}
ARITY = {"ln": 1, "log10": 1, "exp": 1, "abs": 1, "sqrt": 1, "min": 2, "max": 2}
NAMES = ("L", "η", "eta", "B", "updates", "train_samples", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
LAYER_FUNCTIONS = ("mean_abs", "dead")
CLAUSE_WORDS = ("says", "selected", "edges", "neurons", "receptive-fields", "running")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(text: str) -> list[Token]:
    """Split ``text`` into tokens (``ExprError`` at the first character that starts none)."""
    out: list[Token] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ExprError(f"cannot read {text[pos:pos + 12]!r}")
        kind = m.lastgroup or ""
        out.append(Token(kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _unbrace(script: str) -> str:
    return script[1:-1] if script.startswith("{") else script


def _letter_layer(letter: str) -> int:
    if len(letter) != 1 or not "a" <= letter <= "z":
        raise ExprError(f"{letter!r} is not a layer letter (a, b, c …)")
    return ord(letter) - ord("a")


def _indices(script: str, count: int, label: str) -> tuple[int, ...]:
    body = _unbrace(script)
    parts = body.split(",") if "," in body else list(body) if count == 2 and len(body) == 2 else [body]
    if len(parts) != count or not all(p.isdigit() and int(p) >= 1 for p in parts):
        raise ExprError(f"{label} needs {count} index{'es' if count > 1 else ''} counted from 1; got {body!r}")
    return tuple(int(p) - 1 for p in parts)


# ------------------------------------------------------------------ quantities
@dataclass(frozen=True)
class Quantity:
    """A named number of the vocabulary: ``kind`` is one of neuron, raw, p, r, weight, bias, delta,
    grad_weight, grad_bias, name; ``layer`` and ``m``, ``n`` are 0-based (the weight's ``layer`` is the
    matrix's: θ^{ba} is 0); ``text`` is how the lesson wrote it."""

    kind: str
    text: str
    layer: int = 0
    m: int = 0
    n: int = 0

    def selection(self) -> Selection:
        """The element this quantity names (for ``selected``, ``select`` and ``change``)."""
        if self.kind in ("neuron", "raw"):
            return Selection("neuron", self.layer, self.m)
        if self.kind == "weight":
            return Selection("weight", self.layer, self.m, self.n)
        if self.kind == "bias":
            return Selection("bias", self.layer, self.m)
        raise ExprError(f"{self.text} is not a neuron, weight or bias")


def parse_param(text: str, grad: bool = False, vector: bool = False) -> Quantity:
    """``θ^{cb}_{21}``, ``β^b_1`` or ``δ^c_2`` (``vector``: ``δ^b``, no subscript) as a ``Quantity``."""
    m = re.fullmatch(rf"(θ|theta|β|beta|δ|delta|Θ)\^({_SCRIPT})(?:_({_SCRIPT}))?", text)
    if m is None:
        raise ExprError(f"cannot read {text!r}")
    symbol = _SYMBOLS.get(m.group(1), m.group(1))
    letters = _unbrace(m.group(2))
    sub = m.group(3)
    if vector:
        if symbol != "δ" or sub is not None:
            raise ExprError(f"expected a layer's error terms such as δ^b; got {text!r}")
        layer = _letter_layer(letters)
        if layer < 1:
            raise ExprError("the input layer a has no δ")
        return Quantity("delta", text, layer)
    if sub is None:
        raise ExprError(f"{text} needs its index, e.g. {text}_1")
    if symbol == "θ":
        if len(letters) != 2 or _letter_layer(letters[0]) != _letter_layer(letters[1]) + 1:
            raise ExprError(f"a weight's letters name two neighbouring layers, the later first (θ^{{cb}}); "
                            f"got {text!r}")
        mm, nn = _indices(sub, 2, text)
        return Quantity("grad_weight" if grad else "weight", text, _letter_layer(letters[1]), mm, nn)
    layer = _letter_layer(letters)
    if layer < 1:
        raise ExprError(f"the input layer a has no {symbol}")
    (mm,) = _indices(sub, 1, text)
    if symbol == "β":
        return Quantity("grad_bias" if grad else "bias", text, layer - 1, mm)
    if grad:
        raise ExprError(f"∂L/∂ names a weight or a bias; got {text!r}")
    return Quantity("delta", text, layer, mm)


def parse_neuron(text: str) -> Quantity:
    """``b_2``, ``b_2^raw``, ``p_1`` or ``r_1``."""
    raw = "^" in text
    letter, _, rest = text.partition("_")
    index = _unbrace(rest.split("^")[0])
    m = int(index) - 1
    if m < 0:
        raise ExprError(f"neurons are counted from 1; got {text!r}")
    if letter in ("p", "r"):
        if raw:
            raise ExprError(f"{letter} has no raw value")
        return Quantity(letter, text, 0, m)
    return Quantity("raw" if raw else "neuron", text, _letter_layer(letter), m)


def parse_element(text: str) -> Quantity:
    """A neuron, weight or bias named in the notation (``b_3``, ``θ^{cb}_{21}``, ``β^b_1``)."""
    toks = tokens(text)
    if len(toks) != 1 or toks[0].kind not in ("neuron", "param"):
        raise ExprError(f"expected a neuron, weight or bias such as b_1, θ^{{cb}}_{{21}} or β^b_1; got {text!r}")
    q = parse_neuron(text) if toks[0].kind == "neuron" else parse_param(text)
    q.selection()  # δ and p are not elements
    return q


# ------------------------------------------------------------------ expressions
class Expr(Protocol):
    def value(self, ctx: Context) -> float: ...


@dataclass(frozen=True)
class Const:
    number: float

    def value(self, ctx: Context) -> float:
        return self.number


@dataclass(frozen=True)
class Read:
    q: Quantity

    def value(self, ctx: Context) -> float:
        return ctx.quantity(self.q)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Expr, ...]

    def value(self, ctx: Context) -> float:
        values = [a.value(ctx) for a in self.args]
        try:
            return float(FUNCTIONS[self.name](*values))
        except (ValueError, OverflowError):
            return math.nan


@dataclass(frozen=True)
class Special:
    """``p(circle)``, ``change(θ…)``, ``before(Q)``, ``mean_abs(δ^b)``, ``dead(b)``, ``max_raw(b_m)``."""

    name: str
    arg: str
    q: Quantity | None = None
    layer: int = 0

    def value(self, ctx: Context) -> float:
        if self.name == "p":
            return ctx.class_probability(self.arg)
        if self.name == "change" and self.q is not None:
            return ctx.change(self.q)
        if self.name == "before" and self.q is not None:
            return ctx.before(self.q)
        if self.name == "max_raw" and self.q is not None:
            return ctx.max_raw(self.q)
        return ctx.layer_function(self.name, self.layer, self.arg)


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr

    def value(self, ctx: Context) -> float:
        a, b = self.left.value(ctx), self.right.value(ctx)
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        if self.op == "*":
            return a * b
        return a / b if b != 0 else math.nan


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokens(text)
        self.i = 0

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise ExprError(f"{self.text!r} ends too soon")
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text != text:
            raise ExprError(f"expected {text!r} but found {tok.text!r} in {self.text!r}")

    def at_op(self, *ops: str) -> str | None:
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text.replace("−", "-") in ops:
            return tok.text.replace("−", "-")
        return None

    def expr(self) -> Expr:
        node = self.term()
        while (op := self.at_op("+", "-")) is not None:
            self.take()
            node = Binary(op, node, self.term())
        return node

    def term(self) -> Expr:
        node = self.factor()
        while (op := self.at_op("*", "/")) is not None:
            self.take()
            node = Binary(op, node, self.factor())
        return node

    def factor(self) -> Expr:
        if self.at_op("-"):
            self.take()
            return Binary("-", Const(0.0), self.factor())
        if self.at_op("("):
            self.take()
            node = self.expr()
            self.expect(")")
            return node
        tok = self.take()
        if tok.kind == "number":
            return Const(float(tok.text.replace("−", "-")))
        if tok.kind == "neuron":
            return Read(parse_neuron(tok.text))
        if tok.kind == "param":
            return Read(parse_param(tok.text))
        if tok.kind == "grad":
            return Read(parse_param(tok.text.split("/", 1)[1][1:], grad=True))
        if tok.kind == "name":
            return self.named(tok.text)
        raise ExprError(f"unexpected {tok.text!r} in {self.text!r}")

    def named(self, name: str) -> Expr:
        if name in FUNCTIONS:
            self.expect("(")
            args = [self.expr()]
            while self.at_op(","):
                self.take()
                args.append(self.expr())
            self.expect(")")
            if len(args) != ARITY[name]:
                raise ExprError(f"{name} takes {ARITY[name]} argument{'s' if ARITY[name] > 1 else ''}")
            return Call(name, tuple(args))
        if name in ("p", "change", "before", "max_raw", *LAYER_FUNCTIONS):
            self.expect("(")
            arg = self.take()
            self.expect(")")
            return self.special(name, arg)
        if name in NAMES:
            return Read(Quantity("name", "η" if name == "eta" else name))
        functions = ", ".join([*FUNCTIONS, "p", "change", "before", "max_raw", *LAYER_FUNCTIONS])
        raise ExprError(f"unknown name {name!r}: use a quantity such as L, p_1, b_2^raw, θ^{{cb}}_{{11}}, η, "
                        f"updates, test_loss, or a function ({functions})")

    @staticmethod
    def special(name: str, arg: Token) -> Special:
        if name == "p":
            if arg.kind != "name":
                raise ExprError(f"p(…) takes a class name such as p(circle); got {arg.text!r}")
            return Special("p", arg.text)
        if name == "change":
            q = parse_element(arg.text)
            if q.kind not in ("weight", "bias"):
                raise ExprError(f"change(…) takes a weight or bias; got {arg.text!r}")
            return Special("change", arg.text, q)
        if name == "before":
            read = _Parser(arg.text).factor() if arg.kind in ("neuron", "param", "grad", "name") else None
            if not isinstance(read, Read):
                raise ExprError(f"before(…) takes one quantity such as before(L) or before(p_1); got {arg.text!r}")
            return Special("before", arg.text, read.q)
        if name == "max_raw":
            neuron = parse_neuron(arg.text) if arg.kind == "neuron" else None
            if neuron is None or neuron.kind != "neuron" or neuron.layer != 1:
                raise ExprError(f"max_raw(…) takes a neuron of layer b such as max_raw(b_1); got {arg.text!r}")
            return Special("max_raw", arg.text, neuron)
        if name == "mean_abs":
            if arg.kind != "param":
                raise ExprError(f"mean_abs(…) takes a layer's δ such as mean_abs(δ^b); got {arg.text!r}")
            return Special("mean_abs", "δ", layer=parse_param(arg.text, vector=True).layer)
        layer = _letter_layer(arg.text)
        if layer < 1:
            raise ExprError("dead(…) takes a hidden layer's letter such as dead(b)")
        return Special("dead", arg.text, layer=layer)

    def done(self) -> bool:
        return self.i >= len(self.toks)


def parse_expr(text: str) -> Expr:
    """An expression of the vocabulary (``ExprError`` if it is not one)."""
    p = _Parser(text)
    node = p.expr()
    if not p.done():
        raise ExprError(f"unexpected {p.take().text!r} after {text[:40]!r}")
    return node


# ------------------------------------------------------------------ conditions
class Clause(Protocol):
    def holds(self, ctx: Context) -> bool: ...


@dataclass(frozen=True)
class Compare:
    op: str
    left: Expr
    right: Expr

    def holds(self, ctx: Context) -> bool:
        a, b = self.left.value(ctx), self.right.value(ctx)
        return not (math.isnan(a) or math.isnan(b)) and _CMP[self.op](a, b)


@dataclass(frozen=True)
class State:
    """``says CLASS``, ``selected ELEMENT``, ``edges MODE``, ``neurons MODE``, ``receptive-fields on|off``,
    ``running``."""

    word: str
    arg: str = ""
    element: Selection | None = None

    def holds(self, ctx: Context) -> bool:
        if self.word == "says":
            return ctx.says(self.arg)
        if self.word == "selected":
            return ctx.selection() == self.element
        if self.word == "running":
            return ctx.running()
        if self.word == "receptive-fields":
            return ctx.receptive_fields() == (self.arg == "on")
        edges, neurons = ctx.modes()
        return (edges if self.word == "edges" else neurons) == self.arg


@dataclass(frozen=True)
class Condition:
    """Clauses joined by ``and``; ``text`` as written."""

    text: str
    clauses: tuple[Clause, ...]

    def holds(self, ctx: Context) -> bool:
        return all(c.holds(ctx) for c in self.clauses)


EDGE_WORDS = ("weights", "gradients", "updates")
NEURON_WORDS = ("activations", "deltas")
SWITCH_WORDS = ("on", "off")


def _clause(text: str) -> Clause:
    word, _, rest = text.strip().partition(" ")
    rest = rest.strip()
    if word == "running":
        if rest:
            raise ExprError("'running' takes nothing after it")
        return State("running")
    if word == "says":
        if not re.fullmatch(r"[A-Za-z][\w-]*", rest):
            raise ExprError(f"'says' takes a class name such as 'says circle'; got {rest!r}")
        return State("says", rest)
    if word == "selected":
        return State("selected", rest, parse_element(rest).selection())
    if word in ("edges", "neurons", "receptive-fields"):
        allowed = {"edges": EDGE_WORDS, "neurons": NEURON_WORDS}.get(word, SWITCH_WORDS)
        if rest not in allowed:
            raise ExprError(f"'{word}' takes one of {', '.join(allowed)}; got {rest!r}")
        return State(word, rest)
    toks = tokens(text)
    at = [i for i, t in enumerate(toks) if t.kind == "op" and t.text in (*_CMP, *_CMP_ALIASES)]
    if len(at) != 1:
        raise ExprError(f"a condition compares two things with one of < <= > >= == != (or is says …, selected …, "
                        f"edges …, neurons …, receptive-fields …, running); got {text.strip()!r}")
    op_tok = toks[at[0]]
    left, _, right = text.partition(op_tok.text)
    if not left.strip() or not right.strip():
        raise ExprError(f"{op_tok.text} needs something on both sides in {text.strip()!r}")
    return Compare(_CMP_ALIASES.get(op_tok.text, op_tok.text), parse_expr(left), parse_expr(right))


def parse_condition(text: str) -> Condition:
    """A condition of the vocabulary (``ExprError`` if it is not one)."""
    parts = re.split(r"\s+and\s+", text.strip())
    if not text.strip() or not all(parts):
        raise ExprError("an empty condition")
    return Condition(text.strip(), tuple(_clause(p) for p in parts))
