"""Compiled kernels for the hot part of the monthly update, and the switch back to numpy.

The household decision (:func:`sim.behaviour.decide`) is, in numpy, about a dozen passes
over ``(households, 4)`` arrays: a sparse product for the neighbours acting, the shares seen,
the utility term by term, the choice, the committed households, the change test and the copy
into the population's arrays. Each pass is fast, but together they cost far more than the
work they do, because every pass reads and writes the whole array again. The kernels here
do the same arithmetic in one pass over each household's neighbours, compiled with numba.

**Same results.** The kernels are not an approximation: they perform the same IEEE
operations, in the same order, as the numpy reference (``sim.behaviour``), so every output
is bit-identical (``tests/test_kernels.py`` checks it over many seeds and designs).
Neighbour counts are sums of 0/1 and therefore exact whatever the order; every other value
is computed element by element exactly as numpy does (numba does not contract ``a * b + c``
into a fused multiply-add unless fast-math is on, and it is off). Randomness stays in numpy:
with noise the kernel returns the utilities and numpy draws and applies the logit exactly
as before, so the random stream is untouched.

**Which path runs.** The environment variable ``SIM_KERNELS`` chooses: ``numpy`` (the
reference implementation), ``numba`` (always the kernels) or ``auto`` (the default). numba
costs a process about a quarter of a second the first time a kernel runs (importing numba
and initialising its compiler, even when the machine code comes from the cache), and the
kernels save about 60 ns per household and month. A process that builds one small model,
such as ``sim run`` on a shipped community, would lose; one that builds many models (tests,
sweeps, ``sim compare``, notebooks, the app, benchmarks) or a large one wins. So ``auto``
uses the kernels from the second model a process builds on, or from the first if it has at
least :data:`LARGE_MODEL` households (a 120-month run of that size saves more than the
start-up). Without numba installed everything runs in numpy. :func:`set_backend` switches
within a process (tests do).

**Start-up cost.** numba is imported, and the kernels compiled or loaded from numba's
on-disk cache (``cache=True``, next to this file in ``__pycache__``), only when a kernel is
first used, so ``import sim`` stays as fast as before. The first compilation on a machine
takes a few seconds; later processes load the cached machine code.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.errors import ConfigError

ENV_VAR = "SIM_KERNELS"
"""Environment variable choosing the backend: ``auto`` (default), ``numba`` or ``numpy``."""

BACKENDS = ("auto", "numba", "numpy")
"""Backends: choose by use, always compiled, never compiled."""

LARGE_MODEL = 50_000
"""Households from which ``auto`` compiles for the first model of a process."""

_backend: str | None = None  # resolved on first use
_numba_installed: bool | None = None
_models_built = 0
_amortised = False  # this process has built a second model, or a large one
_compiled: dict[str, Callable[..., Any]] = {}


def available() -> bool:
    """Whether numba can be imported (without importing it)."""
    global _numba_installed
    if _numba_installed is None:
        _numba_installed = importlib.util.find_spec("numba") is not None
    return _numba_installed


def _checked(name: str) -> str:
    """``name`` if it is a backend, else a ConfigError naming the allowed ones."""
    if name not in BACKENDS:
        raise ConfigError(ENV_VAR, f"must be one of {', '.join(BACKENDS)} (got {name!r})")
    return name


def backend() -> str:
    """The backend chosen: ``"auto"``, ``"numba"`` or ``"numpy"``.

    Read from ``SIM_KERNELS`` on first use (default ``auto``).

    Raises:
        ConfigError: If ``SIM_KERNELS`` names no backend.
    """
    global _backend
    if _backend is None:
        _backend = _checked(os.environ.get(ENV_VAR, "").strip().lower() or "auto")
    return _backend


def set_backend(name: str | None) -> str:
    """Choose the backend from now on; ``None`` re-reads ``SIM_KERNELS``.

    Returns:
        The backend chosen.

    Raises:
        ConfigError: If ``name`` (or the environment variable) is not a backend.
    """
    global _backend
    _backend = None if name is None else _checked(name)
    return backend()


def model_built(households: int) -> None:
    """Note that the process built a model (``auto`` compiles from the second, or a large one).

    Called by :class:`sim.model.CompoundModel` before its first computation.
    """
    global _models_built, _amortised
    _models_built += 1
    if _models_built >= 2 or households >= LARGE_MODEL:
        _amortised = True


def compiled() -> bool:
    """Whether the compiled kernels are used now (they are imported on first use)."""
    mode = backend()
    if mode == "numpy":
        return False
    return (mode == "numba" or _amortised) and available()


def kernel(name: str) -> Callable[..., Any]:
    """The compiled version of one kernel of this module, compiled or loaded on first use."""
    fn = _compiled.get(name)
    if fn is None:
        import numba  # deferred: importing numba costs ~0.15 s that small runs need not pay

        module = globals()
        for helper in _HELPERS:  # kernels call them: they must be compiled functions too
            if not isinstance(module[helper], numba.core.dispatcher.Dispatcher):
                module[helper] = numba.njit(cache=True, nogil=True)(module[helper])
        fn = numba.njit(cache=True, nogil=True)(_PY_KERNELS[name])
        _compiled[name] = fn
    return fn


# ---------------------------------------------------------------------------- kernels
#
# Plain Python functions, compiled by ``kernel()``. Each loop body repeats the numpy
# reference's operations on one element, in the reference's order (see the comments).


def cooperative_decisions(rows: np.ndarray, indices: np.ndarray, wide: bool,
                          decisions: np.ndarray, inverse_degree: np.ndarray,
                          compound: np.ndarray, public: np.ndarray, public_any: bool,
                          last_rates: np.ndarray, threshold: np.ndarray, face: np.ndarray,
                          common: np.ndarray, has_common: bool, base: np.ndarray,
                          norm: np.ndarray, has_norm: bool, cost: np.ndarray, has_cost: bool,
                          deterministic: bool, tolerance: float, committed: np.ndarray,
                          utility: np.ndarray) -> bool:
    """Shares seen, utility and (without noise) the choice of every household, in one pass.

    Reproduces :func:`sim.behaviour.neighbour_shares`, :func:`sim.behaviour.cooperative_utility`
    and, when ``deterministic``, :func:`sim.behaviour.choose` at noise 0 followed by the
    committed households and the copy into ``decisions``.

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
        has_common: Whether to add ``common`` (the reference adds it only if non-zero).
        base: ``(4,)`` action bases.
        norm: ``(compounds, 4)`` utility of the compound's rules.
        has_norm: Whether to add ``norm``.
        cost: Cost of contributing, subtracted from action 0.
        has_cost: Whether to subtract ``cost``.
        deterministic: Noise 0: choose here; otherwise only fill ``utility``.
        tolerance: Ties within this count as acting (noise 0).
        committed: Households that always act.
        utility: ``(n, 4)`` float64 output (written only if not ``deterministic``).

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
    b0, b1, b2, b3 = base[0], base[1], base[2], base[3]
    changed = False
    # The four actions are written out (not a loop over them), and every optional term is
    # tested once per household: the compiler then keeps all of it in registers.
    for i in range(n):
        # neighbour_shares: acting neighbours (an exact integer count) × 1/degree …
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
        # cooperative_utility: ((share − φ) × face + common) + base (+ norm) (− cost).
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
        if deterministic:  # choose at noise 0, committed act, pop.acts = acts
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


