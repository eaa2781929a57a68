"""The owners' congress (sim.institutions.congress): ``formation: congress`` of the committee.

Three kinds of check: the arithmetic of the law on hand-made compounds (民法典 art. 278 by
area *and* by number; 双过半 of the Property Law), the procedure on small compounds whose
households are made deterministic, and the acceptance test of issue 12 on Heping Road under
the baseline (committees form in some compounds and not others, more where participation is
higher; none where the congress is impossible, and then the run is the run without it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.institutions.committees import OwnersCommittee
from sim.institutions.congress import passes
from sim.mechanisms import mechanism, switch_off
from sim.population import OWNER

# ============================================================================ the law

# Six owners; areas 200, 100, 100, 50, 50, 50 (total 550 m²: two thirds 366.7, half 275).
AREA = np.array([200.0, 100.0, 100.0, 50.0, 50.0, 50.0])


def civil(*cases: tuple[list[int], list[int]], law: str = "civil_code_2021") -> list[bool]:
    """One compound per case ``(owners taking part, owners approving)``; whether each passes."""
    n = len(cases)
    compound = np.repeat(np.arange(n), AREA.size)
    takes = np.zeros((n, AREA.size), dtype=bool)
    yes = np.zeros((n, AREA.size), dtype=bool)
    for c, (part, approve) in enumerate(cases):
        takes[c, part] = True
        yes[c, approve] = True
    out = passes(law, compound, np.tile(AREA, n), takes.ravel(), yes.ravel(), n)  # type: ignore[arg-type]
    return [bool(x) for x in out]


def test_art278_needs_two_thirds_of_area_and_of_owners_taking_part() -> None:
    assert civil(
        ([0, 1, 2, 3], [0, 1, 2]),   # 4/6 owners (= 2/3), 450 m² ≥ 366.7; 3 > 2 and 400 > 225
        ([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]),  # 5/6 owners but 350 m² < 366.7: fails by area
        ([0, 1, 2], [0, 1, 2]),      # 400 m² ≥ 366.7 but 3/6 owners < 2/3: fails by number
        ([0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]),  # everyone, everyone approves
    ) == [True, False, False, True]


def test_art278_needs_more_than_half_of_those_taking_part_by_area_and_by_number() -> None:
    assert civil(
        ([0, 1, 2, 3, 4, 5], [1, 3, 4, 5]),  # 4 > 3 by number, but 250 m² < 275 of 550
        ([0, 1, 2, 3, 4, 5], [0, 1]),        # 300 m² > 275, but 2 < 3 by number
        ([0, 1, 2, 3], [0, 3]),              # exactly half by number (2 of 4): not more
        ([0, 1, 2, 3], [1, 2, 3]),           # 3 of 4; 250 m² of 450 > 225
        # approvals of owners who do not take part do not count: 2 of 4 take part and approve
        ([0, 1, 2, 3], [0, 3, 4, 5]),
    ) == [False, False, False, True, False]


def test_property_law_needs_more_than_half_of_all_area_and_all_owners() -> None:
    law = "property_law_2007"
    assert civil(
        ([0, 1, 2, 3], [0, 1, 2, 3]),        # 4 of 6 and 450 of 550 approve: 双过半
        ([0, 1, 2, 3, 4, 5], [0, 1, 2]),     # 3 of 6 is not more than half
        ([0, 1, 2, 3, 4, 5], [1, 3, 4, 5]),  # 4 of 6, but 250 of 550 m² is not
        ([0, 1, 3, 4], [0, 1, 3, 4]),        # only 4 take part (civil code would fail) - passes
        law=law,
    ) == [True, False, False, True]
    # the same approvals under art. 278: the fourth has 4/6 owners but 400 m² ≥ 366.7 → passes
    assert civil(([0, 1, 3, 4], [0, 1, 3, 4])) == [True]
    assert civil(([0, 3, 4, 5], [0, 3, 4, 5])) == [False]  # 350 m² < 366.7 takes part


def test_a_compound_without_owners_never_passes() -> None:
    empty = np.zeros(0, dtype=bool)
    for law in ("civil_code_2021", "property_law_2007"):
        out = passes(law, np.zeros(0, dtype=np.int64), np.zeros(0), empty, empty, 2)  # type: ignore[arg-type]
        assert not out.any() and out.shape == (2,)


# ============================================================================ the procedure

EVERYONE = {"noise": 0.0, "base": {"contribute": 20.0, "comply": 20.0, "volunteer": -20.0,
                                   "participate": 20.0}}
NOBODY = {"noise": 0.0, "base": {"contribute": 20.0, "comply": 20.0, "volunteer": -20.0,
                                 "participate": -20.0}}


def small(congress: dict[str, Any], households: tuple[int, ...] = (60, 60),
          behaviour: dict[str, Any] | None = None, firm: tuple[bool, ...] | None = None,
          **sections: Any) -> sim.Scenario:
    """Compounds of owners only, no matters arriving, a committee by congress."""
    firm = firm or (False,) * len(households)
    groups = [{"name": f"c{i}", "households": hh, "buildings": 2, "units_per_building": 2,
               "owner_share": 1.0, "floating_share": 0.0, "firm": f}
              for i, (hh, f) in enumerate(zip(households, firm, strict=True))]
    data: dict[str, Any] = {
        "community": {"groups": groups},
        "design": {"name": "t", "institutions": {
            "owners_committee": {"formation": "congress", **congress}, **sections.pop(
                "institutions", {})}},
        "matters": {"arrival_scale": 0.0},
        "behaviour": behaviour or EVERYONE,
    }
    data.update(sections)
    return sim.load_config(data)


def committee(model: sim.CompoundModel) -> OwnersCommittee:
    return next(i for i in model.institutions if isinstance(i, OwnersCommittee))


SURE = {"turnout_active": 1.0, "turnout_passive": 1.0, "approval": 1.0, "approval_trust": 0.0}


def test_owners_only_vote_and_areas_follow_the_distribution() -> None:
    scn = small({**SURE, "area_median": 90.0, "area_sigma": 0.25}, households=(4000,))
    model = sim.CompoundModel(scn, rng=0)
    area = committee(model).congress.area  # type: ignore[union-attr]
    assert np.median(area) == pytest.approx(90.0, rel=0.03)
    assert np.std(np.log(area)) == pytest.approx(0.25, rel=0.05)
    assert (model.population.tenure == OWNER).all()


def test_the_group_forms_after_sustained_participation_and_the_congress_elects() -> None:
    scn = small({**SURE, "formation_months": 3})
    model = sim.CompoundModel(scn, rng=0)
    congress = committee(model).congress
    assert congress is not None
    seen = []
    for _ in range(5):
        model.step()
        seen.append(bool(model.selfgov.bodies["committee"].all()))
    assert seen == [False, False, True, True, True]  # streak 3 at the end of month 3
    assert congress.held.tolist() == [1, 1] and congress.passed.tolist() == [1, 1]
    assert congress.elected.tolist() == [3, 3]


def test_no_participation_no_group_no_congress() -> None:
    model = sim.CompoundModel(small(SURE, behaviour=NOBODY), rng=0).run(24)
    congress = committee(model).congress
    assert congress is not None and congress.held.sum() == 0
    assert not model.selfgov.bodies["committee"].any()


def test_term_ends_in_a_re_election_or_a_lapse() -> None:
    model = sim.CompoundModel(small({**SURE, "formation_months": 1, "term_months": 6}), rng=0)
    congress = committee(model).congress
    assert congress is not None
    model.run(13)  # elected at 1, re-elected at 7 and 13
    assert congress.held.tolist() == [3, 3] and congress.passed.tolist() == [3, 3]
    assert congress.elected.tolist() == [13, 13] and congress.lapsed.sum() == 0
    # a re-election nobody approves: the committee lapses and a group must wait to retry
    congress.params = congress.params.model_copy(update={"approval": 0.0})
    model.run(6)
    assert not model.selfgov.bodies["committee"].any()
    assert congress.lapsed.tolist() == [1, 1]
    assert congress.wait_until.tolist() == [19 + 12, 19 + 12]
    model.run(6)  # 25 < 31: no new group yet
    assert congress.held.tolist() == [4, 4]


def test_a_failed_congress_waits_retry_months() -> None:
    scn = small({**SURE, "approval": 0.0, "formation_months": 2, "retry_months": 5})
    model = sim.CompoundModel(scn, rng=0).run(13)
    congress = committee(model).congress
    assert congress is not None
    assert congress.held.tolist() == [3, 3]  # months 2, 7, 12
    assert not model.selfgov.bodies["committee"].any()


def test_committee_dissolves_when_participation_collapses() -> None:
    model = sim.CompoundModel(small({**SURE, "formation_months": 2,
                                     "dissolve_participation": 0.5}), rng=0)
    model.run(3)
    assert model.selfgov.bodies["committee"].all()
    congress = committee(model).congress
    assert congress is not None
    # nobody takes part any more: two months below 0.5 and the committee is gone
    none, zero = np.zeros(2, dtype=bool), np.zeros(2)
    assert congress.month_end(model, none, zero, 2).all()
    assert not congress.month_end(model, none, zero, 2).any()
    assert congress.lapsed.tolist() == [1, 1]


def formed(scn: sim.Scenario, seeds: range, months: int) -> float:
    """Share of compounds with a committee after ``months``, over seeds."""
    shares = [sim.CompoundModel(scn, rng=s).run(months).selfgov.bodies["committee"].mean()
              for s in seeds]
    return float(np.mean(shares))


def test_branch_support_government_and_firm_change_the_odds() -> None:
    # nobody takes part in affairs, so everyone turns out with turnout_passive = 0.5: in 60
    # owners, two thirds (40) are reached with chance P(Bin(60, 0.5) ≥ 40) ≈ 0.007
    base = {"turnout_active": 1.0, "turnout_passive": 0.5, "approval": 1.0,
            "approval_trust": 0.0, "formation_months": 1, "formation_participation": 0.0}
    def share(params: dict[str, Any], **kw: Any) -> float:
        return formed(small({**base, **params}, behaviour=NOBODY, **kw), range(3), 1)

    assert share({}) == 0.0
    assert share({"government_organises": 1.0}) == 1.0
    grid = {"party_branch": {"grid_branch": True}}
    assert share({"branch_support": 1.0}, institutions=grid) == 1.0
    assert share({"branch_support": 1.0}) == 0.0  # no branch: no support
    firm = small({**base, "government_organises": 1.0, "firm_obstruction": 0.5},
                 firm=(True, False), behaviour=NOBODY)
    model = sim.CompoundModel(firm, rng=0).run(1)
    assert model.selfgov.bodies["committee"].tolist() == [False, True]


def test_misuse_factor_multiplies_the_chance_of_misuse() -> None:
    scn = small({"formation": "all", "misuse_prob": 1.0, "misuse_share": 0.5},
                households=(60,))
    model = sim.CompoundModel(scn, rng=0)
    model.ledger.deposit("pooled", np.array([1000.0]))
    model.selfgov.misuse_factor[:] = 0.0
    model.run(2)
    assert model.selfgov.misused_total[0] == 0.0
    model.selfgov.misuse_factor[:] = 1.0
    model.run(1)
    assert model.selfgov.misused_total[0] > 0.0


# ============================================================================ acceptance


def heping(**changes: Any) -> sim.Scenario:
    return sim.load_config("baseline").override({"community": "heping_road", **changes})


SEEDS = range(3)


def test_baseline_committees_form_in_some_compounds_depending_on_participation() -> None:
    scn = heping()
    assert scn.design.institutions["owners_committee"]["formation"] == "congress"
    shares = [sim.CompoundModel(scn, rng=s).run(120).selfgov.bodies["committee"].mean()
              for s in SEEDS]
    assert all(0.0 < s < 0.5 for s in shares), shares  # some compounds, not others
    share = float(np.mean(shares))
    more = formed(heping(**{"behaviour.base.participate": -0.9}), SEEDS, 120)
    easier = formed(heping(**{"design.institutions.owners_committee.formation_participation":
                              0.05}), SEEDS, 120)
    assert more > share + 0.02, (share, more)
    assert easier > share + 0.02, (share, easier)


def test_without_turnout_no_committee_forms_and_the_run_is_the_baseline_without_it() -> None:
    on = heping()
    off = switch_off(on, mechanism("congress"))
    assert off is not on
    data = on.model_dump()
    del data["design"]["institutions"]["owners_committee"]
    without = sim.load_config(data)
    for seed in SEEDS:
        a = sim.CompoundModel(off, rng=seed).run(120)
        b = sim.CompoundModel(without, rng=seed).run(120)
        assert not a.selfgov.bodies["committee"].any()
        assert a.datacollector.get_model_vars_dataframe().equals(
            b.datacollector.get_model_vars_dataframe())
        assert a.compound_dataframe().equals(b.compound_dataframe())
        assert np.array_equal(a.population.trust, b.population.trust)


def test_the_switch_changes_nothing_where_committees_exist_from_the_start() -> None:
    """Under ``formation: all`` (the 131 design) no congress is held, so turnout 0 is inert."""
    on = sim.load_config("nanan_131").override({"community": "yimin_compound"})
    off = switch_off(on, mechanism("congress"))
    assert off is not on
    a, b = sim.CompoundModel(on, rng=1).run(24), sim.CompoundModel(off, rng=1).run(24)
    assert a.datacollector.get_model_vars_dataframe().equals(
        b.datacollector.get_model_vars_dataframe())
