"""Compounds (小区): physical condition and who serves them, one entry per compound.

The condition Q ∈ [0, 1] of a compound's public goods decays every month,
faster where households violate the rules, and is restored by upkeep
spending (money and volunteer labour) with diminishing returns:

    Q ← Q − Q·min(1, decay + violation_decay·violation_rate)
          + (1 − Q)·(1 − exp(−upkeep per household / restore_scale))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.config import Community, Economy

if TYPE_CHECKING:
    from sim.population import Population

HISTORY = 6
"""Months of contribution rates kept per compound (for firm entry decisions)."""


class Compounds:
    """State of every compound.

    Attributes:
        households: Households per compound.
        members: Household indices sorted by compound; compound c's households are
            ``members[first_household[c] : first_household[c] + households[c]]``.
        first_household: Position of each compound's first household in ``members``.
        group: Index of the community group the compound belongs to.
        condition: Condition Q in [0, 1].
        firm_present: A property firm serves the compound.
        firm_loss_months: Consecutive months of collection below the exit level.
        firm_cost_factor: Multiplies the firm's fixed cost (a red firm's is lower).
        firm_patience_bonus: Extra loss months a firm bears before exiting (red firm).
        upkeep: Yuan spent on upkeep this month (money only).
        volunteer_upkeep: Yuan-equivalent of volunteer labour this month.
        visibility_bonus: ``(compounds, 4)`` added to the visibility of each
            action (public rolls, online groups); 0 unless an institution sets it.
        public_weight: ``(compounds, 4)`` weight of the compound-wide rate of last
            month in the share of acting neighbours a household sees (a public
            roll shows everyone who paid); 0 unless an institution sets it.
        last_rates: ``(compounds, 4)`` last month's action rates.
        mobilised: Whether any household has ever been mobilised (skips work).
        extra_due: Optional yuan per household asked on top of the fee this
            month (pooled shares, 打平伙); ``None`` when nothing is asked.
        norm: ``(compounds, 4)`` utility added to each cooperative action by
            rules of the compound (a covenant); 0 unless an institution sets it.
        contribution_history: ``(HISTORY, compounds)`` recent contribution rates.
    """

    def __init__(self, community: Community, economy: Economy, population: Population,
                 groups: np.ndarray) -> None:
        self.economy = economy
        n_c = groups.size
        self.n = n_c
        self.group = groups
        compound = population.compound
        self.households = np.bincount(compound, minlength=n_c).astype(np.int64)
        # Constants derived from households, for per-household shares and weights.
        self.households_float = self.households.astype(float)
        self.rate_divisor = np.maximum(self.households, 1)[:, None]
        self.first_household = np.concatenate(([0], np.cumsum(self.households)[:-1]))
        self._contiguous = bool(np.all(np.diff(compound) >= 0)) and bool(
            np.all(self.households > 0))
        self.members = (np.arange(compound.size) if self._contiguous
                        else np.argsort(compound, kind="stable"))
        self._compound = compound
        self.condition = np.array([community.groups[g].condition for g in groups], dtype=float)
        self.firm_present = np.array([community.groups[g].firm for g in groups], dtype=bool)
        self.firm_loss_months = np.zeros(n_c, dtype=np.int64)
        self.firm_cost_factor = np.ones(n_c)
        self.firm_patience_bonus = np.zeros(n_c, dtype=np.int64)
        self.upkeep = np.zeros(n_c)
        self.volunteer_upkeep = np.zeros(n_c)
        self.visibility_bonus = np.zeros((n_c, 4))
        self.public_weight = np.zeros((n_c, 4))
        self.last_rates = np.zeros((n_c, 4))
        self.mobilised = False
        self.extra_due: np.ndarray | None = None
        self.norm = np.zeros((n_c, 4))
        self.contribution_history = np.full((HISTORY, n_c), np.nan)

    def total(self, values: np.ndarray) -> np.ndarray:
        """Sum a per-household array (1-D, or 2-D with one column per quantity) by compound.

        Booleans are counted by one compiled kernel (:func:`sim.kernels.count_by_compound`,
        eight bytes at a time) and returned as float64: the counts are exact, and adding
        bytes is several times faster than converting each to a float first. Floats are
        summed by numpy: ``add.reduceat`` (pairwise summation within each compound) where
        each compound's households are contiguous, else ``bincount`` (in household order).
        """
        if values.dtype == np.bool_:
            ordered = values if self._contiguous else values[self.members]
            table = np.ascontiguousarray(ordered.reshape(ordered.shape[0], -1))
            counts = kernels.count_by_compound(table, self.first_household, self.households)
            return counts if values.ndim == 2 else counts[:, 0]
        if self._contiguous:
            return np.add.reduceat(values, self.first_household, axis=0, dtype=np.float64)
        if values.ndim == 1:
            return np.bincount(self._compound, weights=values.astype(np.float64),
                               minlength=self.n)
        return np.stack([self.total(values[:, j]) for j in range(values.shape[1])], axis=1)

    def total_columns(self, columns: tuple[np.ndarray, ...]) -> np.ndarray:
        """Sums by compound of several per-household arrays, ``(compounds, k)`` float64.

        The columns are stacked and summed together: ``total(np.column_stack(columns))``.
        """
        return self.total(np.column_stack(columns))

    def fee_due(self) -> np.ndarray:
        """Fee asked of each household this month, yuan, per compound.

        A firm charges the property fee; elsewhere the residents' committee
        collects the smaller cleaning fee (保洁费).
        """
        eco = self.economy
        return np.where(self.firm_present, eco.firm_fee, eco.cleaning_fee)

    def record_contributions(self, rate: np.ndarray, step: int) -> None:
        """Remember this month's contribution rate per compound."""
        self.contribution_history[step % HISTORY] = rate

    def recent_contribution(self) -> np.ndarray:
        """Mean contribution rate over the last months (NaN-free: 0 before any month)."""
        hist = self.contribution_history
        filled = ~np.isnan(hist)
        count = filled.sum(axis=0)
        total = np.where(filled, hist, 0.0).sum(axis=0)
        return np.divide(total, count, out=np.zeros(self.n), where=count > 0)

    def update_condition(self, violation_rate: np.ndarray) -> None:
        """Apply one month of decay and of restoration by this month's upkeep."""
        eco = self.economy
        q = self.condition
        per_household = (self.upkeep + self.volunteer_upkeep) / np.maximum(self.households, 1)
        loss = q * np.minimum(1.0, eco.decay + eco.violation_decay * violation_rate)
        gain = (1.0 - q) * (1.0 - kernels.exp(-per_household / eco.restore_scale))
        self.condition = np.clip(q - loss + gain, 0.0, 1.0)
        self.upkeep[:] = 0.0
        self.volunteer_upkeep[:] = 0.0