def apply_choices(acts: np.ndarray, committed: np.ndarray, decisions: np.ndarray) -> bool:
    """Committed households act; copy ``acts`` into ``decisions[:, :4]``; report a change.

    Reproduces ``acts | committed``, ``np.any(acts != pop.acts)`` and ``pop.acts = acts``.
    ``acts`` is modified in place.
    """
    changed = False
    for i in range(acts.shape[0]):
        for a in range(4):
            act = acts[i, a] | committed[i]
            acts[i, a] = act
            changed |= act != decisions[i, a]
            decisions[i, a] = act
    return changed


def count_by_compound(values: np.ndarray, first: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per-compound counts of a C-contiguous ``(n, k)`` bool array, compounds contiguous.

    Reproduces :meth:`sim.compounds.Compounds.total` on booleans (counts are exact, as
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


def update_beliefs(compound: np.ndarray, condition: np.ndarray, grievance: np.ndarray,
                   has_grievance: bool, trust: np.ndarray, trust_rate: float,
                   dependence: np.ndarray, government_share: np.ndarray, seen: np.ndarray,
                   dependence_rate: float, decisions: np.ndarray, reputation: np.ndarray,
                   reputation_rate: float, satisfaction: np.ndarray) -> None:
    """Satisfaction, trust, dependence and reputation of every household, in one pass.

    Reproduces the household part of :meth:`sim.model.CompoundModel._update_beliefs`
    (after grievance is updated): each value is computed with the reference's operations in
    the reference's order, ``x + rate * (target - x)``.

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
        decisions: ``(n, 5)`` bool; reputation moves towards (paid + complied) / 2.
        reputation: Updated in place.
        reputation_rate: Learning rate of reputation.
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
        visible = np.float64(np.int64(decisions[i, 0]) + np.int64(decisions[i, 1])) * 0.5
        reputation[i] = reputation[i] + reputation_rate * (visible - reputation[i])


def compound_totals(columns: tuple[np.ndarray, ...], first: np.ndarray,
                    sizes: np.ndarray) -> np.ndarray:
    """Per-compound sums of float arrays, summed exactly as numpy's ``add.reduceat`` does.

    Reproduces ``Compounds.total(np.column_stack(columns))`` for contiguous compounds
    without building the stacked array: compound c's sum of a column is its first value
    plus the pairwise sum (:func:`pairwise_sum`) of the rest, which is how numpy reduces a
    segment, so the result is bit-identical.

    Args:
        columns: k float64 arrays with one value per household.
        first: Index of each compound's first household.
        sizes: Households per compound (all > 0).

    Returns:
        ``(compounds, k)`` float64 sums.
    """
    out = np.empty((first.shape[0], len(columns)))
    for j in range(len(columns)):
        values = columns[j]
        for c in range(first.shape[0]):
            start = first[c]
            out[c, j] = values[start] + pairwise_sum(values, start + 1, sizes[c] - 1)
    return out


def pairwise_sum(a: np.ndarray, lo: int, n: int) -> float:
    """Sum of ``a[lo : lo + n]`` in exactly numpy's order (pairwise summation).

    numpy (``loops_utils.h``) sums fewer than 8 values one by one from −0.0, up to 128 in
    eight interleaved partial sums combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) +
    (r6 + r7)) followed by the remainder, and longer runs as the sum of two halves split at
    a multiple of 8. The recursion is written here with explicit stacks.
    """
    los = np.empty(64, dtype=np.int64)
    lengths = np.empty(64, dtype=np.int64)
    left = np.empty(64)
    right_done = np.zeros(64, dtype=np.bool_)
    depth = 0
    los[0] = lo
    lengths[0] = n
    while True:
        start = los[depth]
        size = lengths[depth]
        if size > 128:  # split: left half first
            half = size // 2
            half -= half % 8
            right_done[depth] = False
            depth += 1
            los[depth] = start
            lengths[depth] = half
            continue
        # A block: the sum numpy computes for it.
        if size < 8:
            result = -0.0
            for i in range(start, start + size):
                result += a[i]
        else:
            r0 = a[start]
            r1 = a[start + 1]
            r2 = a[start + 2]
            r3 = a[start + 3]
            r4 = a[start + 4]
            r5 = a[start + 5]
            r6 = a[start + 6]
            r7 = a[start + 7]
            whole = size - size % 8
            for i in range(start + 8, start + whole, 8):
                r0 += a[i]
                r1 += a[i + 1]
                r2 += a[i + 2]
                r3 += a[i + 3]
                r4 += a[i + 4]
                r5 += a[i + 5]
                r6 += a[i + 6]
                r7 += a[i + 7]
            result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            for i in range(start + whole, start + size):
                result += a[i]
        # Return the block's sum up the stack: a finished left half starts its right half,
        # a finished right half is added to its left one.
        while True:
            if depth == 0:
                return result
            depth -= 1
            if not right_done[depth]:
                left[depth] = result
                right_done[depth] = True
                half = lengths[depth] // 2
                half -= half % 8
                depth += 1
                los[depth] = los[depth - 1] + half
                lengths[depth] = lengths[depth - 1] - half
                break
            result = left[depth] + result


_HELPERS = ("pairwise_sum",)
"""Functions the kernels call, compiled (and bound in this module) before any kernel."""

_PY_KERNELS: dict[str, Callable[..., Any]] = {
    "cooperative_decisions": cooperative_decisions,
    "apply_choices": apply_choices,
    "update_beliefs": update_beliefs,
    "compound_totals": compound_totals,
    "count_by_compound": count_by_compound,
}
"""Kernels by name, as plain Python (callable as such, slowly, for debugging)."""
