"""``neuroviz worksheet``: the contract's flags, the files written, and clear refusals."""

from __future__ import annotations

import re

import pytest

from neuroviz.cli import build_parser, main
from neuroviz.io import snapshot as snapshot_mod


def pages(path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


def test_the_default_is_figure_4_and_answers_and_tex_are_written(tmp_path, capsys):
    out = tmp_path / "sheet.pdf"
    code = main(["worksheet", "--pdf", str(out), "--answers", str(tmp_path / "key.pdf"),
                 "--tex", str(tmp_path / "sheet.tex")])
    assert code == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "1 sheet of one update of a 4-3-2 network" in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.pdf", "sheet-answers.tex", "sheet.pdf", "sheet.tex"]
    assert "θ^{cb}" not in (tmp_path / "sheet.tex").read_text()  # LaTeX, not the plain notation
    assert "\\theta ^{cb}_{12}" in (tmp_path / "sheet-answers.tex").read_text()


def test_variants_make_one_sheet_each_and_the_seed_repeats_them(tmp_path, capsys):
    assert main(["worksheet", "--preset", "paper-figure-4", "--pdf", str(tmp_path / "one.pdf")]) == 0
    assert main(["worksheet", "--pdf", str(tmp_path / "a.pdf"), "--variants", "4", "--seed", "3",
                 "--tex", str(tmp_path / "a.tex")]) == 0
    assert "4 sheets of one update" in capsys.readouterr().out
    assert main(["worksheet", "--pdf", str(tmp_path / "b.pdf"), "--variants", "4", "--seed", "3",
                 "--tex", str(tmp_path / "b.tex")]) == 0
    assert pages(tmp_path / "a.pdf") == 4 * pages(tmp_path / "one.pdf")
    assert (tmp_path / "a.tex").read_text() == (tmp_path / "b.tex").read_text()
    assert main(["worksheet", "--pdf", str(tmp_path / "c.pdf"), "--variants", "4", "--seed", "4",
                 "--tex", str(tmp_path / "c.tex")]) == 0
    assert (tmp_path / "a.tex").read_text() != (tmp_path / "c.tex").read_text()


def test_a_small_snapshot_makes_a_sheet_of_its_network_input_and_eta(tmp_path):
    snap_path = tmp_path / "small.nvz.json"
    assert main(["new", "--sizes", "4-2-2", "--activations", "tanh", "--save", str(snap_path)]) == 0
    assert main(["worksheet", str(snap_path), "--pdf", str(tmp_path / "s.pdf"), "--tex", str(tmp_path / "s.tex")]) == 0
    snap = snapshot_mod.load(snap_path)
    tex = (tmp_path / "s.tex").read_text()
    assert "4-2-2 network" in tex and "tanh" in tex
    assert re.search(rf"\\eta\s*=\s*{snap.trainer_state['lr']:g}\$", tex)


@pytest.mark.parametrize("argv, message", [
    (["--preset", "digits"], "at most 40 weights and biases; this 64-32-16-10 network has 2778"),
    (["--variants", "0"], "from 1 to 200"),
    (["--variants", "2", "--seed", "-1"], "non-negative"),
    (["--answers", "{pdf}"], "must name different files"),
    (["--tex", "{dir}/x.tex", "--answers", "{dir}/x-answers.tex"], "must name different files"),
    (["--answers", ""], "need file names"),
])
def test_bad_requests_are_refused_clearly_and_write_nothing(tmp_path, capsys, argv, message):
    pdf = tmp_path / "s.pdf"
    argv = [a.format(pdf=pdf, dir=tmp_path) for a in argv]
    assert main(["worksheet", "--pdf", str(pdf), *argv]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_snapshot_and_preset_together_and_a_bad_snapshot_are_refused(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["worksheet", str(bad), "--preset", "paper-figure-4", "--pdf", str(tmp_path / "a.pdf")]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["worksheet", str(bad), "--pdf", str(tmp_path / "a.pdf")]) == 2
    assert f"cannot open {bad}" in capsys.readouterr().err


def test_help_lists_exactly_the_contract_flags():
    sub = build_parser()._subparsers._group_actions[0].choices["worksheet"]  # type: ignore[union-attr]
    flags = {o for a in sub._actions for o in a.option_strings} - {"-h", "--help"}
    assert flags == {"--preset", "--pdf", "--answers", "--tex", "--variants", "--seed"}
    assert "SNAPSHOT" in sub.format_usage()
