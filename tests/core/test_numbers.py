"""The one number formatter: grouping, superscripts, signs, plurals and arithmetic that stays true."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neuroviz.core.numbers import (
    MAX_DIGITS,
    abbreviated,
    agreeing,
    count,
    fixed,
    fmt,
    needed_digits,
    parse,
    percent,
    plural,
)


@pytest.mark.parametrize(("x", "text"), [
    (0.3, "0.3"), (0.30000000000000004, "0.3"), (-0.12, "−0.12"), (0.8012, "0.8012"),
    (12345.6, "12,345.6"), (123456.0, "123,456"), (-4048.5, "−4,048.5"),
    (4048578.0, "4.04858×10⁶"), (-1.6e-9, "−1.6×10⁻⁹"), (1e-8, "1×10⁻⁸"), (2.5e20, "2.5×10²⁰"),
    (0.0, "0"), (-0.0, "0"), (math.nan, "NaN"), (math.inf, "∞"), (-math.inf, "−∞"),
])
def test_fmt(x, text):
    assert fmt(x) == text


def test_fmt_digits_and_no_ascii_exponent():
    assert fmt(math.pi, 3) == "3.14" and fmt(-math.log10(0.6), 4) == "0.2218"
    for x in (1e-300, -3.3e-5, 7.1e15, 1e100):
        text = fmt(x)
        assert "e" not in text and "^" not in text and "-" not in text and "×10" in text


@pytest.mark.parametrize(("n", "text"), [(0, "0"), (999, "999"), (10_000, "10,000"), (4_048_578, "4,048,578"),
                                         (-12_345, "−12,345")])
def test_count(n, text):
    assert count(n) == text


def test_plural():
    assert plural(1, "sample") == "1 sample"
    assert plural(2, "sample") == "2 samples"
    assert plural(0, "update") == "0 updates"
    assert plural(1, "update") == "1 update"
    assert plural(12_000, "sample") == "12,000 samples"
    assert plural(3, "class", "classes") == "3 classes" and plural(1, "class", "classes") == "1 class"


def test_fixed_and_percent():
    assert fixed(1024.46, 1) == "1,024.5" and fixed(-0.25, 2) == "−0.25"
    assert fixed(-0.01, 1) == "0.0" and fixed(-0.0, 0) == "0"
    assert percent(0.973) == "97.3%" and percent(1.0, 0) == "100%" and percent(-0.0001) == "0.0%"
    assert fixed(math.nan, 1) == "NaN"


@pytest.mark.parametrize(("x", "text"), [
    (950, "950"), (1000, "1k"), (10_000, "10k"), (12_500, "12.5k"), (999_999, "1M"), (1_500_000, "1.5M"),
    (2e9, "2G"), (3.5e12, "3,500G"), (-1500, "−1.5k"), (0, "0"),
])
def test_abbreviated(x, text):
    assert abbreviated(x) == text


@given(st.floats(allow_nan=False, allow_infinity=False, width=64), st.integers(1, MAX_DIGITS))
def test_parse_reads_fmt_back(x, digits):
    assert parse(fmt(x, digits)) == float(f"{x:.{digits}g}")
    assert parse(fmt(x, MAX_DIGITS)) == x


def test_parse_special_values():
    assert math.isnan(parse("NaN")) and parse("∞") == math.inf and parse("−∞") == -math.inf


def test_the_issues_examples_stay_true():
    p = 0.9999999984
    (a, b), c = agreeing((p, 1.0), p - 1.0, lambda x, y: x - y)
    assert (a, b, c) == ("0.9999999984", "1", "−1.6×10⁻⁹")
    (a,), c = agreeing((p,), -math.log(p), lambda x: -math.log(x))
    assert a == "0.9999999984" and c == "1.6×10⁻⁹"


def test_short_operands_stay_short():
    """The paper's Figure 4 numbers are already true: no digit is added."""
    (old, lr, grad), new = agreeing((0.8, 0.01, -0.12), 0.8 - 0.01 * -0.12, lambda o, l, g: o - l * g)
    assert (old, lr, grad, new) == ("0.8", "0.01", "−0.12", "0.8012")
    assert needed_digits((0.3, -0.4), -0.12, lambda x, y: x * y) == (6, 6)


def test_only_the_operand_that_needs_digits_gets_them():
    old, lr, grad = 0.2287622213, 0.01, 0.9452706956
    need = needed_digits((old, lr, grad), old - lr * grad, lambda o, l, g: o - l * g)
    assert need == (8, 6, 6)  # 0.22876222 − 0.01(0.945271) = 0.21931


def test_results_computed_another_way_get_exact_operands():
    """When even exact operands miss the printed result, they are printed exactly."""
    assert needed_digits((0.1, 0.2), 0.4, lambda x, y: x + y) == (MAX_DIGITS, MAX_DIGITS)


def test_non_finite_and_failing_recomputations_keep_the_digits():
    assert needed_digits((math.nan, 1.0), 2.0, lambda x, y: x + y) == (6, 6)
    (p,), value = agreeing((0.0,), 745.0, lambda x: -math.log(x))
    assert p == "0" and value == "745"


def check(operands, result, recompute, digits=6):
    texts, shown = agreeing(operands, result, recompute, digits)
    assert fmt(recompute(*(parse(t) for t in texts)), digits) == shown
    assert all(len(t.replace("−", "")) >= 1 for t in texts)


near = st.floats(-1e6, 1e6, allow_nan=False).flatmap(
    lambda a: st.tuples(st.just(a), st.floats(-1e-3, 1e-3).map(lambda t: a * (1 + t) + t * 1e-9)))


@given(near, st.integers(2, 8))
def test_a_minus_b_re_evaluates_to_its_printed_result(pair, digits):
    a, b = pair
    check((a, b), a - b, lambda x, y: x - y, digits)


@given(st.floats(1e-12, 1.0))
def test_minus_ln_p_re_evaluates(p):
    check((p,), -math.log(p), lambda x: -math.log(x))


@given(st.floats(-10, 10), st.sampled_from([1e-3, 0.01, 0.1, 0.5]), st.floats(-10, 10))
def test_an_update_re_evaluates(old, lr, grad):
    check((old, lr, grad), old - lr * grad, lambda o, l, g: o - l * g)


@given(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3))
def test_a_product_re_evaluates(a, b):
    check((a, b), a * b, lambda x, y: x * y)
