"""``sim explain``: players, coalitions, attribution on designs whose answer is known, resume.

Explanations here are small: 12 months on generic_old_compound (200 households), 2 parameter
sets × 2 seeds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.cli_base import build_scenario
from sim.config import load_config
from sim.experiments import attribution
from sim.experiments.explain import (
    ATTRIBUTION,
    HTML,
    build_study,
    coalition_scenario,
    game_of,
    players_of,
)
from sim.experiments.storage import part_files
from sim.institutions.prerequisites import NEEDS, PREREQUISITES
from sim.institutions.registry import REGISTRY
from tests.test_output_dirs import one_line
from tests.test_sweep import dask_cluster  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[1]
COMMUNITY = "generic_old_compound"
SMALL = ["--community", COMMUNITY, "--steps", "12", "--uncertainty", "2", "--seeds", "2"]
WAIT = 120

TOY = """\
kind: design
label_zh: 基线加党支部与一肩挑
label_en: Baseline with a party branch and one shoulder
description: >
  The baseline with a grid party branch and one_shoulder. one_shoulder only removes the
  friction between a branch and an owners' committee led by different people; with no
  committee it does nothing, by construction. Compared with TOY_REF, the baseline without
  its owners' committee (since issue 12 the baseline's congress may elect one, and then
  one_shoulder would matter).
institutions:
  government_service: {}
  renovation_campaign: {}
  party_branch: {grid_branch: true}
  one_shoulder: {}
"""


TOY_REF = """\
kind: design
label_zh: 无业委会的基线
label_en: Baseline without an owners' committee
description: The baseline without its congress, so no owners' committee can form.
institutions:
  government_service: {}
  renovation_campaign: {}
