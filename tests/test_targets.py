"""Calibration targets as data (issue 13, item 1): the schema, the quantities, the seeds' file.

- a bad targets file is one line naming the field, exit 2 through ``sim targets``;
- every quantity gives the hand-computed value on a synthetic run;
- ``configs/targets/seeds.yaml`` validates and every phrase it quotes is verbatim in its seed;
- :func:`sim.targets.evaluate` runs on a 24-month generic_old_compound model and agrees with
  the quantities computed from the model's own data frames.
"""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import targets as tg
from sim.cli import main
from sim.config import load_config
from sim.errors import ConfigError
from sim.model import CompoundModel
from sim.text import section

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
SEEDS_FILE = ROOT / "configs" / "targets" / "seeds.yaml"
ONE_LINE = re.compile(r"sim: error: (\S+): .+")

GOOD: dict[str, Any] = {
    "name": "rate",
    "label_zh": "缴费率",
    "label_en": "Contribution rate",
    "interval": [0.2, 0.9],
    "unit": "share",
    "quantity": "contribution_rate_mean",
    "community": "generic_old_compound",
    "design": "baseline",
    "months": [1, 12],
    "kind": "calibration",
    "source": {"seed": "seed_001", "phrase": "打平伙"},
}


def file_with(**changes: Any) -> dict[str, Any]:
    """A targets file of one target, ``GOOD`` with ``changes`` (``None`` removes a key)."""
    target = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return {"kind": "targets", "targets": [target]}


# --------------------------------------------------------------------------- schema

BAD = [
    ("unknown key", file_with(valu=3), "targets.0.valu", "did you mean 'value'"),
    ("value and interval", file_with(value=0.5), "targets.0.value", "exactly one"),
    ("neither", file_with(interval=None), "targets.0.value", "exactly one"),
    ("unit not the quantity's", file_with(unit="percent"), "targets.0.unit", "'share'"),
    ("unknown quantity", file_with(quantity="contribution_rate"), "targets.0.quantity",
     "did you mean 'contribution_rate_mean'"),
    ("unknown community", file_with(community="heping"), "targets.0.community",
     "heping_road"),
    ("unknown design", file_with(design=["baseline", "nanan131"]), "targets.0.design",
     "nanan_131"),
    ("low above high", file_with(interval=[0.9, 0.2]), "targets.0.interval", "low must be"),
    ("both ends open", file_with(interval=[None, None]), "targets.0.interval",
     "at least one end"),
    ("NaN figure", file_with(interval=None, value=float("nan")), "targets.0.value",
     "finite"),
    ("tolerance on an interval", file_with(tolerance=0.1), "targets.0.tolerance",
     "goes with value"),
    ("window out of order", file_with(months=[12, 1]), "targets.0.months", "first ≤ last"),
    ("kind", file_with(kind="fit"), "targets.0.kind", "calibration"),
    ("matter missing", file_with(quantity="months_to_resolve", unit="months",
                                 interval=[None, 12]), "targets.0.matter", "matter type"),
    ("matter on a rate", file_with(matter="lights"), "targets.0.matter", "takes no matter"),
    ("unknown matter", file_with(quantity="months_to_resolve", unit="months",
                                 interval=[None, 12], matter="light"),
     "targets.0.matter", "did you mean 'lights'"),
    ("seed name", file_with(source={"seed": "001", "phrase": "x"}),
     "targets.0.source.seed", "seed_NNN"),
    ("seed without phrase", file_with(source={"seed": "seed_001"}),
     "targets.0.source.phrase", "needs the phrase"),
    ("no source kind", file_with(source={}), "targets.0.source", "either seed"),
    ("publication without year", file_with(source={"publication": {
        "author": "A", "title": "T", "table_or_page": "p. 1"}}),
     "targets.0.source.publication.year", "required"),
    ("no targets", {"kind": "targets", "targets": []}, "targets", "at least 1"),
    ("not a targets file", {"kind": "sweep", "targets": []}, "kind", "must be targets"),
]


