"""``sim schedule DESIGN``: the month of a design, in Chinese and English (issue 10, item 4)."""

from __future__ import annotations

import re

import pytest

from sim.cli import main
from sim.institutions.registry import REGISTRY
from sim.schedule import MONTH, PHASE_ORDER


def schedule(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["schedule", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def numbered(text: str, phase: str) -> list[str]:
    """The institutions listed under ``phase`` in the printed month, in printed order."""
    block = text.split(f". {phase} — ", 1)[1]
    block = re.split(r"\n\s?\d+\. [a-z_]+ — ", block, maxsplit=1)[0]
    return re.findall(r"^\s+\d+\. ([a-z_]+) — ", block, flags=re.M)


def test_nanan_131_prints_the_month_in_english(capsys):
    code, out, err = schedule(capsys, "nanan_131", "--lang", "en")
    assert code == 0 and not err
    assert out.startswith("The month of design nanan_131")
    for number, step in enumerate(MONTH, 1):  # every step, numbered in order
        assert f"{number:>2}. {step.key} — {step.label_en[:30]}" in out
    assert numbered(out, "before_decisions") == ["party_branch", "owners_committee",
                                                 "supervisory_committee", "three_affairs_triage"]
    assert numbered(out, "month_end") == [n for n in PHASE_ORDER["month_end"]
                                          if n in {"deliberation_council", "owners_committee",
                                                   "supervisory_committee", "covenant",
                                                   "renovation_campaign"}]
    # What each institution writes, with its label.
    assert "covenant — Residents' covenant" in out
    assert "writes: selfgov.rules, matters.rate_factor, compounds.norm" in out
    assert "matters.open = matters.ids" in out  # the groups used are spelled out


def test_chinese_is_the_default(capsys):
    code, out, _ = schedule(capsys, "nanan_131")
    assert code == 0
    assert out.startswith("治理模式 nanan_131")
    assert "写入: selfgov.rules, matters.rate_factor, compounds.norm" in out
    assert "居民公约" in out and "每月（依次）" in out


@pytest.mark.parametrize("design", ["baseline", "huli_six_party", "chongchuan_plus",
                                    "kunming_red_courtyard", "pujiang_situation",
                                    "pujiang_remedies",
                                    "configs/designs/kunming_red_courtyard.yaml"])
def test_every_design_lists_each_of_its_institutions_in_each_of_its_phases(capsys, design):
    from sim.schedule_cli import load_design

    code, out, _ = schedule(capsys, design, "--lang", "en")
    assert code == 0
    names = set(load_design(design).institutions)
    for phase in ("before_decisions", "after_decisions", "month_end"):
        assert numbered(out, phase) == [n for n in PHASE_ORDER[phase] if n in names]
    for name in names:
        assert REGISTRY[name].label_en in out


def test_an_unknown_design_is_one_line_and_exit_2(capsys):
    code, out, err = schedule(capsys, "nanan_132")
    assert code == 2 and not out
    assert err.count("\n") == 1
    assert err.startswith("sim: error: design: unknown design 'nanan_132'; did you mean "
                          "'nanan_131'?")


def test_a_missing_file_is_one_line_and_exit_2(capsys, tmp_path):
    code, _, err = schedule(capsys, str(tmp_path / "mine.yaml"))
    assert code == 2 and err.count("\n") == 1 and err.startswith("sim: error: ")


def test_help_in_both_languages(capsys):
    code = main(["schedule", "--help"])
    out = capsys.readouterr().out
    assert code == 0
    assert "月度流程" in out and "reads and writes" in out and "--lang" in out


def test_a_scenario_preset_shows_its_design(capsys):
    code, out, _ = schedule(capsys, "threshold", "--lang", "en")
    assert code == 0
    assert out.startswith("The month of design none")
    assert "(no institution of this design acts here)" in out
