"""``sim params [NAME]`` (issue 9, item 14) and the one schema walk it shares with the docs."""

from __future__ import annotations

import importlib.util
import shlex
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from sim.cli import build_scenario, main

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``sim`` and return its exit status, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_listing_has_every_parameter_and_every_institution_once(
        capsys: pytest.CaptureFixture[str]) -> None:
    """One line per parameter (institutions' included), under section titles in zh and en."""
    from sim.institutions import REGISTRY
    from sim.schema import parameters

    code, out, _ = run(capsys, "params")
    assert code == 0
    lines = out.splitlines()
    starts = [line.split()[0] for line in lines if line and not line.startswith("[")]
    for param in parameters():
        assert starts.count(param.path) == 1, param.path
    for name, inst in REGISTRY.items():
        for field in inst.Params.model_fields:
            assert f"design.institutions.{name}.{field}" in starts
    noise = next(line for line in lines if line.startswith("behaviour.noise "))
    assert "[0, 100]" in noise and "0.5" in noise and "utility" in noise
    assert "[behaviour.weights — 决策权重 / Weights of the terms" in out
    assert "[design.institutions.party_branch — 小区党支部 / Party branch]" in out


def test_one_parameter_explained_with_prior_default_and_set_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A part of a path finds the parameter; the output has every item the issue asks for."""
    code, out, _ = run(capsys, "params", "noise", "--lang", "en")
    assert code == 0
    assert out.splitlines()[0] == "behaviour.noise"
    flat = " ".join(out.split())  # the labels are padded to one width
    for text in ("meaning: Logit temperature", "unit: utility", "range: [0, 100]",
                 "default: 0.5", "default from: assumed",
                 "prior: 0.25 to 1 (uniform); source: assumption",
                 "change: --set behaviour.noise=0.5", "section: behaviour — "):
        assert text in flat, text
    code, zh, _ = run(capsys, "params", "behaviour.noise")
    assert code == 0 and "默认值" in zh and "效用 (utility)" in zh and "居民决策规则" in zh
    assert "先验: 0.25 至 1（均匀分布）；来源：假设" in " ".join(zh.split())
    assert "默认值依据: 假设" in " ".join(zh.split())
    code, out, _ = run(capsys, "params", "behaviour.tolerance", "--lang", "en")
    assert code == 0 and "prior: none: a numerical tolerance" in " ".join(out.split())
    assert "default from: —" in " ".join(out.split())


def test_institution_name_gives_its_parameters_and_how_to_add_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    """An institution name lists each of its parameters, with the --set line to add it."""
    from sim.institutions import REGISTRY

    code, out, _ = run(capsys, "params", "party_branch", "--lang", "en")
    assert code == 0
    for field in REGISTRY["party_branch"].Params.model_fields:
        assert f"\ndesign.institutions.party_branch.{field}\n" in f"\n{out}"
    assert "--set design.institutions.party_branch.min_members=3" in out
    assert "--set 'design.institutions.party_branch={}'" in out
    code, out, _ = run(capsys, "params", "one_shoulder")
    assert code == 0 and "design.institutions.one_shoulder={}" in out


def test_every_printed_set_line_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    """The ``--set`` line shown for a parameter works as printed (same value as the default)."""
    from sim.params import set_line
    from sim.schema import sections

    base = build_scenario("baseline")
    for sec in sections():
        if not sec.path.startswith(("behaviour", "population", "economy", "matters",
                                    "coordination", "initial", "run.steps")):
            continue
        for param in sec.params:
            if param.required or param.value is None or param.path.startswith("matters.types"):
                continue
            option, pair = shlex.split(set_line(param))
            assert option == "--set"
            scn = build_scenario("baseline", [pair])
            assert scn == base.override({param.path: param.value}), param.path
    line = set_line(next(p for s in sections() for p in s.params
                         if p.path == "community.groups[].households"))
    assert line == "--set community.groups.0.households=100"
    assert build_scenario("baseline", [shlex.split(line)[1]]).community.groups[0].households == 100


def test_unknown_name_is_one_line_with_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt NAME: exit 2, one line, the nearest parameters named."""
    code, out, err = run(capsys, "params", "nosie")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("sim: error: NAME: no parameter matches 'nosie'")
    assert "behaviour.noise" in err
    code, _, err = run(capsys, "params", "party_brnch.min_membres")
    assert code == 2 and "design.institutions.party_branch.min_members" in err


def test_prior_and_chinese_label_are_read_from_json_schema_extra() -> None:
    """A field declaring ``prior`` / ``label_zh`` shows them: the later issue adds data only."""
    from sim.params import describe
    from sim.schema import Section, params_of

    class Demo(BaseModel):
        """Demo section."""

        rate: float = Field(0.1, ge=0, le=1, description="Share per month of something.",
                            json_schema_extra={"prior": {"dist": "beta", "a": 2, "b": 8},
                                               "label_zh": "每月比例"})
        plain: float = Field(0.5, ge=0, le=1, description="Share of something.")

    params = params_of(Demo, "demo")
    sec = Section(path="demo", kind="model", doc="Demo section.", note="", params=params)
    rate = "\n".join(describe(params[0], sec, "zh"))
    assert "{dist: beta, a: 2, b: 8}" in rate and "每月比例" in rate
    assert "not declared yet (assumption)" in "\n".join(describe(params[1], sec, "en"))


def test_help_teaches_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    """``sim params --help`` explains NAME and shows examples in both languages."""
    code, out, _ = run(capsys, "params", "--help")
    assert code == 0
    assert "sim params noise" in out and "party_branch" in out and "示例" in out


def test_docs_generator_uses_the_same_walk_and_is_up_to_date() -> None:
    """docs/parameters.md is what the shared walk renders, byte for byte."""
    spec = importlib.util.spec_from_file_location("make_parameters",
                                                  ROOT / "docs" / "make_parameters.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.sections.__module__ == "sim.schema"
    assert module.render() == (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
