"""Matters (事项): street lights, garbage, drains, parking, illegal structures….

Matters arise at random in each compound, more often where the condition is
poor (or, for illegal structures, where households violate the rules). Each
has a cost, a three-affairs category (big / small / private) and a scope (the
compound, a building, a stairwell unit or one household) that says whose
grievance it raises while it stays open. Handlers — the property firm, the
government, institutions of a design, households for private matters —
resolve matters and pay for them; every resolution is logged.

Open matters are kept as parallel arrays (a structure of arrays); resolved
ones leave the arrays and are appended to a compact log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # annotations only: sim.config builds on the institutions, which use this
    from sim.config import Matters as MattersConfig
    from sim.model import CompoundModel
    from sim.population import Population

CATEGORIES = ("big", "small", "private")
SCOPES = ("compound", "building", "unit", "household")
HANDLERS = ("firm", "government", "household", "campaign", "residents", "other")
"""Who resolved a matter (logged); institutions may add their own names."""


class MatterBook:
    """Open matters and the log of resolved ones.

    Attributes:
        ids, compound, kind, category, scope, target, cost, opened: One entry
            per open matter; ``ids`` are unique and stable, ``kind`` indexes
            ``config.types``, ``target`` is the building, unit or household id
            the scope refers to.
        in_project: The matter is being handled by a residents' project.
        rate_factor: ``(types, compounds)`` multiplier of arrival rates; a rule
            of the covenant lowers it for its matter type.
        grace: ``(compounds,)`` months a matter may stay open before it causes
            grievance (agenda setting lengthens it).
        resolved_this_month: Matters resolved this month, per compound.
    """

    def __init__(self, cfg: MattersConfig, n_compounds: int) -> None:
        self.cfg = cfg
        self.n_compounds = n_compounds
        self.type_names = [t.name for t in cfg.types]
        self._type_category = np.array([CATEGORIES.index(t.category) for t in cfg.types],
                                       dtype=np.int8)
        self._type_scope = np.array([SCOPES.index(t.scope) for t in cfg.types], dtype=np.int8)
        self._type_cost = np.array([t.cost for t in cfg.types], dtype=float)
        self._type_rate = np.array([t.rate for t in cfg.types], dtype=float)
        self._violation_driven = np.array([t.violation_driven for t in cfg.types], dtype=bool)
        self.rate_factor = np.ones((len(cfg.types), n_compounds))
        self.grace = np.full(n_compounds, cfg.grace_months, dtype=np.int64)
        self._next_id = 0
        self._scopes: tuple[tuple[np.ndarray, int], ...] | None = None
        self._scope_table: np.ndarray | None = None
        """Per scope, the households' ids of that scope and their count (:meth:`touching`)."""
        self.ids = np.zeros(0, dtype=np.int64)
        self.in_project = np.zeros(0, dtype=bool)
        self.compound = np.zeros(0, dtype=np.int64)
        self.kind = np.zeros(0, dtype=np.int16)
        self.category = np.zeros(0, dtype=np.int8)
        self.scope = np.zeros(0, dtype=np.int8)
        self.target = np.zeros(0, dtype=np.int64)
        self.cost = np.zeros(0)
        self.opened = np.zeros(0, dtype=np.int64)
        self.resolved_this_month = np.zeros(n_compounds)
        self._log: list[dict[str, np.ndarray]] = []

    @property
    def n_open(self) -> int:
        """Number of open matters."""
        return int(self.compound.size)

    def type_index(self, name: str) -> int:
        """Index of a matter type by name."""
        return self.type_names.index(name)

    def category_index(self, name: str) -> int:
        """Index of a category by name."""
        return CATEGORIES.index(name)

    def arrive(self, model: CompoundModel) -> None:
        """Draw this month's new matters in every compound."""
        self.resolved_this_month = np.zeros(self.n_compounds)
        scale = self.cfg.arrival_scale
        if scale <= 0 or not self.cfg.types:
            return
        pop = model.population
        hh = model.compounds.households
        q = model.compounds.condition
        cond_factor = np.maximum(0.0, 1.0 + self.cfg.condition_sensitivity * (0.5 - q))
        violators = model.compounds.total(~pop.acts[:, 1])
        base = np.where(self._violation_driven[:, None], violators[None, :],
                        (hh * cond_factor)[None, :])
        lam = scale * self._type_rate[:, None] * base * self.rate_factor / 100.0
        counts = model.runs.per_compound(lambda g, cols: g.poisson(lam[:, cols]))
        if counts.sum() == 0:
            return
        kinds, comps = np.nonzero(counts)
        reps = counts[kinds, comps]
        kinds = np.repeat(kinds, reps)
        comps = np.repeat(comps, reps)
        targets = self._draw_targets(model, kinds, comps)
        self._append(comps, kinds, targets, model.steps)

    def _draw_targets(self, model: CompoundModel, kinds: np.ndarray,
                      comps: np.ndarray) -> np.ndarray:
        """Pick the building, unit or household each new matter touches."""
        comp_state = model.compounds
        households = comp_state.members[comp_state.first_household[comps] + (
            model.runs.random(model.runs.of(comps)) * comp_state.households[comps]
        ).astype(np.int64)]
        # The household's compound (the matter's own), building, unit or itself, by scope.
        return self._scope_ids(model.population)[households, self._type_scope[kinds]]

    def _scope_ids(self, pop: Population) -> np.ndarray:
        """``(households, 4)``: each household's compound, building, unit and own index.

        Columns in the order of :data:`SCOPES` (:meth:`_scopes_of`), built once.
        """
        if self._scope_table is None:
            self._scope_table = np.stack([ids for ids, _ in self._scopes_of(pop)], axis=1)
        return self._scope_table

    def _scopes_of(self, pop: Population) -> tuple[tuple[np.ndarray, int], ...]:
        """Per scope of :data:`SCOPES`, each household's id of that scope and how many ids.

        Households never move, so it is found once per model.
        """
        if self._scopes is None:
            self._scopes = tuple((ids, int(ids.max()) + 1) for ids in (
                pop.compound, pop.building, pop.unit, np.arange(pop.n, dtype=np.int64)))
        return self._scopes

    def add(self, comps: np.ndarray, kinds: np.ndarray, targets: np.ndarray,
            step: int) -> None:
        """Open matters of the given kinds in the given compounds (targets by scope)."""
        self._append(np.asarray(comps, dtype=np.int64), np.asarray(kinds, dtype=np.int64),
                     np.asarray(targets, dtype=np.int64), step)

    def _append(self, comps: np.ndarray, kinds: np.ndarray, targets: np.ndarray,
                step: int) -> None:
        new_ids = np.arange(self._next_id, self._next_id + comps.size, dtype=np.int64)
        self._next_id += comps.size
        self.ids = np.concatenate((self.ids, new_ids))
        self.in_project = np.concatenate((self.in_project, np.zeros(comps.size, dtype=bool)))
        self.compound = np.concatenate((self.compound, comps))
        self.kind = np.concatenate((self.kind, kinds.astype(np.int16)))
        self.category = np.concatenate((self.category, self._type_category[kinds]))
        self.scope = np.concatenate((self.scope, self._type_scope[kinds]))
        self.target = np.concatenate((self.target, targets))
        self.cost = np.concatenate((self.cost, self._type_cost[kinds]))
        self.opened = np.concatenate((self.opened, np.full(comps.size, step, dtype=np.int64)))

    def open_count_by_compound(self) -> np.ndarray:
        """Open matters per compound."""
        return np.bincount(self.compound, minlength=self.n_compounds).astype(float)

    def resolve(self, mask: np.ndarray, step: int, handler: str,
                paid: np.ndarray | None = None) -> None:
        """Close the open matters selected by ``mask`` and log them.

        Args:
            mask: Bool mask over open matters.
            step: Month of resolution.
            handler: Who resolved them (for the log).
            paid: Yuan paid for each selected matter (default: its cost).
        """
        if not np.any(mask):
            return
        self.resolved_this_month += np.bincount(self.compound[mask], minlength=self.n_compounds)
        self._log.append({
            "id": self.ids[mask],
            "compound": self.compound[mask],
            "kind": self.kind[mask],
            "opened": self.opened[mask],
            "resolved": np.full(int(mask.sum()), step, dtype=np.int64),
            "paid": self.cost[mask] if paid is None else paid,
            "handler": np.full(int(mask.sum()), handler, dtype=object),
        })
        keep = ~mask
        for name in ("ids", "in_project", "compound", "kind", "category", "scope", "target",
                     "cost", "opened"):
            setattr(self, name, getattr(self, name)[keep])

    def touching(self, model: CompoundModel, min_age: int | np.ndarray | None = None
                 ) -> np.ndarray:
        """Number of open matters older than their grace touching each household.

        Args:
            model: The model.
            min_age: Months a matter may be open before it counts: a number, one
                per compound, or ``None`` for the book's per-compound ``grace``.
        """
        pop = model.population
        if min_age is None:
            min_age = self.grace
        age_needed = min_age[self.compound] if isinstance(min_age, np.ndarray) else min_age
        old = (model.steps - self.opened) >= age_needed
        counts = np.zeros(pop.n)
        if not old.any():
            return counts
        for s, (ids, size) in enumerate(self._scopes_of(pop)):
            sel = old & (self.scope == s)
            if sel.any():
                per_id = np.bincount(self.target[sel], minlength=size)
                counts += per_id[ids]
        return counts

    def resolved_in(self, step: int, handlers: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Compounds and type indices of the matters ``handlers`` resolved in month ``step``."""
        comps, kinds = [], []
        for entry in reversed(self._log):
            if entry["resolved"].size and entry["resolved"][0] != step:
                break
            if entry["handler"].size and entry["handler"][0] in handlers:
                comps.append(entry["compound"])
                kinds.append(entry["kind"])
        if not comps:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(comps), np.concatenate(kinds).astype(np.int64)

    def log_frame(self) -> pd.DataFrame:
        """Resolved matters: compound, type, month opened and resolved, yuan paid, handler."""
        cols = ("id", "compound", "kind", "opened", "resolved", "paid", "handler")
        if not self._log:
            frame = pd.DataFrame({c: [] for c in cols})
        else:
            frame = pd.DataFrame({c: np.concatenate([e[c] for e in self._log]) for c in cols})
        frame["type"] = [self.type_names[int(k)] for k in frame["kind"]]
        return frame.drop(columns="kind")

    def open_frame(self) -> pd.DataFrame:
        """Open matters: id, compound, type, category, month opened, cost."""
        return pd.DataFrame({
            "id": self.ids,
            "compound": self.compound,
            "type": [self.type_names[int(k)] for k in self.kind],
            "category": [CATEGORIES[int(c)] for c in self.category],
            "opened": self.opened,
            "cost": self.cost,
        })
