"""Attribution of an effect to players: knock-out, knock-in and Shapley values (pure math).

An explanation (``sim explain DESIGN --vs REF``, :mod:`sim.experiments.explain`) asks how
much of the difference between two scenarios each of the institutions that differ
contributes. Every subset ``S`` of those *players* is a scenario (REF with the changes of
``S``), and ``v(S)`` is an outcome of it; ``v(∅)`` is REF and ``v(N)`` is DESIGN. This
module computes, from the values ``v(S)``, three answers:

- **knock-out** of ``i``: ``v(N) − v(N ∖ up(i))``, what the design loses without ``i``;
  ``up(i)`` is ``i`` with every player that (transitively) needs it, since what needs ``i``
  cannot stay without it;
- **knock-in** of ``i``: ``v(down(i)) − v(∅)``, what ``i`` does added to the reference alone;
  ``down(i)`` is ``i`` with every player it (transitively) needs;
- the **Shapley value** of ``i``: its marginal contribution ``v(S ∪ {i}) − v(S)`` averaged
  over the orderings of the players.

**Prerequisites.** Some players need others (a supervisory committee without an owners'
committee has nothing to supervise): only coalitions closed under prerequisites are
*feasible* (if ``i ∈ S``, everything ``i`` needs is in ``S``). The Shapley value is then the
one of games with precedence constraints (Faigle & Kern 1992, "The Shapley value for
cooperative games under precedence constraints", Int. J. Game Theory 21: 249–266): the
marginal contributions are averaged over the orderings in which every prerequisite comes
before what needs it (the linear extensions of the precedence order), so every coalition
met along an ordering is feasible. Without prerequisites that is the classical value.
Along any such ordering the marginal contributions add up to ``v(N) − v(∅)``, so the
values are efficient whatever the orderings averaged.

**Exact or sampled.** Up to :data:`MAX_EXACT` players, every feasible coalition is used and
the average over all linear extensions is computed exactly, by counting: with ``e(S)`` the
number of feasible orderings of ``S`` and ``f(S)`` the number of ways to complete ``S`` to
``N``, ``φᵢ = Σ_S e(S)·f(S ∪ {i})·(v(S ∪ {i}) − v(S)) / e(N)`` over feasible ``S ∌ i`` with
``S ∪ {i}`` feasible. Above that, :data:`DEFAULT_PERMUTATIONS` orderings are drawn uniformly
from the linear extensions (uniform random permutations, rejected until one respects the
prerequisites; seeded), and :attr:`Attribution.error` gives the Monte-Carlo standard error
of each value (standard deviation of its marginal contributions over the orderings / √m).

Values ``v(S)`` may be numbers or numpy arrays of one shape (one value per parameter set and
seed, say); every result has that shape, so the same orderings are used everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_EXACT = 8
"""Most players for which Shapley values are computed exactly (over every feasible coalition)."""

DEFAULT_PERMUTATIONS = 2000
"""Orderings sampled above :data:`MAX_EXACT` players."""

MAX_REJECTIONS = 1000
"""Random permutations tried per ordering drawn before the prerequisites are deemed too
restrictive for rejection sampling."""

Coalition = frozenset[str]


@dataclass(frozen=True)
class Game:
    """Players and their prerequisites.

    Attributes:
        players: The players, in the order results are given.
        needs: For each player, the players it needs directly (missing: none).
    """

    players: tuple[str, ...]
    needs: Mapping[str, frozenset[str]]

    def __post_init__(self) -> None:
        if len(set(self.players)) != len(self.players):
            raise ValueError(f"players repeated: {self.players}")
        known = set(self.players)
        for player, needed in self.needs.items():
            if player not in known or not set(needed) <= known:
                raise ValueError(f"needs of {player!r} name players not in the game: "
                                 f"{sorted(set(needed) - known) or player}")
        for player in self.players:
            if player in self.down(player) - {player}:
                raise ValueError(f"the prerequisites of {player!r} form a cycle")

    def down(self, player: str) -> Coalition:
        """``player`` with everything it needs, transitively."""
        seen = {player}
        todo = [player]
        while todo:
            for other in self.needs.get(todo.pop(), frozenset()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
                elif other == player:
                    raise ValueError(f"the prerequisites of {player!r} form a cycle")
        return frozenset(seen)

    def up(self, player: str) -> Coalition:
        """``player`` with everything that needs it, transitively."""
        return frozenset(p for p in self.players if player in self.down(p))

    def feasible(self, coalition: Iterable[str]) -> bool:
        """True if the coalition holds everything its members need."""
        members = set(coalition)
        return all(set(self.needs.get(p, ())) <= members for p in members)

    def coalitions(self) -> list[Coalition]:
        """Every feasible coalition, smallest first (then in the players' order)."""
        out = []
        n = len(self.players)
        for size in range(n + 1):
            for combo in _combinations(self.players, size):
                if self.feasible(combo):
                    out.append(frozenset(combo))
        return out

    def is_ordering(self, order: Sequence[str]) -> bool:
        """True if every prerequisite comes before what needs it in ``order``."""
        seen: set[str] = set()
        for p in order:
            if not set(self.needs.get(p, ())) <= seen:
                return False
            seen.add(p)
        return True


def _combinations(players: Sequence[str], size: int) -> Iterable[tuple[str, ...]]:
    import itertools

    return itertools.combinations(players, size)


@dataclass(frozen=True)
class Attribution:
    """Knock-out, knock-in and Shapley value of every player, and how they were computed.

    Attributes:
        players: The players, in the game's order.
        knock_out: ``v(N) − v(N ∖ up(i))`` per player.
        knock_in: ``v(down(i)) − v(∅)`` per player.
        shapley: The (precedence-constrained) Shapley value per player.
        error: Monte-Carlo standard error of each Shapley value (0 when exact).
        total: ``v(N) − v(∅)``.
        permutations: Orderings sampled (0: exact).
        method: ``"exact"`` or ``"permutation sampling"``.
    """

    players: tuple[str, ...]
    knock_out: dict[str, Any]
    knock_in: dict[str, Any]
    shapley: dict[str, Any]
    error: dict[str, Any]
    total: Any
    permutations: int
    method: str

    def efficiency_gap(self) -> float:
        """Largest ``|Σᵢ φᵢ − (v(N) − v(∅))|`` over the values' elements."""
        if not self.players:
            return float(np.max(np.abs(np.asarray(self.total, dtype=float)), initial=0.0))
        gap = sum(np.asarray(self.shapley[p], dtype=float) for p in self.players) - np.asarray(
            self.total, dtype=float)
        return float(np.max(np.abs(gap), initial=0.0))


def needed_coalitions(game: Game, *, max_exact: int = MAX_EXACT,
                      permutations: int = DEFAULT_PERMUTATIONS, seed: int = 0) -> list[Coalition]:
    """The coalitions whose value :func:`attribute` needs, smallest first.

    Every feasible coalition up to ``max_exact`` players; above, the coalitions met along the
    sampled orderings (:func:`sample_orderings`, the same ``seed``) and those of the knock-outs
    and knock-ins.
    """
    if len(game.players) <= max_exact:
        return game.coalitions()
    full = frozenset(game.players)
    found: set[Coalition] = {frozenset(), full}
    for p in game.players:
        found.add(full - game.up(p))
        found.add(game.down(p))
    for order in sample_orderings(game, permutations, seed=seed):
        for k in range(1, len(order)):
            found.add(frozenset(order[:k]))
    return sorted(found, key=lambda c: (len(c), sorted(game.players.index(p) for p in c)))


def sample_orderings(game: Game, m: int, *, seed: int) -> list[tuple[str, ...]]:
    """``m`` orderings drawn uniformly from those that respect the prerequisites.

    Uniform random permutations are drawn and those that put something before what it needs
    are rejected, so each accepted ordering is uniform over the linear extensions.

    Raises:
        ValueError: If fewer than one permutation in :data:`MAX_REJECTIONS` is accepted.
    """
    rng = np.random.default_rng(seed)
    players = list(game.players)
    out: list[tuple[str, ...]] = []
    while len(out) < m:
        for _ in range(MAX_REJECTIONS):
            order = tuple(players[i] for i in rng.permutation(len(players)))
            if game.is_ordering(order):
                out.append(order)
                break
        else:
            raise ValueError(f"fewer than 1 in {MAX_REJECTIONS} orderings respects the "
                             "prerequisites; rejection sampling is too slow for this game")
    return out


def attribute(game: Game, value: Mapping[Coalition, Any] | Callable[[Coalition], Any], *,
              max_exact: int = MAX_EXACT, permutations: int = DEFAULT_PERMUTATIONS,
              seed: int = 0) -> Attribution:
    """Knock-out, knock-in and Shapley value of every player.

    Args:
        game: The players and their prerequisites.
        value: ``v(S)`` for the coalitions of :func:`needed_coalitions` (a mapping from
            frozensets of players, or a function of one); numbers or arrays of one shape.
        max_exact: Most players for the exact computation.
        permutations: Orderings sampled above ``max_exact`` players.
        seed: Seed of the sampled orderings.

    Returns:
        The :class:`Attribution`.

    Raises:
        KeyError: If ``value`` lacks a coalition needed.
    """
    v: Callable[[Coalition], Any] = value if callable(value) else value.__getitem__

    def val(c: Iterable[str]) -> np.ndarray:
        return np.asarray(v(frozenset(c)), dtype=float)

    full = frozenset(game.players)
    empty = val(())
    top = val(full)
    knock_out = {p: top - val(full - game.up(p)) for p in game.players}
    knock_in = {p: val(game.down(p)) - empty for p in game.players}
    if len(game.players) <= max_exact:
        shapley = _exact(game, val)
        error = {p: np.zeros_like(top) for p in game.players}
        m, method = 0, "exact"
    else:
        shapley, error = _sampled(game, val, permutations, seed)
        m, method = permutations, "permutation sampling"
    return Attribution(players=game.players, knock_out=knock_out, knock_in=knock_in,
                       shapley=shapley, error=error, total=top - empty, permutations=m,
                       method=method)


def _exact(game: Game, val: Callable[[Iterable[str]], np.ndarray]) -> dict[str, np.ndarray]:
    """Shapley values over every linear extension, by counting prefixes and completions."""
    feasible = game.coalitions()
    members = set(feasible)
    full = frozenset(game.players)
    prefix: dict[Coalition, int] = {frozenset(): 1}  # e(S): feasible orderings of S
    for c in feasible[1:]:
        prefix[c] = sum(prefix[c - {p}] for p in c if c - {p} in members)
    suffix: dict[Coalition, int] = {full: 1}  # f(S): ways to complete S to N
    for c in reversed(feasible[:-1]):
        suffix[c] = sum(suffix[c | {p}] for p in full - c if c | {p} in members)
    orderings = prefix[full]
    values = {c: val(c) for c in feasible}
    out = {}
    for p in game.players:
        acc = np.zeros_like(values[full])
        for c in feasible:
            if p in c or (c | {p}) not in members:
                continue
            weight = prefix[c] * suffix[c | {p}]
            if weight:
                acc = acc + weight * (values[c | {p}] - values[c])
        out[p] = acc / orderings
    return out


def _sampled(game: Game, val: Callable[[Iterable[str]], np.ndarray], m: int,
             seed: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Shapley values averaged over ``m`` sampled orderings, with their standard errors."""
    cache: dict[Coalition, np.ndarray] = {}

    def cached(c: Coalition) -> np.ndarray:
        if c not in cache:
            cache[c] = val(c)
        return cache[c]

    total = {p: 0.0 for p in game.players}
    square = {p: 0.0 for p in game.players}
    for order in sample_orderings(game, m, seed=seed):
        before = frozenset()
        for p in order:
            after = before | {p}
            d = cached(after) - cached(before)
            total[p] = total[p] + d
            square[p] = square[p] + d * d
            before = after
    mean = {p: np.asarray(total[p]) / m for p in game.players}
    if m > 1:
        error = {p: np.sqrt(np.maximum(np.asarray(square[p]) / m - mean[p] ** 2, 0.0)
                            * m / (m - 1) / m) for p in game.players}
    else:
        error = {p: np.full_like(mean[p], math.nan) for p in game.players}
    return mean, error
