"""Attribution math (sim.experiments.attribution) against answers known analytically."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.experiments.attribution import Game, attribute, needed_coalitions, sample_orderings

TOL = 1e-9


def game(players: str, needs: dict[str, str] | None = None) -> Game:
    return Game(tuple(players), {k: frozenset(v) for k, v in (needs or {}).items()})


def values(g: Game, v) -> dict[frozenset[str], float]:
    return {c: v(c) for c in g.coalitions()}


def test_additive_game_gives_each_player_its_own_value() -> None:
    own = {"a": 1.5, "b": -2.0, "c": 0.25, "d": 4.0}
    g = game("abcd")
    res = attribute(g, values(g, lambda c: 10 + sum(own[p] for p in c)))
    for p, x in own.items():
        assert res.shapley[p] == pytest.approx(x, abs=TOL)
        assert res.knock_out[p] == pytest.approx(x, abs=TOL)
        assert res.knock_in[p] == pytest.approx(x, abs=TOL)
    assert res.method == "exact" and res.efficiency_gap() < TOL


def test_glove_game() -> None:
    # one left glove (L), two right gloves (R1, R2): v = pairs made
    g = Game(("L", "R1", "R2"), {})

    def v(c: frozenset[str]) -> float:
        return float(min("L" in c, ("R1" in c) + ("R2" in c)))

    res = attribute(g, values(g, v))
    assert res.shapley["L"] == pytest.approx(2 / 3, abs=TOL)
    assert res.shapley["R1"] == pytest.approx(1 / 6, abs=TOL)
    assert res.shapley["R2"] == pytest.approx(1 / 6, abs=TOL)
    assert res.knock_out["R1"] == pytest.approx(0.0, abs=TOL)  # the other right glove stays
    assert res.knock_in["L"] == pytest.approx(0.0, abs=TOL)


def test_unanimity_game_and_dummy_player() -> None:
    g = game("abcde")
    res = attribute(g, values(g, lambda c: 3.0 * ({"a", "b", "c"} <= c)))
    for p in "abc":
        assert res.shapley[p] == pytest.approx(1.0, abs=TOL)
    for p in "de":  # dummies
        assert res.shapley[p] == pytest.approx(0.0, abs=TOL)
        assert res.knock_out[p] == pytest.approx(0.0, abs=TOL)
        assert res.knock_in[p] == pytest.approx(0.0, abs=TOL)
    assert res.efficiency_gap() < TOL


def test_efficiency_on_a_random_game_with_arrays() -> None:
    rng = np.random.default_rng(3)
    g = game("abcdef", {"c": "a", "f": "ce"})
    table = {c: rng.normal(size=(4, 3)) for c in g.coalitions()}
    res = attribute(g, table)
    total = table[frozenset("abcdef")] - table[frozenset()]
    assert np.max(np.abs(sum(res.shapley[p] for p in "abcdef") - total)) < TOL
    assert res.shapley["a"].shape == (4, 3)


def test_precedence_three_players_by_hand() -> None:
    # b needs a. Feasible: ∅, a, c, ab, ac, abc. Orderings with a before b: abc, acb, cab.
    g = game("abc", {"b": "a"})
    v = {frozenset(): 0.0, frozenset("a"): 1.0, frozenset("c"): 2.0, frozenset("ab"): 4.0,
         frozenset("ac"): 3.0, frozenset("abc"): 7.0}
    assert set(g.coalitions()) == set(v)
    res = attribute(g, v)
    # abc: a 1, b 3, c 3; acb: a 1, c 2, b 4; cab: c 2, a 1, b 4
    assert res.shapley["a"] == pytest.approx(1.0, abs=TOL)
    assert res.shapley["b"] == pytest.approx(11 / 3, abs=TOL)
    assert res.shapley["c"] == pytest.approx(7 / 3, abs=TOL)
    # knock-out of a removes b with it; knock-in of b adds a with it
    assert res.knock_out["a"] == pytest.approx(7.0 - 2.0, abs=TOL)
    assert res.knock_out["b"] == pytest.approx(7.0 - 3.0, abs=TOL)
    assert res.knock_in["b"] == pytest.approx(4.0, abs=TOL)
    assert res.knock_in["a"] == pytest.approx(1.0, abs=TOL)
    assert res.efficiency_gap() < TOL


def test_exact_is_the_average_over_linear_extensions() -> None:
    rng = np.random.default_rng(7)
    g = game("abcde", {"b": "a", "d": "bc"})
    table = {c: float(rng.normal()) for c in g.coalitions()}
    orders = [o for o in itertools.permutations("abcde") if g.is_ordering(o)]
    brute = dict.fromkeys("abcde", 0.0)
    for o in orders:
        for k, p in enumerate(o):
            brute[p] += table[frozenset(o[:k + 1])] - table[frozenset(o[:k])]
    res = attribute(g, table)
    for p in "abcde":
        assert res.shapley[p] == pytest.approx(brute[p] / len(orders), abs=TOL)


def test_permutation_sampling_within_its_error_of_exact() -> None:
    rng = np.random.default_rng(11)
    players = "abcdefghij"  # 10 players: above MAX_EXACT
    g = game(players, {"b": "a", "j": "i"})
    weights = rng.normal(size=len(players))

    def v(c: frozenset[str]) -> float:  # non-additive: a pairwise interaction
        x = np.array([p in c for p in players], dtype=float)
        return float(weights @ x + 2.0 * x[0] * x[3] - 1.5 * x[4] * x[5] * x[6])

    sampled = attribute(g, v, permutations=4000, seed=1)
    exact = attribute(g, v, max_exact=10)
    assert sampled.method == "permutation sampling" and sampled.permutations == 4000
    assert exact.method == "exact"
    for p in players:
        err = float(sampled.error[p])
        assert abs(sampled.shapley[p] - exact.shapley[p]) <= 4 * err + TOL, p
    assert sampled.efficiency_gap() < TOL
    needed = needed_coalitions(g, permutations=50, seed=1)
    assert all(g.feasible(c) for c in needed)
    assert all(g.is_ordering(o) for o in sample_orderings(g, 50, seed=1))


def test_bad_games_are_refused() -> None:
    with pytest.raises(ValueError, match="cycle"):
        game("ab", {"a": "b", "b": "a"})
    with pytest.raises(ValueError, match="not in the game"):
        game("ab", {"a": "z"})
    with pytest.raises(KeyError):
        attribute(game("ab"), {frozenset(): 0.0})
