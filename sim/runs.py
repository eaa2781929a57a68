"""The runs a model advances together, and every random draw made while it steps.

A model advances one run (``CompoundModel(scenario, rng=seed)``) or, on a replicate axis,
several runs of one scenario whose state arrays are the runs' arrays one after the other
(households and compounds run by run). Each run keeps its own generator, seeded once from its
own seed, so a run's data must not depend on the runs it is advanced with. That holds only if
every draw made while stepping says *whose* draws it is making: the draws of one run come
from that run's generator, in the order the run would make them alone.

So no code that runs at step time calls a generator itself. It asks :class:`Runs` for draws
and names their owners — one run index per element drawn for (``runs.households`` for one
draw per household, ``runs.compounds`` for one per compound, ``runs.of(compound_index)`` for
one per open matter or per chosen compound). :class:`Runs` draws, for each run, as many
numbers as the run owns, from the run's generator, and puts them back in the elements'
order. Elements of one run keep their relative order, which is the order the run alone
would have (its households, its compounds, its open matters, each in order).

With one run every method is exactly the generator's own call (``rng.random(n)``), so a
single run's stream — and every recorded fingerprint — is unchanged. Building a model stays
a one-run affair (it uses ``model.rng`` directly): a batch is built run by run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Draw = Callable[[np.random.Generator, int], np.ndarray]


class RunAxisError(RuntimeError):
    """A part of the model that cannot yet advance several runs together."""


class Runs:
    """Generators of the runs a model advances together, and who owns what.

    Args:
        generators: One generator per run, in run order; each is the run's only generator.
        households: Households per run (the model's households are run by run).
        compounds: Compounds per run (the model's compounds are run by run).

    Attributes:
        generators: The runs' generators.
        households: The run of each household (an int array, non-decreasing).
        compounds: The run of each compound (an int array, non-decreasing).
        compound_slices: Each run's compounds, as a slice of the compound axis.
        household_slices: Each run's households, as a slice of the household axis.
    """

    def __init__(self, generators: Sequence[np.random.Generator], households: Sequence[int],
                 compounds: Sequence[int]) -> None:
        if not generators or len(households) != len(generators) or len(compounds) != len(
                generators):
            raise ValueError("runs: one generator, household count and compound count per run")
        self.generators = tuple(generators)
        self._sizes = np.asarray(households, dtype=np.int64)
        self._starts = np.concatenate(([0], np.cumsum(self._sizes)[:-1]))
        self.households = np.repeat(np.arange(len(generators)), self._sizes)
        self.compounds = np.repeat(np.arange(len(generators)), np.asarray(compounds, int))
        self._compound_bounds = np.concatenate(([0], np.cumsum(np.asarray(compounds, int))))
        self.compound_slices = self._slices(self._compound_bounds)
        household_bounds = np.concatenate(([0], np.cumsum(self._sizes)))
        self.household_slices = self._slices(household_bounds)
        self._household_places = _contiguous_places(household_bounds)
        self._compound_places = _contiguous_places(self._compound_bounds)
        self._household_counts = [int(k) for k in self._sizes]
        self._compound_counts = [int(k) for k in np.asarray(compounds, int)]

    @classmethod
    def single(cls, generator: np.random.Generator, households: int, compounds: int) -> Runs:
        """One run: every draw is ``generator``'s own call."""
        return cls([generator], [households], [compounds])

    @property
    def n(self) -> int:
        """Number of runs."""
        return len(self.generators)

    def _slices(self, bounds: np.ndarray) -> tuple[slice, ...]:
        """Each run's elements as a slice of their axis (one run: ``slice(None)``, all of them).

        For values the run alone computes over its whole community (the community columns
        of :func:`sim.metrics.community_metrics`, a run's mean public spirit): a sum over a
        run's slice is the run's own sum, a sum over the whole axis is not. Computed once,
        at construction (``compound_slices``, ``household_slices``).
        """
        if self.n == 1:
            return (slice(None),)
        return tuple(slice(int(bounds[r]), int(bounds[r + 1])) for r in range(self.n))

    def count(self, mask: np.ndarray, owners: np.ndarray | None = None) -> int | np.ndarray:
        """How many of the elements in ``mask`` each run has.

        With one run, the plain count (an int, as a run's counters have always been); with
        several, one count per run (an int array), for counters each run keeps for itself
        (the firms that entered and left, the hotline's calls).

        Args:
            mask: Bool per element.
            owners: The run of each element (default: elements are compounds).
        """
        if self.n == 1:
            return int(np.count_nonzero(mask))
        owners = self.compounds if owners is None else owners
        return np.bincount(owners[mask], minlength=self.n)

    def touched(self, mask: np.ndarray, owners: np.ndarray | None = None) -> np.ndarray:
        """Whether each run has any of the elements in ``mask``, ``(runs,)`` bool.

        A run's gate (a committee somewhere, a caller somewhere): ``owners`` as in
        :meth:`count` (default: elements are compounds).
        """
        if self.n == 1:
            return np.array([bool(mask.any())])
        owners = self.compounds if owners is None else owners
        return np.bincount(owners[mask], minlength=self.n) > 0

    def of(self, compound: np.ndarray) -> np.ndarray:
        """The run of each element that belongs to ``compound`` (compound indices)."""
        return self.compounds[compound]

    def within(self, household: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each household's index within its run, and its run's number of households.

        For rules that use a household's position (a stable tie-break): with several runs
        they must see the numbering the run alone has.
        """
        run = self.households[household]
        return household - self._starts[run], self._sizes[run]

    def where(self, runs: np.ndarray, owners: np.ndarray) -> np.ndarray | None:
        """The elements whose run is in the mask ``runs`` (``None``: every run is).

        For work that a run alone does only when its own gate opens (a committee exists,
        a campaign renovates): with several runs merged, the runs whose gate is shut must
        draw nothing and change nothing. ``None`` when all gates are open, so that a single
        run (or a batch whose gates agree) takes the plain path.

        Args:
            runs: Bool per run: whose gate is open.
            owners: The run of each element (``runs.compounds``, ``runs.households``).
        """
        if runs.all():
            return None
        return runs[owners]

    # ------------------------------------------------------------------ draws

    def random_where(self, owners: np.ndarray, where: np.ndarray | None,
                     fill: float = 1.0) -> np.ndarray:
        """Uniform draws for the elements ``where`` holds, ``fill`` for the others.

        Nothing is drawn for the others, so a run whose elements are all left out draws
        nothing (its stream is the run's alone). ``where=None``: one draw per element, as
        :meth:`random`. The default fill, 1.0, is never below a probability.
        """
        if where is None:
            return self.random(owners)
        out = np.full(np.asarray(owners).shape[0], fill)
        out[where] = self.random(np.asarray(owners)[where])
        return out

    def random_of(self, run: int) -> float:
        """One uniform draw from run ``run``'s generator (for a choice a run makes once)."""
        return float(self.generators[run].random())

    def random(self, owners: np.ndarray, *, columns: int | None = None,
               dtype: type = np.float64) -> np.ndarray:
        """Uniform draws in [0, 1): one per owner, or one row of ``columns`` per owner.

        Args:
            owners: The run of each element drawn for.
            columns: Draw a row of this many numbers per element (shape (n, columns)), as
                ``rng.random((n, columns))`` does.
            dtype: ``np.float64`` or ``np.float32``, as for ``Generator.random``.
        """
        if columns is None:
            return self.draw(owners, lambda g, k: g.random(k, dtype=dtype))
        return self.draw(owners, lambda g, k: g.random((k, columns), dtype=dtype))

    def random_rows(self, rows: int, owners: np.ndarray) -> np.ndarray:
        """Uniform draws of shape (rows, n), one column per owner, as ``rng.random((rows, n))``.

        A run's draws fill its columns row by row, the order of its own ``(rows, k)`` call.
        """
        owners = np.asarray(owners)
        if self.n == 1:
            return self.generators[0].random((rows, owners.size))
        out = np.empty((rows, owners.size))
        for run, places in self._places(owners):
            out[:, places] = self.generators[run].random((rows, _size(places)))
        return out

    def poisson(self, lam: np.ndarray, owners: np.ndarray) -> np.ndarray:
        """Poisson counts, one per owner, with means ``lam`` (one per owner)."""
        lam = np.asarray(lam, dtype=float)
        if self.n == 1:
            return self.generators[0].poisson(lam)
        return self._per_run(owners, lambda g, idx: g.poisson(lam[idx]))

    def normal(self, loc: float, scale: float, owners: np.ndarray) -> np.ndarray:
        """Normal draws ``N(loc, scale²)``, one per owner."""
        return self.draw(owners, lambda g, k: g.normal(loc, scale, k))

    def gumbel(self, owners: np.ndarray) -> np.ndarray:
        """Standard Gumbel draws, one per owner."""
        return self.draw(owners, lambda g, k: g.gumbel(size=k))

    def permutation(self, owners: np.ndarray) -> np.ndarray:
        """An order of the elements that shuffles each run's elements among their own places.

        With one run, ``rng.permutation(n)``. Elements of a run stay in the places of that
        run's elements: ``values[runs.permutation(owners)]`` shuffles within runs.
        """
        owners = np.asarray(owners)
        if self.n == 1:
            return self.generators[0].permutation(owners.size)
        out = np.empty(owners.size, dtype=np.int64)
        for run, places in self._places(owners):
            at = np.arange(places.start, places.stop) if isinstance(places, slice) else places
            out[at] = at[self.generators[run].permutation(at.size)]
        return out

    def per_compound(self, draw: Callable[[np.random.Generator, slice], np.ndarray]
                     ) -> np.ndarray:
        """Draws laid out with compounds on the last axis: ``draw(generator, columns)`` per run.

        ``columns`` is the slice of the run's compounds; the runs' results are joined along
        the last axis (e.g. ``lambda g, cols: g.poisson(lam[:, cols])`` for a (types,
        compounds) array of means, drawn row by row as the run alone would).
        """
        if self.n == 1:
            return draw(self.generators[0], slice(None))
        bounds = self._compound_bounds
        return np.concatenate([draw(g, slice(int(bounds[r]), int(bounds[r + 1])))
                               for r, g in enumerate(self.generators)], axis=-1)

    def generator(self, owners: np.ndarray) -> np.random.Generator | RunDraws:
        """A generator-like source of draws for the elements ``owners``, for a chain of draws.

        Where a step makes several draws for the same elements (a newcomer's ten traits),
        each draw of the chain through the returned object (``random(k)``, ``random((k,
        c))``, ``normal``, ``uniform``, ``beta`` with size ``k = len(owners)``) draws each
        run's numbers from its own generator, in the chain's order — the run's own stream,
        since the runs' generators are independent — so the chain is written once for all
        runs. With one run, the run's generator itself.
        """
        if self.n == 1:
            return self.generators[0]
        return RunDraws(self, np.asarray(owners))

    def draw(self, owners: np.ndarray, draw: Draw) -> np.ndarray:
        """``draw(generator, k)`` per run for its ``k`` elements, back in the elements' order.

        The general form of the methods above, for a draw they do not name.
        """
        owners = np.asarray(owners)
        if self.n == 1:
            return draw(self.generators[0], owners.shape[0])
        sizes = self._sizes_if_in_order(owners)
        if sizes is not None:  # each run's elements together, in run order: no scatter
            parts = [draw(g, k) for g, k in zip(self.generators, sizes, strict=True) if k]
            return np.concatenate(parts) if parts else draw(self.generators[0], 0)
        return self._per_run(owners, lambda g, idx: draw(g, _size(idx)))

    def _sizes_if_in_order(self, owners: np.ndarray) -> list[int] | None:
        """Each run's number of elements if the owners are in run order, else ``None``."""
        if owners is self.households:
            return self._household_counts
        if owners is self.compounds:
            return self._compound_counts
        if owners.size < 2 or bool((owners[1:] >= owners[:-1]).all()):
            return np.bincount(owners, minlength=self.n).tolist()
        return None

    def _per_run(self, owners: np.ndarray,
                 draw: Callable[[np.random.Generator, Places], np.ndarray]) -> np.ndarray:
        parts = [(places, draw(self.generators[run], places)) for run, places in
                 self._places(owners)]
        if not parts:
            return draw(self.generators[0], np.zeros(0, dtype=np.int64))
        first = parts[0][1]
        out = np.empty((owners.shape[0], *first.shape[1:]), dtype=first.dtype)
        for places, values in parts:
            out[places] = values
        return out

    def _places(self, owners: np.ndarray) -> list[tuple[int, Places]]:
        """Per run that owns any element, the positions of its elements, in order.

        Owners in run order (the households or compounds themselves, or any subset of them
        in order) give each run's positions as one slice; others are sorted by run.
        """
        if owners is self.households:
            return self._household_places
        if owners is self.compounds:
            return self._compound_places
        if owners.size < 2 or bool((owners[1:] >= owners[:-1]).all()):
            return _contiguous_places(np.searchsorted(owners, np.arange(self.n + 1)))
        order = np.argsort(owners, kind="stable")
        counts = np.bincount(owners, minlength=self.n)
        bounds = np.concatenate(([0], np.cumsum(counts)))
        return [(run, order[bounds[run]:bounds[run + 1]]) for run in range(self.n)
                if counts[run]]


Places = np.ndarray | slice
"""A run's positions among the elements drawn for: an index array, or a slice of them."""


def _size(places: Places) -> int:
    """How many positions ``places`` holds."""
    if isinstance(places, slice):
        return int(places.stop - places.start)
    return int(places.size)


def _contiguous_places(bounds: np.ndarray) -> list[tuple[int, Places]]:
    """``(run, slice)`` per run with elements, from the runs' bounds among sorted owners."""
    return [(run, slice(int(bounds[run]), int(bounds[run + 1])))
            for run in range(bounds.size - 1) if bounds[run + 1] > bounds[run]]


class RunDraws:
    """Draws for a fixed set of elements, each run's from its own generator.

    Made by :meth:`Runs.generator`.

    Duck-types the methods of ``numpy.random.Generator`` that a chain of draws for those
    elements uses; ``size`` must be the number of elements (or that many rows).
    """

    def __init__(self, runs: Runs, owners: np.ndarray) -> None:
        self._runs = runs
        self._owners = owners

    def _size(self, size: int | tuple[int, ...]) -> tuple[int, ...]:
        shape = (size,) if isinstance(size, int | np.integer) else tuple(size)
        if shape[0] != self._owners.size:
            raise ValueError(f"draws for {self._owners.size} elements, asked for {shape}")
        return shape[1:]

    def random(self, size: int | tuple[int, ...]) -> np.ndarray:
        """Uniform draws in [0, 1), as ``Generator.random(size)``."""
        rest = self._size(size)
        return self._runs.draw(self._owners, lambda g, k: g.random((k, *rest)))

    def normal(self, loc: float, scale: float, size: int) -> np.ndarray:
        """Normal draws, as ``Generator.normal(loc, scale, size)``."""
        self._size(size)
        return self._runs.draw(self._owners, lambda g, k: g.normal(loc, scale, k))

    def uniform(self, low: float, high: float, size: int) -> np.ndarray:
        """Uniform draws in [low, high), as ``Generator.uniform(low, high, size)``."""
        self._size(size)
        return self._runs.draw(self._owners, lambda g, k: g.uniform(low, high, k))

    def beta(self, a: float, b: float, size: int) -> np.ndarray:
        """Beta draws, as ``Generator.beta(a, b, size)``."""
        self._size(size)
        return self._runs.draw(self._owners, lambda g, k: g.beta(a, b, k))
