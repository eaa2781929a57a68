"""Money: a ledger per compound that accounts for every yuan.

Money comes in from residents (fees through a firm or the residents'
committee, pooled funds 打平伙 through an owners' committee), government,
co-building units and foundations; it goes out as upkeep, spending on
matters, the firm's overhead, or misuse. At every step and in every compound
``total in = total out + balance`` (checked by :meth:`Ledger.check`), and no
balance is ever negative: a payment larger than the balance is refused in
part, never overdrawn.
"""

from __future__ import annotations

import numpy as np

SOURCES = ("fees", "pooled", "government", "reward", "co_building", "foundation")
"""Where money comes from; "reward" is government money paid after residents deliver (以奖代补)."""
RESIDENT_SOURCES = ("fees", "pooled")
"""Sources that count as self-funding (以院养院)."""
USES = ("upkeep", "matters", "overhead", "misuse")
"""Where money goes."""
WINDOW = 12
"""Months in the trailing window for shares of money."""
_RESIDENT = np.isin(SOURCES, RESIDENT_SOURCES)
_GOVERNMENT = np.isin(SOURCES, ("government",))
# Columns of the chosen sources and of the others, for the shares (same columns as the masks).
_SPLITS = {name: (np.flatnonzero(mask), np.flatnonzero(~mask))
           for name, mask in (("resident", _RESIDENT), ("government", _GOVERNMENT))}


class LedgerError(RuntimeError):
    """The ledger found money created or destroyed: a bug, never user input."""


class Ledger:
    """Per-compound accounts, vectorised over compounds.

    Attributes:
        total_in: ``(compounds, sources)`` cumulative inflow, yuan.
        total_out: ``(compounds, uses)`` cumulative outflow, yuan.
        balance: ``(compounds,)`` money held, yuan, never negative.
        month_in, month_out: This month's flows (reset by :meth:`new_month`).
    """

    def __init__(self, n_compounds: int) -> None:
        self.n = n_compounds
        self.total_in = np.zeros((n_compounds, len(SOURCES)))
        self.total_out = np.zeros((n_compounds, len(USES)))
        self.balance = np.zeros(n_compounds)
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

    def new_month(self) -> None:
        """Close last month's flows into the trailing window and reset them."""
        self._window[self._month % WINDOW] = self.month_in
        self._month += 1
        self._closed = None
        self._changes += 1
        self.month_in[:] = 0.0
        self.month_out[:] = 0.0

    def deposit(self, source: str, amounts: np.ndarray) -> None:
        """Add money from ``source``; ``amounts`` has one entry per compound (≥ 0)."""
        if np.any(amounts < 0):
            raise LedgerError(f"negative deposit from {source}")
        j = SOURCES.index(source)
        self.total_in[:, j] += amounts
        self.month_in[:, j] += amounts
        self.balance += amounts
        self._changes += 1

    def spend(self, use: str, amounts: np.ndarray) -> np.ndarray:
        """Pay out up to ``amounts`` per compound for ``use``; returns what was paid.

        A compound cannot pay more than its balance: the excess is not paid.
        """
        paid = np.minimum(np.maximum(amounts, 0.0), self.balance)
        j = USES.index(use)
        self.total_out[:, j] += paid
        self.month_out[:, j] += paid
        self.balance -= paid
        # Rounding can leave -1e-13; balances are never negative.
        np.maximum(self.balance, 0.0, out=self.balance)
        return paid

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
        cum = np.cumsum(amounts[order])
        starts = np.flatnonzero(np.r_[True, c_sorted[1:] != c_sorted[:-1]])
        before = np.repeat(cum[starts] - amounts[order][starts],
                           np.diff(np.r_[starts, c_sorted.size]))
        limit = self.balance if budget is None else np.minimum(self.balance, budget)
        fits = (cum - before) <= limit[c_sorted] + 1e-9
        paid = np.zeros(compounds.size, dtype=bool)
        paid[order] = fits
        total = np.bincount(compounds[paid], weights=amounts[paid], minlength=self.n)
        self.spend(use, total)
        return paid

    def check(self, tol: float = 1e-6) -> None:
        """Raise :class:`LedgerError` unless money is conserved and balances ≥ 0."""
        total_in = self.total_in.sum(axis=1)
        gap = total_in - self.total_out.sum(axis=1) - self.balance
        scale = np.maximum(1.0, total_in)
        if np.any(np.abs(gap) > tol * scale):
            worst = int(np.argmax(np.abs(gap)))
            raise LedgerError(f"compound {worst}: in − out − balance = {gap[worst]:.6g} yuan")
        if np.any(self.balance < 0):
            raise LedgerError("negative balance")

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
        part = win[:, mine].sum(axis=1)
        total = part + win[:, others].sum(axis=1)  # ≥ part, so the share is ≤ 1 exactly
        return np.divide(part, total, out=np.full_like(total, empty), where=total > 0)

    def self_funded_share(self) -> np.ndarray:
        """Residents' share of each compound's last-12-month inflow (0 if none)."""
        return self._shares("resident", 0.0)

    def self_funded_share_total(self) -> float:
        """Residents' share of the whole community's last-12-month inflow (0 if none)."""
        win = self._window_sum()
        mine, others = _SPLITS["resident"]
        part = float(win[:, mine].sum())
        total = part + float(win[:, others].sum())
        return part / total if total > 0 else 0.0

    def government_share(self) -> np.ndarray:
        """Government's share of each compound's last-12-month inflow (NaN if none)."""
        return self._shares("government", np.nan)
