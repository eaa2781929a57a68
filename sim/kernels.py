"""The hot part of the monthly update, written once and compiled with numba.

The household decision (:func:`sim.behaviour.decide`), the belief updates
(:meth:`sim.model.CompoundModel._update_beliefs`) and the per-compound counts of decisions
(:meth:`sim.compounds.Compounds.total`) are loops over households and ties. Written as
numpy passes over ``(households, 4)`` arrays they would read and write the whole array a
dozen times a month; here each is one pass, compiled with numba. These functions are the
only implementation: there is no numpy twin to keep in step.

**The reference.** Each kernel is a :class:`Kernel`: calling it runs the compiled machine
code, and ``kernel.py_func`` is the same function as plain Python (numpy scalars, slow).
``tests/test_kernels.py`` runs whole models both ways and checks that every output is
bit-identical; a process started with ``NUMBA_DISABLE_JIT=1`` runs everything as plain
Python, for debugging with pdb. Exactness holds because numba does not contract
``a * b + c`` into a fused multiply-add unless fast-math is on (it is off), neighbour
counts are sums of 0/1, and every other value is computed element by element in the
order written. Randomness stays in numpy: with noise the decision kernel returns the
utilities and numpy draws the logit choice, so the random stream does not depend on
compilation.

**Start-up.** numba is imported, and each kernel compiled or loaded from numba's on-disk
cache (``cache=True``: ``__pycache__`` next to this file), on the kernel's first call, so
``import sim`` and commands that build no model do not pay for it. The first compilation
on a machine takes several seconds; later processes load the cached machine code, which
costs a process about a quarter of a second once (≈ 0.09 s to import numba, ≈ 0.16 s for
numba to set up its compiler target on the first load from the cache, a few ms per kernel).

**Without numba.** numba is a declared dependency. If it is missing anyway, ``import sim``
still works and building a model (:func:`require`) raises one
:class:`~sim.errors.ConfigError` that says what to install; nothing runs slowly instead.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.errors import ConfigError

INSTALL_HINT = ("is not installed, and the model's compiled kernels need it; install it "
                "with `pip install numba` (it is a dependency of compound-sim: reinstalling "
                "the package also installs it) / 未安装 numba,模型的编译内核需要它:请运行 "
                "`pip install numba`")
"""Message of the error raised when numba cannot be imported."""


@functools.cache
def available() -> bool:
    """Whether numba imports (it is imported once, by the first model a process builds).

    A broken install (numba built for another numpy, say) counts as missing too.
    """
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def require() -> None:
    """Check that numba is installed, before a model allocates anything.

    Raises:
        ConfigError: (field ``numba``) saying what to install, if numba is missing.
    """
    if not available():
        raise ConfigError("numba", INSTALL_HINT)


class Kernel[**P, R]:
    """A function of this module, compiled with numba on its first call.

    Args:
        fn: The plain Python function; it stays available as :attr:`py_func`.

    Attributes:
        py_func: The function as plain Python: the reference the tests compare with.
    """

    def __init__(self, fn: Callable[P, R]) -> None:
        self.py_func = fn
        self._run: Callable[P, R] | None = None
        functools.update_wrapper(self, fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run the compiled function (compiled, or loaded from the cache, on first call)."""
        run = self._run
        if run is None:
            run = self._run = self.compile()
        return run(*args, **kwargs)

    def compile(self) -> Callable[P, R]:
        """The compiled function: numba's ``njit(cache=True, nogil=True)`` of :attr:`py_func`.

        Raises:
            ConfigError: If numba is not installed (see :func:`require`).
        """
        require()
        import numba  # not at the top: importing numba costs ~0.2 s that `import sim` need not pay

        compiled: Callable[P, R] = numba.njit(cache=True, nogil=True)(self.py_func)
        return compiled


def kernel[**P, R](fn: Callable[P, R]) -> Kernel[P, R]:
    """Decorator: make ``fn`` a :class:`Kernel` (compiled on first call)."""
    return Kernel(fn)


