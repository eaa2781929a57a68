"""``sim schedule DESIGN``: the month of a design, in Chinese and English (issue 10, item 4)."""

from __future__ import annotations

import re

import pytest

from sim.cli import main
from sim.institutions.registry import REGISTRY
from sim.schedule import CALLED_BY, MONTH, PHASE_ORDER


def schedule(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["schedule", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def phase_text(text: str, phase: str) -> str:
    """The printed block of ``phase`` (up to the next step of the month)."""
    if phase == "setup":  # the paragraph after the title, before the month's steps
        return text.split("\n\n")[1]
    block = text.split(f". {phase} — ", 1)[1]
    return re.split(r"\n\s?\d+\. [a-z_]+ — ", block, maxsplit=1)[0]


def numbered(text: str, phase: str) -> list[str]:
    """The institutions listed under ``phase`` in the printed month, in printed order."""
    return re.findall(r"^\s+\d+\. ([a-z_]+) — ", phase_text(text, phase), flags=re.M)


def called(text: str, phase: str) -> list[tuple[str, str]]:
    """(institution, the numbered institution it is listed under) for each ``↳`` entry."""
    pairs, under = [], ""
    for line in phase_text(text, phase).splitlines():
        if m := re.match(r"\s+\d+\. ([a-z_]+) — ", line):
            under = m.group(1)
        elif m := re.match(r"\s+↳ ([a-z_]+) — ", line):
            pairs.append((m.group(1), under))
    return pairs


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
    phases = ("setup", "before_decisions", "after_decisions", "month_end")
    for phase in phases[1:]:
        assert numbered(out, phase) == [n for n in PHASE_ORDER[phase] if n in names]
    # An institution with no phase of its own (codesign) is listed under its caller, in
    # phases where the caller acts, and at least once; every institution's name is printed.
    for phase in phases:
        for name, under in called(out, phase):
            assert name in names and under == CALLED_BY[name] and under in names
    for name in names:
        assert REGISTRY[name].label_en in out
        if name in CALLED_BY:
            assert not any(name in order for order in PHASE_ORDER.values())
            assert any((name, CALLED_BY[name]) in called(out, phase) for phase in phases)
        else:
            assert any(name in numbered(out, phase) for phase in phases)


def test_codesign_is_listed_where_the_campaign_calls_it(capsys):
    """The campaign puts the plan to the vote before funding and fades the stake at month
    end (docs/decisions.md §43); its setup does not touch co-design."""
    code, out, _ = schedule(capsys, "chongchuan_plus", "--lang", "en")
    assert code == 0
    assert [p for p in ("setup", "before_decisions", "after_decisions", "month_end")
            if ("codesign", "renovation_campaign") in called(out, p)] == ["after_decisions",
                                                                          "month_end"]
    assert "(called by renovation_campaign; no phase of its own)" in out
    code, out, _ = schedule(capsys, "chongchuan_plus")
    assert "（由 renovation_campaign 调用，无自身阶段）" in out


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