@pytest.mark.parametrize(("case", "data", "field", "words"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_targets_file_is_one_line_naming_the_field(case: str, data: dict[str, Any],
                                                         field: str, words: str) -> None:
    """Each mistake is a ConfigError on the field it is about, saying what is allowed."""
    with pytest.raises(ConfigError) as err:
        tg.load_targets(data)
    assert err.value.field == field, (case, str(err.value))
    assert words in err.value.message, (case, err.value.message)
    assert "\n" not in str(err.value)


def test_a_duplicate_target_name_names_the_second() -> None:
    """Two targets with one name: the second is named, with where the first was."""
    data = file_with()
    data["targets"].append(copy.deepcopy(GOOD))
    with pytest.raises(ConfigError) as err:
        tg.load_targets(data)
    assert err.value.field == "targets.1.name"
    assert "targets.0" in err.value.message


@pytest.mark.parametrize(("data", "field"), [
    (file_with(unit="%"), "targets.0.unit"),
    (file_with(valu=1), "targets.0.valu"),
    (None, "missing.yaml"),
])
def test_sim_targets_reports_a_bad_file_on_one_line_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], data: dict[str, Any] | None,
        field: str) -> None:
    """Through the command: one line ``sim: error: FIELD: …``, status 2, no traceback."""
    path = tmp_path / "missing.yaml"
    if data is not None:
        path = tmp_path / "bad.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    status = main(["targets", str(path)])
    err = capsys.readouterr().err
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    match = ONE_LINE.fullmatch(lines[0])
    assert match is not None and match[1].rstrip(":").endswith(field), err
    assert "Traceback" not in err


