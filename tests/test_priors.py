"""sim.priors: sampling is stratified and seeded; apply skips absent institutions."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.errors import ConfigError
from sim.experiments.sampling import crossed_plan
from sim.priors import Uncertainty, apply, sample

FACE = Uncertainty(path="behaviour.weights.face", low=0.2, high=1.0, default=0.5,
                   integer=False, source="assumption")
VISITS = Uncertainty(path="design.institutions.party_branch.min_members", low=1, high=5,
                     default=3, integer=True, source="assumption", institution="party_branch")


@pytest.mark.parametrize("method", ["sobol", "lhs"])
def test_every_stratum_of_each_prior_gets_one_set(method):
    """n = 16 sets: each sixteenth of the prior holds exactly one value (both designs are
    stratified in one dimension; a scrambled Sobol' net of 2^4 points is)."""
    sets = sample([FACE], 16, seed=3, method=method)
    u = (np.array([s[FACE.path] for s in sets]) - FACE.low) / (FACE.high - FACE.low)
    assert sorted(np.floor(u * 16).astype(int)) == list(range(16))


def test_sets_are_fixed_by_the_seed_and_integers_stay_whole_and_in_range():
    a = sample([FACE, VISITS], 8, seed=11)
    assert a == sample([FACE, VISITS], 8, seed=11)
    assert a != sample([FACE, VISITS], 8, seed=12)
    assert all(isinstance(s[VISITS.path], int) and 1 <= s[VISITS.path] <= 5 for s in a)


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_a_bad_number_of_sets_is_a_config_error(n):
    with pytest.raises(ConfigError, match="--uncertainty"):
        sample([FACE], n, seed=1)


def test_apply_skips_the_parameters_of_an_absent_institution():
    base = sim.load_config("baseline")
    nanan = sim.load_config("nanan_131")
    values = {FACE.path: 0.3, VISITS.path: 4}
    assert apply(base, values).behaviour.weights.face == 0.3
    assert "party_branch" not in apply(base, values).design.institutions
    assert apply(nanan, values).design.institutions["party_branch"]["min_members"] == 4


def test_crossed_plan_pairs_every_group_with_the_same_sets_and_seeds():
    sets = sample([FACE], 3, seed=1)
    plan = crossed_plan([{"design": "a"}, {"design": "b"}], sets, [5, 6])
    assert len(plan.runs) == 2 * 3 * 2 and len(plan.samples) == 6
    by_group = [[(r["params"]["param_set"], r["params"][FACE.path], r["seed"])
                 for r in plan.runs if r["group"] == g] for g in (0, 1)]
    assert by_group[0] == by_group[1]
    assert len({r["run_id"] for r in plan.runs}) == len(plan.runs)


def test_an_integer_prior_gives_each_whole_number_the_same_weight():
    """[1, 5] at 10 stratified sets: each of 1…5 twice (rounding would give the ends half)."""
    sets = sample([VISITS], 10, seed=2, method="lhs")
    values = sorted(s[VISITS.path] for s in sets)
    assert values == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