# ---------------------------------------------------------------------------- kernels
#
# Plain Python functions made kernels by ``@kernel``. The comments name the formula of
# sim.behaviour's module docstring that each block computes.


@kernel
def cooperative_decisions(rows: np.ndarray, indices: np.ndarray, wide: bool,
                          decisions: np.ndarray, inverse_degree: np.ndarray,
                          compound: np.ndarray, public: np.ndarray, public_any: bool,
                          last_rates: np.ndarray, threshold: np.ndarray, face: np.ndarray,
                          common: np.ndarray, has_common: bool, base: np.ndarray,
                          norm: np.ndarray, has_norm: bool, cost: np.ndarray, has_cost: bool,
                          deterministic: bool, tolerance: float, committed: np.ndarray,
                          utility: np.ndarray, shares: np.ndarray, reputation: np.ndarray,
                          stake: np.ndarray, has_stake: bool) -> bool:
    """Shares seen, utility and (without noise) the choice of every household, in one pass.

    The rule of :mod:`sim.behaviour`: the share of each household's neighbours seen doing
    each action last month (mixed with the published rate where a compound publishes it),
    the utility of each action, and, when ``deterministic`` (noise 0), the choice
    ``U ≥ −tolerance`` or committed, written into ``decisions``.

    Acting neighbours are counted for the four actions at once: each household's four
    actions are packed into one 64-bit word, 16 bits per action, and the words of its
    neighbours are added (a count cannot carry into the next action's bits below 2¹⁶
    neighbours; ``wide`` networks, with a household of more, count action by action). The
    loop runs over the ties in order (``rows``: the household each tie belongs to), not
    household by household, so that the varying number of neighbours costs no branch.

    Args:
        rows: The adjacency matrix as ties: tie k joins household ``rows[k]`` to its
            neighbour ``indices[k]``; ``rows`` is sorted.
        indices: Neighbour of each tie (the CSR column indices).
        wide: Some household has 2¹⁶ or more neighbours.
        decisions: ``(n, 5)`` bool, last month's decisions; with ``deterministic`` the
            four actions are overwritten with this month's.
        inverse_degree: 1 / degree, 0 for households without neighbours.
        compound: Compound of each household.
        public: ``(compounds, 4)`` weight of the published rate.
        public_any: Whether any weight in ``public`` is non-zero.
        last_rates: ``(compounds, 4)`` last month's rates.
        threshold: φ of each household.
        face: ``(n, 1)`` or ``(n, 4)`` face factor (weight × sensitivity × visibility).
        common: Utility shared by the four actions.
        has_common: Whether to add ``common`` (added only if some value is non-zero, so
            that ``-0.0`` utilities stay as they are).
        base: ``(4,)`` action bases.
        norm: ``(compounds, 4)`` utility of the compound's rules.
        has_norm: Whether to add ``norm``.
        cost: Cost of contributing, subtracted from action 0.
        has_cost: Whether to subtract ``cost``.
        deterministic: Noise 0: choose here; otherwise only fill ``utility``.
        tolerance: Ties within this count as acting (noise 0).
        committed: Households that always act.
        utility: ``(n, 4)`` float64 output (written only if not ``deterministic``).
        shares: ``(n, 4)`` float64 output of the shares seen, or ``(0, 4)`` for none (for
            inspection: :func:`sim.behaviour.neighbour_shares`).
        reputation: Each household's standing among those who know it, in [0, 1].
        stake: ``(n, 1)`` or ``(n, 4)`` w_reputation × visibility: the term
            ``stake × (reputation − ½)`` (reputation centred at its starting value, as
            trust is) is added to paying and complying (actions 0 and 1) only.
        has_stake: Whether to add the reputation term (w_reputation > 0).

    Returns:
        With ``deterministic``, whether any household changed any action; else False.
    """
    n = inverse_degree.shape[0]
    # Acting neighbours, all counted before any decision is written back.
    packed = np.empty(n, dtype=np.uint64)
    counts = np.zeros((n if wide else 0, 4), dtype=np.int64)
    if wide:
        for k in range(indices.shape[0]):
            j = indices[k]
            for a in range(4):
                counts[rows[k], a] += decisions[j, a]
    else:
        acts = decisions.view(np.uint8)  # bytes 0/1: cheaper to widen than booleans
        for j in range(n):
            packed[j] = (np.uint64(acts[j, 0]) | (np.uint64(acts[j, 1]) << 16)
                         | (np.uint64(acts[j, 2]) << 32) | (np.uint64(acts[j, 3]) << 48))
    sums = np.zeros(n if not wide else 0, dtype=np.uint64)
    if not wide:
        for k in range(indices.shape[0]):
            sums[rows[k]] += packed[indices[k]]
    per_action_face = face.shape[1] == 4
    keep_shares = shares.shape[0] > 0
    b0, b1, b2, b3 = base[0], base[1], base[2], base[3]
    changed = False
    # The four actions are written out (not a loop over them), and every optional term is
    # tested once per household: the compiler then keeps all of it in registers.
    for i in range(n):
        # Shares seen: acting neighbours (an exact integer count) × 1/degree …
        if wide:
            n0, n1, n2, n3 = counts[i, 0], counts[i, 1], counts[i, 2], counts[i, 3]
        else:
            word = sums[i]
            n0 = np.int64(word & 0xFFFF)
            n1 = np.int64((word >> 16) & 0xFFFF)
            n2 = np.int64((word >> 32) & 0xFFFF)
            n3 = np.int64((word >> 48) & 0xFFFF)
        inv = inverse_degree[i]
        s0 = np.float64(n0) * inv
        s1 = np.float64(n1) * inv
        s2 = np.float64(n2) * inv
        s3 = np.float64(n3) * inv
        if inv == 0.0:  # … nobody to watch: only what is published, −1 where nothing is
            s0 = s1 = s2 = s3 = -1.0
            if public_any:
                c = compound[i]
                s0 = last_rates[c, 0] if public[c, 0] > 0 else -1.0
                s1 = last_rates[c, 1] if public[c, 1] > 0 else -1.0
                s2 = last_rates[c, 2] if public[c, 2] > 0 else -1.0
                s3 = last_rates[c, 3] if public[c, 3] > 0 else -1.0
        elif public_any:  # … shares += weight * (rate - shares)
            c = compound[i]
            s0 = s0 + public[c, 0] * (last_rates[c, 0] - s0)
            s1 = s1 + public[c, 1] * (last_rates[c, 1] - s1)
            s2 = s2 + public[c, 2] * (last_rates[c, 2] - s2)
            s3 = s3 + public[c, 3] * (last_rates[c, 3] - s3)
        if keep_shares:
            shares[i, 0] = s0
            shares[i, 1] = s1
            shares[i, 2] = s2
            shares[i, 3] = s3
        # Utility: ((share − φ) × face + common) + (base + norm) − cost.
        phi = threshold[i]
        if per_action_face:
            f0, f1, f2, f3 = face[i, 0], face[i, 1], face[i, 2], face[i, 3]
        else:
            f0 = f1 = f2 = f3 = face[i, 0]
        u0 = (s0 - phi) * f0
        u1 = (s1 - phi) * f1
        u2 = (s2 - phi) * f2
        u3 = (s3 - phi) * f3
        if has_common:
            m = common[i]
            u0 = u0 + m
            u1 = u1 + m
            u2 = u2 + m
            u3 = u3 + m
        if has_norm:
            c = compound[i]
            u0 = u0 + (b0 + norm[c, 0])
            u1 = u1 + (b1 + norm[c, 1])
            u2 = u2 + (b2 + norm[c, 2])
            u3 = u3 + (b3 + norm[c, 3])
        else:
            u0 = u0 + b0
            u1 = u1 + b1
            u2 = u2 + b2
            u3 = u3 + b3
        if has_cost:
            u0 = u0 - cost[i]
        if has_stake:  # + w_rep · visibility · (reputation − ½): a good name at stake
            r = reputation[i] - 0.5
            if stake.shape[1] == 4:
                u0 = u0 + stake[i, 0] * r
                u1 = u1 + stake[i, 1] * r
            else:
                u0 = u0 + stake[i, 0] * r
                u1 = u1 + stake[i, 0] * r
        if deterministic:  # choose at noise 0; committed households always act
            must = committed[i]
            a0 = (u0 >= -tolerance) | must
            a1 = (u1 >= -tolerance) | must
            a2 = (u2 >= -tolerance) | must
            a3 = (u3 >= -tolerance) | must
            changed |= ((a0 != decisions[i, 0]) | (a1 != decisions[i, 1])
                        | (a2 != decisions[i, 2]) | (a3 != decisions[i, 3]))
            decisions[i, 0] = a0
            decisions[i, 1] = a1
            decisions[i, 2] = a2
            decisions[i, 3] = a3
        else:
            utility[i, 0] = u0
            utility[i, 1] = u1
            utility[i, 2] = u2
            utility[i, 3] = u3
    return changed


