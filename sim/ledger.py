"""Money: a ledger per compound that accounts for every yuan.

Money comes in from residents (fees through a firm or the residents'
committee, pooled funds 打平伙 through an owners' committee, income from shared assets
以院养院), government, co-building units, a community foundation and a community station's
fund; it goes out as upkeep, spending on
matters, the firm's overhead, or misuse. At every step and in every compound
``total in = total out + balance`` (checked by :meth:`Ledger.check`), and no
balance is ever negative: a payment larger than the balance is refused in
part, never overdrawn, and the part refused is recorded as a shortfall
(:attr:`Ledger.shortfall`, :meth:`Ledger.shortfall_frame`) rather than lost.

The check is independent of the bookkeeping it checks: the flows (in by
source, spent by use, misused) are cumulative arrays, the balance is its own
state, and :meth:`Ledger.check` recomputes ``in − spent − misused`` from the
flows and compares it with the balance. Writing a balance or a flow anywhere
but in :meth:`Ledger.deposit` and :meth:`Ledger.spend`, or booking a
non-finite or negative amount, makes the check fail.
"""

from __future__ import annotations

from typing import NoReturn

import numpy as np
import pandas as pd

from sim import kernels
from sim.arrays import run_starts

SOURCES = ("fees", "pooled", "government", "reward", "co_building", "foundation", "assets",
           "station", "recycling", "donation")
"""Where money comes from; "reward" is government money paid after residents deliver (以奖代补);
"foundation" a community foundation's project grant; "assets" income from the owners' shared
assets, parking spaces and rooms put to use (以院养院, seed 001); "station" money a community
station's fund pays for a compound's matter; "recycling" and "donation" (residents' recycling,
enterprises' gifts) feed only such a station fund's own account
(:mod:`sim.institutions.selffunding_station`). New sources are appended, so the columns of the
older ones keep their place."""
RESIDENT_SOURCES = ("fees", "pooled", "assets")
"""Sources that count as self-funding (居民自筹): residents' fees and pooled money, and income
from the owners' shared assets, which the Civil Code gives to the owners (民法典 art. 282:
利用业主的共有部分产生的收入，在扣除合理成本之后，属于业主共有). Foundation grants, station money,
government money and co-building units' money are not the residents' own (seed 001 names them
apart: 居民自筹和社会资金为主、政府补贴为辅)."""
USES = ("upkeep", "matters", "overhead", "misuse")
"""Where money goes; "misuse" (money diverted, §7.13) is last, so the other uses are a slice."""
assert USES[-1] == "misuse", "Ledger.spent and Ledger.misused are slices of total_out"
_MISUSE = len(USES) - 1
WINDOW = 12
"""Months in the trailing window for shares of money."""
_RESIDENT = np.isin(SOURCES, RESIDENT_SOURCES)
_GOVERNMENT = np.isin(SOURCES, ("government",))
# Columns of the chosen sources and of the others, for the shares (same columns as the masks).
_SPLITS = {name: (np.flatnonzero(mask), np.flatnonzero(~mask))
           for name, mask in (("resident", _RESIDENT), ("government", _GOVERNMENT))}
_FIRST_SOURCES = 6
"""Sources before issue 12 (fees … foundation). Shares sum their columns apart from the later
ones and then add the two sums: numpy's summation order depends on how many terms there are,
so summing in the appended (zero) columns would move the last bits of every share in runs
that have none of the new money, and with them the outputs of every existing design."""


def _sum_columns(win: np.ndarray, cols: np.ndarray, axis: int | None) -> np.ndarray:
    """Sum of ``win``'s columns ``cols`` (over ``axis``): the first sources, then the rest.

    Adding an exact 0.0 changes no float, so a run without the later sources gets the sums it
    got before they existed (see :data:`_FIRST_SOURCES`).
    """
    first, later = cols[cols < _FIRST_SOURCES], cols[cols >= _FIRST_SOURCES]
    total = win[:, first].sum(axis=axis)
    return total + win[:, later].sum(axis=axis) if later.size else total