"""


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("toy")
    (folder / "toy_ref.yaml").write_text(TOY_REF, encoding="utf-8")
    path = folder / "toy_one_shoulder.yaml"
    path.write_text(TOY, encoding="utf-8")
    return path


def toy_ref(toy: Path) -> str:
    """The reference the toy is explained against (next to it)."""
    return str(toy.parent / "toy_ref.yaml")


@pytest.fixture(scope="module")
def toy_out(toy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("explain") / "toy"
    assert main(["explain", str(toy), "--vs", toy_ref(toy), *SMALL, "--workers", "1",
                 "--quiet", "--lang", "en", "--out", str(out)]) == 0
    return out


def test_prerequisites_name_registered_institutions() -> None:
    for p in PREREQUISITES:
        assert p.institution in REGISTRY, p.institution
        assert p.needs and all(n in REGISTRY for n in p.needs), p
        assert p.reason
    assert len(NEEDS) == len(PREREQUISITES)


def test_players_and_coalitions_of_131() -> None:
    ref = build_scenario("baseline").override({"community": COMMUNITY})
    design = build_scenario("nanan_131").override({"community": COMMUNITY})
    players = players_of(ref, design)
    # since issue 12 the baseline has an owners' committee too (elected by congress), so 131's
    # is a *changed* player (congress → all), and what needs a committee finds one in every
    # subset: no prerequisite binds, all 2^11 subsets are designs
    assert [(p.name, p.kind) for p in players] == [
        ("party_branch", "added"), ("deliberation_council", "added"),
        ("supervisory_committee", "added"), ("covenant", "added"),
        ("three_affairs_triage", "added"), ("codesign", "added"), ("shared_assets", "added"),
        ("community_foundation", "added"), ("station_fund", "added"),
        ("owners_committee", "changed"), ("renovation_campaign", "changed")]
    game = game_of(players)
    assert game.needs == {}
    assert len(game.coalitions()) == 2 ** 11
    full = coalition_scenario(ref, design, players, frozenset(game.players))
    assert full.to_dict() == design.to_dict()
    assert list(full.to_dict()["design"]["institutions"]) == list(design.design.institutions)
    assert coalition_scenario(ref, design, players, frozenset()).to_dict() == ref.to_dict()
    one = coalition_scenario(ref, design, players, frozenset({"party_branch"}))
    assert set(one.design.institutions) == {"party_branch", "government_service",
                                            "renovation_campaign", "owners_committee"}


def test_removed_and_changed_players_and_other_settings() -> None:
    ref = build_scenario("nanan_131").override({"community": COMMUNITY})
    data = build_scenario("baseline").override({
        "community": COMMUNITY, "behaviour.noise": 0.7,
        "design.institutions.government_service.months_big": 3}).model_dump()
    data["design"]["institutions"].pop("owners_committee")  # the baseline without its congress
    design = load_config(data)
    players = players_of(ref, design)
    kinds = {p.name: p.kind for p in players}
    assert kinds["owners_committee"] == "removed"
    assert kinds["government_service"] == "changed"
    assert kinds["other"] == "other"
    game = game_of(players)
    # removing the committee takes with it what acts only through it
    assert game.needs["owners_committee"] == frozenset({
        "supervisory_committee", "covenant", "shared_assets", "community_foundation"})
    full = coalition_scenario(ref, design, players, frozenset(game.players))
    assert full.to_dict() == design.to_dict()
    only_other = coalition_scenario(ref, design, players, frozenset({"other"}))
    assert only_other.behaviour.noise == 0.7
    assert set(only_other.design.institutions) == set(ref.design.institutions)


def test_institution_that_does_nothing_gets_zero(toy_out: Path) -> None:
    table = pd.read_csv(toy_out / ATTRIBUTION)
    inst = table[table["kind"] != "mechanism"]
    assert set(inst["player"]) == {"party_branch", "one_shoulder"}
    nothing = inst[inst["player"] == "one_shoulder"]
    branch = inst[inst["player"] == "party_branch"]
    for col in ("shapley", "knock_out", "shapley_params_low", "shapley_params_high"):
        assert np.allclose(nothing[col], 0.0, atol=1e-12), col
    # the branch carries the whole effect; the knock-in of one_shoulder adds the branch too
    assert np.allclose(branch["shapley"].to_numpy(), branch["total"].to_numpy(), atol=1e-12)
    assert np.allclose(nothing["knock_in"].to_numpy(), nothing["total"].to_numpy(), atol=1e-12)
    assert (toy_out / HTML).is_file()
    assert len(list((toy_out / "figures").glob("waterfall-*.png"))) == 3


def test_shapley_values_add_up_to_the_total(tmp_path: Path) -> None:
    out = tmp_path / "131"
    # two sampled orderings: each ordering's marginal contributions add up to the total
    # exactly, so the sum is exact for any number of them (and the study is small)
    assert main(["explain", "nanan_131", "--vs", "baseline", *SMALL, "--permutations", "2",
                 "--workers", "1", "--quiet", "--out", str(out)]) == 0
    table = pd.read_csv(out / ATTRIBUTION)
    for outcome, rows in table[table["kind"] != "mechanism"].groupby("outcome"):
        assert abs(rows["shapley"].sum() - rows["total"].iloc[0]) < 1e-9, outcome
    mech = table[table["kind"] == "mechanism"]
    assert {"face", "mobilisation", "pooled_money", "supervision"} <= set(mech["player"])
    assert mech["shapley"].isna().all() and mech["knock_out"].notna().all()
    # by construction: the covenant acts only through its rules, so switching its rules off
    # in the design is removing it (nothing needs it), and the two answers are one
    ko = table[(table["player"] == "covenant")].set_index("outcome")["knock_out"]
    rules = mech[mech["player"] == "covenant_rules"].set_index("outcome")["knock_out"]
    assert np.allclose(ko.sort_index(), rules.sort_index(), atol=1e-12)
    html = (out / HTML).read_text(encoding="utf-8")
    assert "在本模型中" in html and "<script" not in html and "http" not in html


def test_resume_after_a_kill_gives_the_same_attribution(tmp_path: Path) -> None:
    args = ["explain", "nanan_131", "--vs", "baseline", *SMALL, "--no-mechanisms",
            "--permutations", "3", "--lang", "en", "--quiet"]
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args, "--workers", "1",
                             "--out", str(out)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + WAIT
        while len(part_files(out)) < 10 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "the explanation ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=WAIT)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=WAIT)
    killed_at = len(part_files(out))
    assert 10 <= killed_at < 160, killed_at
    assert not (out / ATTRIBUTION).exists()
    assert main([*args, "--out", str(out), "--workers", "1"]) == 2  # without --resume
    assert len(part_files(out)) == killed_at
    assert main([*args[:-1], "--seeds", "3", "--out", str(out), "--resume"]) == 2
    assert main([*args, "--out", str(out), "--resume", "--workers", "1"]) == 0
    whole = tmp_path / "whole"
    assert main([*args, "--out", str(whole), "--workers", "1"]) == 0
    assert (out / ATTRIBUTION).read_bytes() == (whole / ATTRIBUTION).read_bytes()


def test_scheduler_gives_the_local_attribution(toy: Path, toy_out: Path, tmp_path: Path,
                                               dask_cluster: str) -> None:  # noqa: F811
    out = tmp_path / "dask"
    assert main(["explain", str(toy), "--vs", toy_ref(toy), *SMALL, "--quiet", "--lang", "en",
                 "--scheduler", dask_cluster, "--out", str(out)]) == 0
    assert (out / ATTRIBUTION).read_bytes() == (toy_out / ATTRIBUTION).read_bytes()


@pytest.mark.parametrize(("argv", "field"), [
    (["nanan_13", "--vs", "baseline"], "nanan_13"),
    (["baseline", "--vs", "baseline"], "--vs"),
    (["nanan_131", "--vs", "baseline", "--outcomes", "conditon"], "--outcomes"),
    (["nanan_131", "--vs", "baseline", "--uncertainty", "0"], "--uncertainty"),
    (["nanan_131", "--vs", "baseline", "--seeds", "0"], "--seeds"),
    (["nanan_131", "--vs", "baseline", "--workers", "0"], "--workers"),
    (["nanan_131", "--vs", "baseline", "--resume", "--force"], "--force"),
    (["nanan_131", "--vs", "baseline", "--community", "nowhere"], "--community"),
    # too many parameter sets for the memory: refused before any is drawn (was a numpy
    # MemoryError allocating 101 TiB)
    (["nanan_131", "--vs", "baseline", "--uncertainty", "99999999999"], "--uncertainty"),
])
def test_bad_input_is_one_line_and_writes_nothing(argv: list[str], field: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "never"
    assert main(["explain", *argv, "--steps", "12", "--out", str(out)]) == 2
    one_line(capsys.readouterr().err, field)
    assert not out.exists()


def test_study_sizes_of_the_default_explanation() -> None:
    study = build_study("nanan_131", "baseline", community=COMMUNITY)
    # 11 players (issue 12) is above max_exact = 8: the coalitions are those along the
    # sampled orderings (each ordering passes through players + 1 coalitions), not all 2^11
    assert len(study.game.players) == 11 > study.max_exact
    assert study.coalitions == attribution.needed_coalitions(
        study.game, max_exact=study.max_exact, permutations=study.permutations, seed=0)
    assert len(study.coalitions) <= study.permutations * (len(study.game.players) - 1) + 2
    assert frozenset() in study.coalitions and frozenset(study.game.players) in study.coalitions
    assert len(study.param_sets) == 32
    assert len(study.seeds) == 4
    assert study.n_runs == len(study.variants) * 32 * 4


def test_load_results_reads_an_explanation(toy_out: Path) -> None:
    """An explanation's runs are a sweep's: ``sim.load_results`` reads them, one row per run
    and month, with the coalition, the parameter set and the seed of each."""
    import json

    import sim

    df = sim.load_results(toy_out)
    manifest = json.loads((toy_out / "manifest.json").read_text())
    steps = manifest["steps"]
    assert len(df) == len(manifest["runs"]) * (steps + 1)
    assert {"run_id", "seed", "month", "condition"} <= set(df.columns)