def test_sim_targets_refuses_zero_seeds_and_an_uncovered_design(
        capsys: pytest.CaptureFixture[str]) -> None:
    """--seeds 0 and a design no target covers: one line each, exit 2, nothing run."""
    assert main(["targets", str(SEEDS_FILE), "--seeds", "0"]) == 2
    assert "sim: error: --seeds: must be at least 1" in capsys.readouterr().err
    assert main(["targets", str(SEEDS_FILE), "--design", "huli_six_party"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: --design: no target") and "yimin_compound" in err


# --------------------------------------------------------------------------- quantities


def synthetic(steps: int = 24, matters: pd.DataFrame | None = None) -> tg.Outputs:
    """A made-up run of generic_old_compound (200 households) with known monthly values.

    contribution_rate = month / 100, compliance_rate = 0.9, petitions = 2 a month,
    satisfaction = 0.5 + 0.005 × month, condition = 0.6, volunteer_rate = 0.1 in odd months
    and 0.3 in even ones.
    """
    month = np.arange(steps + 1)
    ts = pd.DataFrame({
        "month": month,
        "contribution_rate": month / 100,
        "compliance_rate": np.full(steps + 1, 0.9),
        "volunteer_rate": np.where(month % 2, 0.1, 0.3),
        "participation_rate": np.full(steps + 1, 0.05),
        "petitions": np.full(steps + 1, 2.0),
        "satisfaction": 0.5 + 0.005 * month,
        "condition": np.full(steps + 1, 0.6),
        "self_funded_share": np.full(steps + 1, 0.4),
        "firm_present_share": np.full(steps + 1, 1.0),
    })
    scn = load_config({"community": "generic_old_compound", "design": "baseline"})
    assert scn.community.n_households == 200
    return tg.Outputs(ts, pd.DataFrame(), scn, matters, steps)


LIGHTS = pd.DataFrame({
    "type": ["lights", "lights", "lights", "drains"],
    "opened": [0.0, 2.0, 3.0, 1.0],
    "resolved": [4.0, 10.0, np.nan, 2.0],
    "handler": ["residents", "firm", "", "residents"],
    "paid": [100.0, 50.0, 0.0, 999.0],
})
"""Three lights matters (fixed in 4 and 8 months, one still open at 24) and one drain."""


@pytest.mark.parametrize(("quantity", "window", "matter", "expected"), [
    ("contribution_rate_mean", (1, 4), None, 0.025),  # (1 + 2 + 3 + 4) / 4 / 100
    ("violation_rate_mean", (1, 24), None, 0.1),  # 1 − 0.9
    ("volunteer_rate_mean", (1, 4), None, 0.2),  # 0.1, 0.3, 0.1, 0.3
    ("participation_rate_mean", (5, 5), None, 0.05),
    ("condition_mean", (1, 24), None, 0.6),
    ("self_funded_share_mean", (13, 24), None, 0.4),
    ("firm_present_share_mean", (1, 12), None, 1.0),
    ("petitions_per_100_households_per_year", (1, 12), None, 12.0),  # 24 / 200 × 100
    ("petitions_per_100_households_per_year", (1, 6), None, 12.0),  # 12 / 200 × 100 × 2
    ("satisfaction_change_per_year", (1, 24), None, 0.06),  # 0.005 a month × 12
    ("months_to_resolve", (0, 24), "lights", 8.0),  # median of 4, 8 and 21 (open at 24)
    ("months_to_resolve", (0, 0), "lights", 4.0),  # only the one opened at month 0
    ("months_to_resolve", (0, 24), "drains", 1.0),
    ("resolved_by_residents_share", (0, 24), "lights", 1 / 3),
    ("resolved_by_residents_share", (3, 24), "lights", 0.0),  # only the open one
    ("matter_paid_total", (0, 24), "lights", 150.0),
])
def test_quantities_give_the_hand_computed_value(quantity: str, window: tuple[int, int],
                                                 matter: str | None, expected: float) -> None:
    """Each quantity on a synthetic run whose answer is computed by hand (tolerance 1e-12)."""
    q = tg.QUANTITIES[quantity]
    assert q.fn(synthetic(matters=LIGHTS), window, matter) == pytest.approx(expected, abs=1e-12)


def test_matter_quantities_without_matters_are_nan_or_refused() -> None:
    """No matter of the type (or no month) in the window gives NaN; no matter log refuses."""
    out = synthetic(matters=LIGHTS)
    assert math.isnan(tg.QUANTITIES["months_to_resolve"].fn(out, (5, 24), "lights"))
    assert math.isnan(tg.QUANTITIES["resolved_by_residents_share"].fn(out, (5, 24), "lights"))
    assert tg.QUANTITIES["matter_paid_total"].fn(out, (5, 24), "lights") == 0.0
    for name, q in tg.QUANTITIES.items():
        if not (q.needs_matter or q.needs_history):  # a window past the run: no value
            assert math.isnan(q.fn(out, (30, 40), None)), name
    with pytest.raises(ConfigError, match="matter log"):
        tg.QUANTITIES["months_to_resolve"].fn(synthetic(), (0, 24), "lights")


def test_every_quantity_is_documented_and_labelled_in_both_languages() -> None:
    """A unit, a docstring for docs/targets.md and a catalogue label in zh and en each."""
    text = section("targets")
    for name, q in tg.QUANTITIES.items():
        assert q.unit and q.doc, name
        assert text["zh"][f"q_{name}"] and text["en"][f"q_{name}"], name


def test_evaluate_judges_intervals_values_and_open_ends() -> None:
    """inside / distance by construction: the synthetic contribution mean over 1–4 is 0.025."""
    base = {k: v for k, v in GOOD.items() if k not in ("interval", "name", "months")}
    spec = tg.load_targets({"kind": "targets", "targets": [
        {**base, "name": "inside", "interval": [0.02, 0.03], "months": [1, 4]},
        {**base, "name": "above", "interval": [None, 0.02], "months": [1, 4]},
        {**base, "name": "below", "interval": [0.03, None], "months": [1, 4]},
        {**base, "name": "point", "value": 0.03, "months": [1, 4]},
        {**base, "name": "point_tol", "value": 0.03, "tolerance": 0.005, "months": [1, 4]},
        {**base, "name": "elsewhere", "interval": [0, 1], "community": "heping_road"},
    ]})
    table = tg.evaluate(spec, synthetic()).set_index("target")
    assert list(table.columns) == list(tg.COLUMNS[1:])
    assert table["simulated"].to_numpy() == pytest.approx([0.025] * 5)
    assert table["inside"].tolist() == [True, False, False, pd.NA, True]
    assert table["distance"].to_numpy() == pytest.approx([0, 0.005, 0.005, 0.005, 0])
    assert table.loc["above", "observed"] == "≤ 0.02"
    assert table.loc["point_tol", "observed"] == "0.03 ± 0.005"
    assert table.attrs["not_applicable"] == ["elsewhere"]


# --------------------------------------------------------------------------- the seeds' file


def test_the_seeds_targets_file_validates() -> None:
    """configs/targets/seeds.yaml loads; every target names a real quantity and a source."""
    spec = tg.load_targets(SEEDS_FILE)
    assert len(spec.targets) >= 5
    assert {t.kind for t in spec.targets} == {"calibration", "validation"}
    for t in spec.targets:
        assert t.note.strip(), t.name


def test_every_seed_phrase_is_verbatim_in_its_seed() -> None:
    """No invented quotation: each ``phrase`` is found as written in ``seeds/NNN_*.txt``."""
    spec = tg.load_targets(SEEDS_FILE)
    quoted = [t for t in spec.targets if t.source.seed is not None]
    assert quoted
    for t in quoted:
        assert t.source.seed is not None and t.source.phrase is not None
        (seed,) = SEEDS.glob(f"{t.source.seed.removeprefix('seed_')}_*.txt")
        assert t.source.phrase in seed.read_text(encoding="utf-8"), (t.name, t.source.phrase)


# --------------------------------------------------------------------------- on a real run


GENERIC = {"community": "generic_old_compound", "design": "baseline"}


@pytest.fixture(scope="module")
def model24() -> CompoundModel:
    """generic_old_compound under the baseline, 24 months, seed 3."""
    model = CompoundModel(load_config(GENERIC), rng=3)
    model.run(24)
    return model


@pytest.fixture(scope="module")
def recorded24() -> tg.Outputs:
    """The same run, recorded with the households' history."""
    return tg.run_recorded(CompoundModel(load_config(GENERIC), rng=3), 24)


def test_recording_a_run_leaves_it_unchanged(model24: CompoundModel,
                                             recorded24: tg.Outputs) -> None:
    """run_recorded steps the model as run() does: the same frames, bit for bit."""
    from sim.output import timeseries_frame

    pd.testing.assert_frame_equal(recorded24.timeseries, timeseries_frame(model24))
    pd.testing.assert_frame_equal(recorded24.compounds, model24.compound_dataframe())
    h = recorded24.history
    assert h is not None and h.petitioned.shape == (25, 200)
    assert not h.petitioned[0].any()
    assert h.participated[1:].mean(axis=1) == pytest.approx(
        recorded24.timeseries["participation_rate"].to_numpy()[1:], abs=1e-12)
    assert h.petitioned[1:].sum(axis=1) == pytest.approx(
        recorded24.timeseries["petitions"].to_numpy()[1:])
    with pytest.raises(ConfigError, match="already run"):
        tg.run_recorded(model24, 1)


def test_evaluate_on_a_24_month_generic_old_compound_model(model24: CompoundModel,
                                                           recorded24: tg.Outputs) -> None:
    """Every kind of quantity runs on a real model and agrees with its own data frames."""
    base = {k: v for k, v in GOOD.items() if k not in ("interval", "name", "months",
                                                        "quantity", "unit")}
    rows = [{**base, "name": name, "quantity": name, "unit": q.unit, "interval": [None, 1e9],
             "months": [0 if q.needs_matter else 1, 24],
             **({"matter": "lights"} if q.needs_matter else {})}
            for name, q in tg.QUANTITIES.items()]
    spec = tg.load_targets({"kind": "targets", "targets": rows})
    table = tg.evaluate(spec, recorded24).set_index("target")
    assert list(table.index) == list(tg.QUANTITIES)
    ts = model24.datacollector.get_model_vars_dataframe().loc[1:24]
    assert table.loc["contribution_rate_mean", "simulated"] == pytest.approx(
        ts["contribution_rate"].mean(), abs=1e-12)
    assert table.loc["violation_rate_mean", "simulated"] == pytest.approx(
        1 - ts["compliance_rate"].mean(), abs=1e-12)
    assert table.loc["petitions_per_100_households_per_year", "simulated"] == pytest.approx(
        ts["petitions"].sum() / 200 * 100 * 12 / 24, abs=1e-12)
    rates = [n for n, q in tg.QUANTITIES.items() if q.unit == "share" and not q.needs_matter]
    assert table.loc[rates, "simulated"].between(0, 1).all()
    assert table["inside"].fillna(True).all()
    history = [i for i, q in enumerate(tg.QUANTITIES.values()) if q.name.startswith("former")]
    with pytest.raises(ConfigError) as err:  # a plain run has no household history
        tg.evaluate(spec, model24)
    assert err.value.field == f"targets.{history[0]}.quantity"
    assert "run_recorded" in err.value.message


def test_evaluate_refuses_a_window_past_the_run_and_a_run_no_target_fits(
        model24: CompoundModel) -> None:
    """A window ending after month 24, and targets for other communities only: one line each."""
    with pytest.raises(ConfigError) as err:
        tg.evaluate(tg.load_targets(file_with(months=[1, 36])), model24)
    assert err.value.field == "targets.0.months" and "run at least 36" in err.value.message
    with pytest.raises(ConfigError) as err:
        tg.evaluate(tg.load_targets(file_with(community="heping_road")), model24)
    assert err.value.field == "targets" and "generic_old_compound" in err.value.message


def test_sim_targets_prints_observed_and_simulated_and_the_misses(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """At the defaults, 2 seeds of 6 months: a target no run can meet is named as missed."""
    base = {k: v for k, v in GOOD.items() if k not in ("interval", "name", "months")}
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump({"kind": "targets", "targets": [
        {**base, "name": "any_rate", "interval": [0, 1], "months": [1, 6]},
        {**base, "name": "impossible", "interval": [1.5, None], "months": [1, 6]},
    ]}, allow_unicode=True), encoding="utf-8")
    assert main(["targets", str(path), "--design", "baseline", "--seeds", "2",
                 "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "baseline · generic_old_compound: defaults, 2 seeds (0, 1), 6 months" in out
    assert re.search(r"any_rate: observed \[0, 1\] share; simulated median \S+ .*→ hit", out)
    assert "impossible (baseline · generic_old_compound)" in out.splitlines()[-1]


def test_docs_describe_every_quantity_and_every_shipped_target() -> None:
    """docs/targets.md names each quantity (with its unit) and each target of seeds.yaml."""
    doc = (ROOT / "docs" / "targets.md").read_text(encoding="utf-8")
    for name, q in tg.QUANTITIES.items():
        assert f"| `{name}` | {q.unit} |" in doc, name
    for t in tg.load_targets(SEEDS_FILE).targets:
        assert f"`{t.name}`" in doc, t.name


def test_sim_targets_names_the_nearest_preset_for_a_misspelt_one(
        capsys: pytest.CaptureFixture[str]) -> None:
    """--community yimin: one line naming the option and the preset meant."""
    assert main(["targets", str(SEEDS_FILE), "--community", "yimin"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sim: error: --community: unknown community 'yimin'")
    assert "yimin_compound" in err and len(err.splitlines()) == 1


def test_a_publication_source_is_accepted_and_cited_in_one_line() -> None:
    """author, year, title, table_or_page and url: the citation a table shows."""
    pub = {"author": "Xu Fan", "year": 2009, "title": "Tenants take charge",
           "table_or_page": "paragraph 9",
           "url": "https://global.chinadaily.com.cn/metro/2009-11/23/content_9020347.htm"}
    spec = tg.load_targets(file_with(source={"publication": pub}))
    text = tg.source_text(spec.targets[0].source)
    assert text == ("Xu Fan (2009), Tenants take charge, paragraph 9, "
                    "https://global.chinadaily.com.cn/metro/2009-11/23/content_9020347.htm")
    with pytest.raises(ConfigError) as err:
        tg.load_targets(file_with(source={"publication": {**pub, "url": "chinadaily"}}))
    assert err.value.field == "targets.0.source.publication.url"
    with pytest.raises(ConfigError) as err:
        tg.load_targets(file_with(source={"publication": pub, "phrase": "x"}))
    assert err.value.field == "targets.0.source.phrase"


def test_former_petitioners_activity_ratio_by_hand() -> None:
    """Four households, window 1–4: petitioners in months 1–2, activity counted in 3–4.

    Households 0 and 1 petitioned early. Later, household 0 is active both months (volunteers
    in 3, deliberates in 4), household 2 once (both in month 3 count once), the others never:
    all households 3 of 8 household-months, former petitioners 2 of 4, ratio (1/2)/(3/8).
    """
    shape = (5, 4)
    petitioned, volunteered, participated = (np.zeros(shape, dtype=bool) for _ in range(3))
    petitioned[1, 0] = petitioned[2, 1] = True
    petitioned[3, 3] = True  # in the second half: not a former petitioner
    volunteered[3, 0] = participated[4, 0] = True
    volunteered[3, 2] = participated[3, 2] = True
    out = tg.Outputs(pd.DataFrame({"month": range(5)}), pd.DataFrame(), synthetic().scenario,
                     None, 4, tg.History(petitioned, volunteered, participated))
    q = tg.QUANTITIES["former_petitioners_activity_ratio"]
    assert q.fn(out, (1, 4), None) == pytest.approx(4 / 3, abs=1e-12)
    assert q.fn(out, (3, 4), None) == 0.0  # month 3's petitioner is not active in month 4
    assert math.isnan(q.fn(out, (2, 2), None))  # one month has no second half
    with pytest.raises(ConfigError, match="history"):
        q.fn(synthetic(), (1, 4), None)
