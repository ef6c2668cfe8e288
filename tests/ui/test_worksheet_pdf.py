"""The worksheet's PDF (drawn with Qt offscreen): pages per sheet, no answer on the sheet, the answers in the key."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from neuroviz.core.numbers import fmt
from neuroviz.ui.worksheet_pdf import prose_html, worksheet_pdf, write_worksheet
from tests.io.worksheet_helpers import answers, deep_sheets, figure_4_sheets, numbers_in

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed (Debian poppler-utils)")


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def text_of(pdf: bytes, tmp_path, first: int | None = None, last: int | None = None) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    pick = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run([PDFTOTEXT, *pick, str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_each_sheet_starts_a_page_and_the_key_has_its_own_pages(qapp):
    one = worksheet_pdf(figure_4_sheets())
    assert one.startswith(b"%PDF") and pages(one) == 2  # Figure 4's sheet fills a page and a bit
    three = worksheet_pdf(figure_4_sheets(3, seed=2))
    assert pages(three) == 3 * pages(one)
    key = worksheet_pdf(figure_4_sheets(3, seed=2), answers=True)
    assert pages(key) >= 3 * 2


@needs_pdftotext
@pytest.mark.parametrize("make", [figure_4_sheets, lambda: figure_4_sheets(3, seed=8), deep_sheets])
def test_the_sheet_holds_no_answer_and_the_key_holds_them(qapp, tmp_path, make):
    sheets = make()
    sheet_text = text_of(worksheet_pdf(sheets), tmp_path)
    assert "Forward pass" in sheet_text and "Name:" in sheet_text
    assert numbers_in(sheet_text) & answers(sheets) == set()
    key_text = text_of(worksheet_pdf(sheets, answers=True), tmp_path)
    final = {re.sub("^−", "", eq.rhs[-1]) for p in sheets[0].parts for q in p.questions for eq in q.working}
    assert final - {"0"} <= numbers_in(key_text) | {"1"}  # every worked answer of sheet 1 is in the key


@needs_pdftotext
def test_a_variant_sheet_prints_its_own_numbers_and_caption(qapp, tmp_path):
    sheets = figure_4_sheets(2, seed=5)
    pdf = worksheet_pdf(sheets)
    per_sheet = pages(pdf) // 2
    second = text_of(pdf, tmp_path, first=per_sheet + 1, last=per_sheet + 1)
    assert "Variant 2 of 2 (seed 5)" in second
    given = {fmt(float(v)).lstrip("−") for w in sheets[1].exercise.network.weights for v in w.ravel()}
    assert given <= numbers_in(second)


def test_write_worksheet_writes_each_file_atomically_and_names_them(qapp, tmp_path):
    sheets = figure_4_sheets()
    written = write_worksheet(sheets, tmp_path / "s.pdf", tmp_path / "k.pdf", tmp_path / "s.tex")
    assert written == [str(tmp_path / n) for n in ("s.pdf", "k.pdf", "s.tex", "s-answers.tex")]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["k.pdf", "s-answers.tex", "s.pdf", "s.tex"]
    assert (tmp_path / "s.pdf").read_bytes()[:4] == b"%PDF"
    with pytest.raises(OSError):
        write_worksheet(sheets, tmp_path / "missing" / "s.pdf")
    assert not (tmp_path / "missing").exists()


def test_prose_sets_its_formulas_with_real_scripts():
    assert prose_html("Layer $b_m^raw$ & co") == "Layer b<sub>m</sub><sup>raw</sup> &amp; co"
