"""The worksheet's LaTeX source: standalone, no answer on the sheet, the worked arithmetic in the key."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace

import pytest

from neuroviz.core.equation import to_latex
from neuroviz.core.worksheet import worksheet
from neuroviz.io.worksheet_tex import answers_path, answers_tex, export_tex, sheets_tex, tex_text
from tests.io.worksheet_helpers import answers, deep_sheets, figure_4_sheets, numbers_in

PDFLATEX = shutil.which("pdflatex")
needs_pdflatex = pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed (Debian texlive-latex-base)")


def formulas(tex: str) -> str:
    """The inline formulas of a document body (where a number would be written), one per line."""
    body = tex.split("\\begin{document}", 1)[1]
    return "\n".join(re.findall(r"\$([^$]*)\$", body))


@pytest.mark.parametrize("make", [figure_4_sheets, lambda: figure_4_sheets(4, seed=9), deep_sheets])
def test_the_sheets_source_holds_no_answer(make):
    sheets = make()
    tex = sheets_tex(sheets)
    assert numbers_in(formulas(tex)) & answers(sheets) == set()
    key = answers_tex(sheets)
    found = numbers_in(key) & answers(sheets)
    assert len(found) > len(answers(sheets)) / 3  # the check would see them: the key is full of them


def test_the_key_writes_each_equation_of_the_core():
    sheets = figure_4_sheets()
    key = answers_tex(sheets)
    for part in sheets[0].parts:
        for q in part.questions:
            for eq in q.working:
                assert eq.latex() in key
    assert to_latex("b_1") in sheets_tex(sheets)
    assert key.count("\\begin{align*}") == sum(len(q.working) for p in sheets[0].parts for q in p.questions)


def test_every_variant_starts_on_a_new_page_with_its_caption():
    sheets = figure_4_sheets(3, seed=1)
    tex = sheets_tex(sheets)
    assert tex.count("\\clearpage") == 2
    assert all(f"Variant {k} of 3 (seed 1)" in tex for k in (1, 2, 3))
    assert tex.count("\\blank") - 1 == 3 * len(sheets[0].blanks)  # one \newcommand, a box per blank


def test_prose_is_escaped_and_unknown_characters_are_replaced():
    assert tex_text("50% & $5 #1 {x} a_b ~^\\") == \
        r"50\% \& \$5 \#1 \{x\} $a_b$ \textasciitilde{}\^{}\textbackslash{}"
    assert tex_text("δ ≈ 0.2 “ok” 日本") == r"$\delta$ $\approx$ 0.2 ``ok'' ??"
    assert tex_text("a step of −1.6×10⁻⁹.") == r"a step of $-1.6 \times 10^{-9}$."
    assert tex_text("1[b^raw > 0] is the derivative") == r"$\mathbf{1}[b^{\mathrm{raw}}$ > 0] is the derivative"


def test_a_title_from_a_file_is_text_whatever_it_holds():
    sheets = deep_sheets(None)
    odd = replace(sheets[0].exercise, title="my_net^2 \\input{x} 50% \x1b")
    tex = sheets_tex([worksheet(odd)])
    assert r"my\_net\^{}2 \textbackslash{}input\{x\} 50\% ?" in tex


def test_export_writes_the_sheets_and_the_key_beside_them(tmp_path):
    out = tmp_path / "sheet.tex"
    written = export_tex(out, figure_4_sheets(), answers=True)
    assert written == [str(out), str(tmp_path / "sheet-answers.tex")]
    assert answers_path("a/b.tex") == "a/b-answers.tex" and answers_path("x") == "x-answers.tex"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet-answers.tex", "sheet.tex"]
    assert export_tex(tmp_path / "only.tex", figure_4_sheets(), answers=False) == [str(tmp_path / "only.tex")]


@needs_pdflatex
@pytest.mark.parametrize("make", [lambda: figure_4_sheets(2, seed=3), deep_sheets])
def test_the_source_compiles_on_its_own(tmp_path, make):
    sheets = make()
    for name, text in (("sheet.tex", sheets_tex(sheets)), ("key.tex", answers_tex(sheets))):
        (tmp_path / name).write_text(text, encoding="utf-8")
        run = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", name], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout[-2000:]
        assert (tmp_path / name.replace(".tex", ".pdf")).stat().st_size > 1000
        pages = re.search(r"Output written on \S+ \((\d+) pages?", run.stdout)
        assert pages is not None and int(pages.group(1)) >= len(sheets)
