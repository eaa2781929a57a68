"""Three-affairs triage (sim.institutions.triage): big → government, small → residents,
private → household.

The triage changes how ``government_service`` and the households' own fixing treat each
category; the tests compare runs with and without it over several seeds and read delays
(months from opening to resolution) from the log of resolved matters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.institutions.triage import ThreeAffairsTriage


def scenario(institutions: dict[str, Any], count: int = 4, **sections: Any) -> sim.Scenario:
    data: dict[str, Any] = {
        "community": {"groups": [{"name": "c", "count": count, "households": 100}]},
        "design": {"name": "t", "institutions": institutions},
    }
    data.update(sections)
    return sim.load_config(data)


def with_triage(institutions: dict[str, Any], **triage: Any) -> dict[str, Any]:
    return {**institutions, "three_affairs_triage": triage}


def resolved(scn: sim.Scenario, seeds: range, months: int) -> pd.DataFrame:
    """Resolved matters of several runs, with category and delay."""
    frames = []
    for seed in seeds:
        model = sim.CompoundModel(scn, rng=seed).run(months)
        log = model.matters.log_frame()
        log["seed"] = seed
        frames.append(log)
    log = pd.concat(frames, ignore_index=True)
    category = {t.name: t.category for t in scn.matters.types}
    log["category"] = log["type"].map(category)
    log["delay"] = log["resolved"] - log["opened"]
    return log


GOVERNMENT = {"government_service": {}}


# ----------------------------------------------------------------------------- setup


def test_setup_routes_matters_and_relieves_staff():
    model = sim.CompoundModel(scenario(with_triage(GOVERNMENT, relief=0.8, guide_private=0.15)),
                              rng=0)
    sg = model.selfgov
    assert sg.government_handles_small is False
    assert sg.big_speedup == pytest.approx(1.8)
    np.testing.assert_allclose(sg.private_fix_bonus, 0.15)
    plain = sim.CompoundModel(scenario(GOVERNMENT), rng=0).selfgov
    assert plain.government_handles_small is True and plain.big_speedup == 1.0
    assert (plain.private_fix_bonus == 0).all()


def test_community_staff_visit_a_share_of_households():
    scn = scenario(with_triage({}, visit_share=0.1, trust_gain=0.2),
                   community={"groups": [{"name": "a", "households": 100},
                                         {"name": "b", "households": 45}]},
                   population={"trust": 0.5})
    model = sim.CompoundModel(scn, rng=0)
    next(i for i in model.institutions if isinstance(i, ThreeAffairsTriage)
         ).before_decisions(model)
    pop = model.population
    visited = pop.trust > 0.5
    np.testing.assert_array_equal(model.compounds.total(visited), [10, 4])  # round(4.5) = 4
    np.testing.assert_allclose(pop.trust[visited], 0.6)
    assert (pop.mobilisation[visited] == 1).all() and (pop.mobilisation[~visited] == 0).all()


# ----------------------------------------------------------------------------- routing


def test_triage_routes_by_category():
    """With triage, government resolves big matters only; without it, small ones too."""
    log = resolved(scenario(with_triage(GOVERNMENT)), range(3), 48)
    by_government = log[log["handler"] == "government"]
    assert len(by_government) > 50
    assert set(by_government["category"]) == {"big"}
    assert set(log.loc[log["category"] == "private", "handler"]) == {"household"}
    plain = resolved(scenario(GOVERNMENT), range(3), 48)
    assert set(plain.loc[plain["handler"] == "government", "category"]) == {"big", "small"}


def test_under_triage_small_matters_are_the_residents():
    institutions = with_triage({"deliberation_council": {}, "owners_committee": {},
                                "government_service": {}})
    log = resolved(scenario(institutions), range(3), 48)
    small = log[log["category"] == "small"]
    assert len(small) > 10 and set(small["handler"]) == {"residents"}
    assert set(log.loc[log["category"] == "big", "handler"]) == {"government"}


def test_government_leaves_matters_in_a_residents_project_alone():
    """Even without triage, a matter the owners' committee has taken up is not taken over."""
    scn = scenario({"owners_committee": {"self_approve": 1.0, "max_months": 600},
                    "government_service": {"months_small": 1.0}},
                   count=2, matters={"arrival_scale": 0.0},
                   community={"groups": [{"name": "c", "count": 2, "households": 100,
                                          "open_matters": ["lights"]}]},
                   behaviour={"noise": 0.0, "base": {"contribute": -20.0}})
    model = sim.CompoundModel(scn, rng=0).run(12)
    assert model.matters.in_project.all() and model.matters.n_open == 2
    assert model.matters.log_frame().empty


# ----------------------------------------------------------------------------- speed


def test_big_matters_taken_up_faster_with_triage():
    """Default parameters, over seeds: the government's delay on big matters falls."""
    seeds = range(5)
    plain = resolved(scenario(GOVERNMENT), seeds, 60)
    triaged = resolved(scenario(with_triage(GOVERNMENT)), seeds, 60)

    def delays(log: pd.DataFrame) -> pd.Series:
        big = log[(log["category"] == "big") & (log["handler"] == "government")]
        return big.groupby("seed")["delay"].mean()

    before, after = delays(plain), delays(triaged)
    assert after.mean() < 0.8 * before.mean()
    assert (after < before).sum() >= 4


def test_relief_alone_sets_the_speed_of_big_matters():
    """Without petitions, participation or visits in play, the monthly chance that
    government takes up a big matter is (1 + relief) / months_big, so the mean delay of a
    geometric wait is (1 − p) / p: 5 months without triage, 3 with relief 0.5.
    """
    government = {"government_service": {"months_big": 6.0, "petition_boost": 0.0,
                                          "participation_boost": 0.0}}
    expected = {False: 5.0, True: 3.0}
    for triage, mean in expected.items():
        institutions = with_triage(government, relief=0.5, visit_share=0.0) if triage \
            else government
        log = resolved(scenario(institutions, matters={"arrival_scale": 3.0}), range(2), 120)
        big = log[(log["category"] == "big") & (log["handler"] == "government")
                  & (log["opened"] < 60)]  # opened early enough to be resolved by month 120
        assert len(big) > 300
        assert big["delay"].mean() == pytest.approx(mean, rel=0.15)


def test_private_matters_settled_faster_with_triage():
    seeds = range(4)
    plain = resolved(scenario(GOVERNMENT), seeds, 48)
    triaged = resolved(scenario(with_triage(GOVERNMENT, guide_private=0.2)), seeds, 48)

    def delays(log: pd.DataFrame) -> pd.Series:
        private = log[(log["category"] == "private") & (log["opened"] < 36)]  # few censored
        return private.groupby("seed")["delay"].mean()

    before, after = delays(plain), delays(triaged)
    # Geometric waits: (1 − 0.3) / 0.3 ≈ 2.3 months without, (1 − 0.5) / 0.5 = 1 with.
    assert before.mean() == pytest.approx(2.33, rel=0.2)
    assert after.mean() == pytest.approx(1.0, rel=0.2)
    assert (after < before).all()