class LedgerError(RuntimeError):
    """The ledger found money created or destroyed: a bug, never user input."""


class Ledger:
    """Per-compound accounts, vectorised over compounds.

    Attributes:
        total_in: ``(compounds, sources)`` cumulative inflow, yuan.
        total_out: ``(compounds, uses)`` cumulative outflow, yuan (:attr:`spent` and
            :attr:`misused` are views of it).
        balance: ``(compounds,)`` money held, yuan, never negative. Kept as its own state
            (not derived from the flows), so that :meth:`check` can compare the two.
        shortfall: ``(compounds, uses)`` cumulative yuan asked of :meth:`spend` but not paid
            because the balance was too small (asked − paid; a negative request asks for
            nothing). Matters that :meth:`spend_at` leaves open are not asked for: they stay
            open and are asked for again later. :meth:`shortfall_frame` gives it as a table.
        month_in, month_out: This month's flows (reset by :meth:`new_month`).
    """

    def __init__(self, n_compounds: int) -> None:
        self.n = n_compounds
        self.total_in = np.zeros((n_compounds, len(SOURCES)))
        self.total_out = np.zeros((n_compounds, len(USES)))
        self.balance = np.zeros(n_compounds)
        self.shortfall = np.zeros_like(self.total_out)
        self.month_in = np.zeros_like(self.total_in)
        self.month_out = np.zeros_like(self.total_out)
        self._window = np.zeros((WINDOW, n_compounds, len(SOURCES)))
        self._month = 0
        self._closed: np.ndarray | None = None  # sum of the closed months of the window
        self._changes = 0  # counts changes of this month's inflow (deposits, new month)
        self._window_cache: tuple[int, np.ndarray] | None = None

    @staticmethod
    def source_index(name: str) -> int:
        """Column of a source in ``total_in``."""
        return SOURCES.index(name)

    @staticmethod
    def use_index(name: str) -> int:
        """Column of a use in ``total_out``."""
        return USES.index(name)

    @property
    def month(self) -> int:
        """Months begun (calls of :meth:`new_month`); the model's ``steps`` during a step."""
        return self._month

    @property
    def spent(self) -> np.ndarray:
        """``(compounds, uses but misuse)`` cumulative spending by use, yuan (a view)."""
        return self.total_out[:, :_MISUSE]

    @property
    def misused(self) -> np.ndarray:
        """``(compounds,)`` cumulative money diverted (use "misuse"), yuan (a view)."""
        return self.total_out[:, _MISUSE]

    def new_month(self) -> None:
        """Close last month's flows into the trailing window and reset them."""
        self._window[self._month % WINDOW] = self.month_in
        self._month += 1
        self._closed = None
        self._changes += 1
        self.month_in[:] = 0.0
        self.month_out[:] = 0.0

    def deposit(self, source: str, amounts: np.ndarray) -> None:
        """Add money from ``source``; ``amounts`` has one entry per compound (finite, ≥ 0).

        Raises:
            LedgerError: An amount is negative, NaN or infinite; nothing is booked.
        """
        # min() is NaN if any amount is; two reductions are cheaper than np.all of a mask.
        if amounts.size and not (amounts.min() >= 0.0 and amounts.max() < np.inf):
            bad = int(np.argmin(np.isfinite(amounts) & (amounts >= 0)))
            raise LedgerError(f"compound {bad}, month {self._month}: deposit from {source} "
                              f"of {amounts[bad]:.6g} yuan; deposits must be finite and ≥ 0")
        j = SOURCES.index(source)
        self.total_in[:, j] += amounts
        self.month_in[:, j] += amounts
        self.balance += amounts
        self._changes += 1

    def spend(self, use: str, amounts: np.ndarray) -> np.ndarray:
        """Pay out up to ``amounts`` per compound for ``use``; returns what was paid.

        A compound cannot pay more than its balance: it pays what it can, and the excess
        (asked − paid) is added to :attr:`shortfall`. A negative amount asks for nothing.
        From a balance b ≥ 0 the new balance ``b − min(a, b)`` is ≥ 0 exactly in floating
        point (for a < b the rounded difference cannot fall below 0), so no clipping is
        needed and the balance is written only together with a flow; a balance already
        negative (written elsewhere) books a negative payment, which :meth:`check` reports.
        """
        asked = np.maximum(amounts, 0.0)
        paid = np.minimum(asked, self.balance)
        j = USES.index(use)
        self.total_out[:, j] += paid
        self.month_out[:, j] += paid
        self.shortfall[:, j] += asked - paid
        self.balance -= paid
        return paid

    def misuse(self, amounts: np.ndarray) -> np.ndarray:
        """Divert up to ``amounts`` per compound (use "misuse"); returns what was taken."""
        return self.spend("misuse", amounts)

    def spend_at(self, use: str, compounds: np.ndarray, amounts: np.ndarray,
                 budget: np.ndarray | None = None) -> np.ndarray:
        """Pay whole items in priority order until a compound's balance runs out.

        Items are matters: each is paid in full or left open. Within each
        compound the items are taken in the order given, and the longest
        prefix whose total fits the balance is paid.

        Args:
            use: The use the payments count as.
            compounds: Compound of each item.
            amounts: Cost of each item, yuan.
            budget: Optional limit per compound below the balance, yuan.

        Returns:
            Bool mask over the items that were paid.
        """
        if compounds.size == 0:
            return np.zeros(0, dtype=bool)
        order = np.argsort(compounds, kind="stable")
        c_sorted = compounds[order]
        within = kernels.prefix_within(np.ascontiguousarray(amounts[order], dtype=float),
                                       run_starts(c_sorted))  # each compound's own total
        limit = self.balance if budget is None else np.minimum(self.balance, budget)
        fits = within <= limit[c_sorted] + 1e-9
        paid = np.zeros(compounds.size, dtype=bool)
        paid[order] = fits
        total = np.bincount(compounds[paid], weights=amounts[paid], minlength=self.n)
        self.spend(use, total)
        return paid

    def check(self, tol: float = 1e-6) -> None:
        """Raise :class:`LedgerError` unless the flows account for every balance.

        For every compound, recomputes ``in − spent − misused`` from the cumulative flows
        and compares it with the balance, which is kept separately. Also requires every
        flow (cumulative, this month's, shortfall) to be finite and ≥ 0 and every balance
        to be finite and ≥ −tolerance; NaN fails each of these tests (a comparison with NaN
        is false, so each test asks for the good case). The tolerance is ``tol`` yuan per
        yuan of the compound's inflow, at least ``tol`` yuan.

        Raises:
            LedgerError: Names the compound, the month and the amounts.
        """
        if self.n == 0:
            return
        flows = (("in from", self.total_in, SOURCES), ("out for", self.total_out, USES),
                 ("this month in from", self.month_in, SOURCES),
                 ("this month out for", self.month_out, USES),
                 ("shortfall of", self.shortfall, USES))
        for label, values, names in flows:
            if values.min() >= 0.0 and values.max() < np.inf:  # NaN fails the first test
                continue
            good = np.isfinite(values) & (values >= 0.0)
            if not good.all():
                c, k = np.unravel_index(int(np.argmin(good)), good.shape)
                self._fail(int(c), f"{label} {names[k]} = {values[c, k]:.6g} yuan; "
                                   "flows must be finite and ≥ 0")
        total_in = self.total_in.sum(axis=1)
        spent = self.spent.sum(axis=1)
        misused = self.misused
        slack = tol * np.maximum(1.0, total_in)
        good = np.isfinite(self.balance) & (self.balance >= -slack)
        if not good.all():
            c = int(np.argmin(good))
            self._fail(c, f"balance = {self.balance[c]:.6g} yuan; balances must be finite "
                          f"and ≥ −{slack[c]:.3g}")
        gap = total_in - spent - misused - self.balance
        if not np.all(np.abs(gap) <= slack):
            c = int(np.argmax(np.abs(gap)))
            self._fail(c, f"in {total_in[c]:.9g} − spent {spent[c]:.9g} − misused "
                          f"{misused[c]:.9g} = {total_in[c] - spent[c] - misused[c]:.9g} yuan, "
                          f"but balance {self.balance[c]:.9g} (gap {gap[c]:.6g} yuan)")

    def _fail(self, compound: int, message: str) -> NoReturn:
        """Raise :class:`LedgerError` for ``compound`` in the current month."""
        raise LedgerError(f"compound {compound}, month {self._month}: {message}")

    def shortfall_frame(self, min_yuan: float = 0.0) -> pd.DataFrame:
        """What went unpaid: one row per compound and use with a shortfall above ``min_yuan``.

        Columns ``compound``, ``use`` and ``shortfall`` (cumulative yuan asked but not paid,
        see :attr:`shortfall`), ordered by compound and then use as in :data:`USES`. Pass a
        small ``min_yuan`` (e.g. 1e-6) to leave out rounding-sized amounts, which arise when
        a payment computed elsewhere exceeds the balance by a rounding error.
        """
        c, k = np.nonzero(self.shortfall > min_yuan)
        return pd.DataFrame({"compound": c, "use": np.asarray(USES, dtype=object)[k],
                             "shortfall": self.shortfall[c, k]})

    def _window_sum(self) -> np.ndarray:
        """Inflows of the last 12 months including this one, ``(compounds, sources)``.

        The 11 closed months change only at :meth:`new_month`, so their sum is kept until
        then, and the whole sum until the next deposit (several shares are read each
        month). The returned array is shared: do not modify it.
        """
        cached = self._window_cache
        if cached is not None and cached[0] == self._changes:
            return cached[1]
        if self._closed is None:
            oldest = self._month % WINDOW  # the slot the next new_month() overwrites
            others = [i for i in range(WINDOW) if i != oldest]
            self._closed = self._window[others].sum(axis=0)
        win = self._closed + self.month_in
        self._window_cache = (self._changes, win)
        return win

    def _shares(self, chosen: str, empty: float) -> np.ndarray:
        """Share of each compound's last-12-month inflow from the ``chosen`` sources."""
        win = self._window_sum()
        mine, others = _SPLITS[chosen]
        part = _sum_columns(win, mine, axis=1)
        total = part + _sum_columns(win, others, axis=1)  # ≥ part: the share is ≤ 1 exactly
        return np.divide(part, total, out=np.full_like(total, empty), where=total > 0)

    def self_funded_share(self) -> np.ndarray:
        """Residents' share of each compound's last-12-month inflow (0 if none)."""
        return self._shares("resident", 0.0)

    def self_funded_share_total(self) -> float:
        """Residents' share of the whole community's last-12-month inflow (0 if none)."""
        return float(self.self_funded_share_by_run(1)[0])

    def self_funded_share_by_run(self, runs: int) -> np.ndarray:
        """Residents' share of each run's whole last-12-month inflow (0 if none), ``(runs,)``.

        Where a model advances several runs of one scenario (:mod:`sim.replicates`), their
        compounds are laid one run after another, the same number per run. Each run's sums
        are taken over its own block of compounds, which numpy sums exactly as the run's own
        array (a sum over all compounds would round differently, and so would one reduction
        over the blocks of a reshaped array: numpy's order over two axes is not the order
        over one block's).

        Args:
            runs: Runs the ledger's compounds belong to, in equal blocks (1: one run).
        """
        win = self._window_sum()
        mine, others = _SPLITS["resident"]
        size = win.shape[0] // runs
        if size == 1:  # one compound per run: each run's block is one row, summed as such
            part = _sum_columns(win, mine, axis=1)
            total = part + _sum_columns(win, others, axis=1)
            return np.divide(part, total, out=np.zeros(runs), where=total > 0)
        out = np.zeros(runs)
        for r in range(runs):
            block = win[r * size:(r + 1) * size]
            part = float(_sum_columns(block, mine, axis=None))
            total = part + float(_sum_columns(block, others, axis=None))
            out[r] = part / total if total > 0 else 0.0
        return out

    def government_share(self) -> np.ndarray:
        """Government's share of each compound's last-12-month inflow (NaN if none)."""
        return self._shares("government", np.nan)