@kernel
def apply_choices(acts: np.ndarray, committed: np.ndarray, decisions: np.ndarray) -> bool:
    """Committed households act; copy ``acts`` into ``decisions[:, :4]``; report a change.

    The end of a noisy decision (numpy drew ``acts``): ``acts | committed`` is written into
    both ``acts`` and ``decisions``.

    Returns:
        Whether any household changed any action.
    """
    changed = False
    for i in range(acts.shape[0]):
        for a in range(4):
            act = acts[i, a] | committed[i]
            acts[i, a] = act
            changed |= act != decisions[i, a]
            decisions[i, a] = act
    return changed


@kernel
def count_by_compound(values: np.ndarray, first: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per-compound counts of a C-contiguous ``(n, k)`` bool array, compounds contiguous.

    The counts of :meth:`sim.compounds.Compounds.total` on booleans (exact, as
    float64). The bytes are added eight at a time: the array is read as 64-bit words, and
    since byte p belongs to column p mod k, word v's byte l belongs to column
    (8v + l) mod k, which repeats every k words. Words of one residue class are summed
    lane-wise (a lane gains at most 1 per word, so 255 words per class cannot overflow a
    byte) and the lanes are then added to their columns; the unaligned ends of a
    compound's bytes are counted one by one.

    Args:
        values: ``(n, k)`` bool, C-contiguous.
        first: Index of each compound's first household.
        sizes: Households per compound.

    Returns:
        ``(compounds, k)`` float64 counts.
    """
    width = values.shape[1]
    flat = values.reshape(-1).view(np.uint8)
    words = flat[: (flat.shape[0] // 8) * 8].view(np.uint64)
    column_of = np.empty(8 * width, dtype=np.int64)  # column of lane l of class r
    for r in range(width):
        for lane in range(8):
            column_of[8 * r + lane] = (8 * r + lane) % width
    out = np.empty((first.shape[0], width))
    acc = np.zeros(width, dtype=np.int64)
    lanes = np.zeros(width, dtype=np.uint64)
    for c in range(first.shape[0]):
        acc[:] = 0
        lo = first[c] * width
        hi = (first[c] + sizes[c]) * width
        w_lo = (lo + 7) // 8
        w_hi = hi // 8
        if w_lo >= w_hi:  # no whole word inside: byte by byte
            w_hi = w_lo
            for p in range(lo, hi):
                acc[p % width] += flat[p]
        else:
            for p in range(lo, w_lo * 8):
                acc[p % width] += flat[p]
            for p in range(w_hi * 8, hi):
                acc[p % width] += flat[p]
        w = w_lo
        while w < w_hi:
            stop = min(w_hi, w + 255 * width)
            lanes[:] = 0
            r = w % width
            for v in range(w, stop):
                lanes[r] += words[v]
                r += 1
                if r == width:
                    r = 0
            for r in range(width):
                word = lanes[r]
                if word:
                    for lane in range(8):
                        acc[column_of[8 * r + lane]] += np.int64((word >> (8 * lane)) & 0xFF)
            w = stop
        for j in range(width):
            out[c, j] = np.float64(acc[j])
    return out


@kernel
def update_beliefs(compound: np.ndarray, condition: np.ndarray, grievance: np.ndarray,
                   has_grievance: bool, trust: np.ndarray, trust_rate: float,
                   dependence: np.ndarray, government_share: np.ndarray, seen: np.ndarray,
                   dependence_rate: float, satisfaction: np.ndarray) -> None:
    """Satisfaction, trust and dependence of every household, in one pass.

    The household part of :meth:`sim.model.CompoundModel._update_beliefs` (after
    grievance is updated): each belief moves towards its target, ``x + rate * (target - x)``.

    Args:
        compound: Compound of each household.
        condition: Condition per compound.
        grievance: Grievance per household, used if ``has_grievance``.
        has_grievance: Satisfaction is condition × (1 − grievance), else condition.
        trust: Updated in place, towards satisfaction.
        trust_rate: Learning rate of trust.
        dependence: Updated in place, towards the government's share.
        government_share: Government's share of money per compound; households of
            compounds where ``seen`` is False keep their dependence.
        seen: Compounds with a government share.
        dependence_rate: Learning rate of dependence.
        satisfaction: Output, one value per household.
    """
    for i in range(compound.shape[0]):
        c = compound[i]
        q = condition[c]
        sat = q * (1.0 - grievance[i]) if has_grievance else q
        satisfaction[i] = sat
        trust[i] = trust[i] + trust_rate * (sat - trust[i])
        if seen[c]:
            dependence[i] = dependence[i] + dependence_rate * (government_share[c]
                                                               - dependence[i])


@kernel
def update_reputation(decisions: np.ndarray, visible: np.ndarray, rate: float,
                      rows: np.ndarray, indices: np.ndarray, inverse_degree: np.ndarray,
                      gossip: float, reputation: np.ndarray) -> None:
    """Reputation (声誉) of every household: what those who see it saw, then gossip.

    ``reputation[i]`` is household i's standing among those who know it, in [0, 1]
    (1: known to pay and keep the rules; 0: known to default and break them; 0.5 at
    the start: not yet known either way). Two steps, in this order:

    1. *Seen*: those who see the household's paying and complying update on it, each in
       proportion to how visible it is:
       ``r += rate · ½ · (v₀ · (paid − r) + v₁ · (complied − r))``. At full visibility
       this is ``r += rate · ((paid + complied)/2 − r)``; a household nobody sees keeps
       its standing.
    2. *Gossip*: standing spreads along ties: ``r += gossip · (mean of the neighbours'
       r − r)``, the neighbours' values all taken after step 1 and before any is
       written. Households without neighbours are skipped. The degree-weighted mean
       Σ dᵢ rᵢ / Σ dᵢ of a connected component is unchanged by this step (on a regular
       graph the plain mean), and repeated it converges to that mean.

    Both steps are convex combinations, so reputation stays in [0, 1]. Cost:
    O(households + ties).

    Args:
        decisions: ``(n, 5)`` bool, this month's decisions (columns 0 paid, 1 complied).
        visible: ``(n, 1)`` or ``(n, 4)`` visibility of each household's actions.
        rate: ``behaviour.learning.reputation``.
        rows: Household of each tie (sorted), as in :func:`cooperative_decisions`.
        indices: Neighbour of each tie (CSR column indices).
        inverse_degree: 1 / degree, 0 for households without neighbours.
        gossip: ``behaviour.learning.gossip``; 0 skips step 2.
        reputation: Updated in place.
    """
    n = reputation.shape[0]
    per_action = visible.shape[1] == 4
    for i in range(n):
        r = reputation[i]
        v0 = visible[i, 0]
        v1 = visible[i, 1] if per_action else v0
        paid = np.float64(np.int64(decisions[i, 0]))
        kept = np.float64(np.int64(decisions[i, 1]))
        reputation[i] = r + rate * 0.5 * (v0 * (paid - r) + v1 * (kept - r))
    if gossip == 0.0:
        return
    sums = np.zeros(n)
    for k in range(indices.shape[0]):
        sums[rows[k]] += reputation[indices[k]]
    for i in range(n):
        inv = inverse_degree[i]
        if inv != 0.0:
            r = reputation[i]
            reputation[i] = r + gossip * (sums[i] * inv - r)


@kernel
def prefix_within(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Running sums of ``values`` that start again wherever ``starts`` is True.

    Each segment's sums are added in its own order from zero, so they do not depend on the
    segments before it (a ``cumsum`` over all minus the sum before the segment would carry
    their rounding into it).
    """
    out = np.empty(values.size)
    total = 0.0
    for i in range(values.size):
        if starts[i]:
            total = 0.0
        total += values[i]
        out[i] = total
    return out


@kernel
def top_in_sorted_groups(group: np.ndarray, key: np.ndarray, want: np.ndarray,
                         out: np.ndarray) -> int:
    """The positions of the ``want`` highest keys of each group, groups already sorted.

    For :func:`sim.selfgov.top_per_group` when ``group`` is non-decreasing (candidates in
    household order, households by compound): each group's positions are ranked by
    descending key, ties by position (a stable sort of the negated keys, as
    ``np.lexsort((-key, group))`` ranks them), and the first ``want`` (``want`` of the
    group's first candidate) are written to ``out`` group by group.

    Returns:
        How many positions were written.
    """
    n = group.shape[0]
    count = 0
    i = 0
    while i < n:
        j = i + 1
        while j < n and group[j] == group[i]:
            j += 1
        take = min(want[i], j - i)
        if take > 0 and take * 8 > j - i:  # many of the group: sort it
            order = np.argsort(-key[i:j], kind="mergesort")
            for r in range(take):
                out[count] = i + order[r]
                count += 1
        elif take > 0:  # a few: keep the best so far, best first (a later equal key is worse)
            best = out[count:count + take]
            held = 0
            for k in range(i, j):
                if held == take and key[k] <= key[best[held - 1]]:
                    continue
                at = held if held < take else take - 1
                while at > 0 and key[k] > key[best[at - 1]]:
                    if at < take:
                        best[at] = best[at - 1]
                    at -= 1
                best[at] = k
                if held < take:
                    held += 1
            count += take
        i = j
    return count


@kernel
def _exp_into(x: np.ndarray, out: np.ndarray) -> None:
    """``out[i] = exp(x[i])`` by the C library's ``exp``, one element at a time."""
    for i in range(x.size):
        out[i] = math.exp(x[i])


def exp(x: np.ndarray | float) -> np.ndarray | np.float64:
    """``np.exp`` of float64 values, the same on every machine: the C library's ``exp``.

    numpy's ``exp`` of float64 arrays takes a SIMD path on processors with AVX-512 whose last
    bits differ from the C library's, which numpy uses elsewhere; through a threshold, those
    bits change whole runs, so a seed gave one run on a machine with AVX-512 and another
    without (55 of the 70 cases of ``benchmarks/fingerprint.py``; docs/decisions.md §55).
    Every exponential of the model goes through here instead. The compiled loop calls the C
    library's ``exp`` (numba vectorises ``math.exp`` only with Intel's SVML, which it uses
    only if installed), and :attr:`Kernel.py_func` calls it through :func:`math.exp`:
    ``tests/test_kernels.py`` checks that both give :func:`math.exp`'s bits.

    Args:
        x: Values (any shape; converted to float64).

    Returns:
        ``exp(x)``, float64, of the shape of ``x`` (a numpy scalar for a scalar, as ``np.exp``).
    """
    values = np.asarray(x, dtype=np.float64, order="C")  # no copy of a float64 array
    out = np.empty_like(values)
    _exp_into(values.reshape(-1), out.reshape(-1))
    return out if out.ndim else out[()]


KERNELS: tuple[Kernel[Any, Any], ...] = (cooperative_decisions, apply_choices,
                                         count_by_compound, update_beliefs, update_reputation,
                                         _exp_into)
"""Every kernel of this module (the tests run them compiled and as plain Python)."""
