"""The owners' congress (业主大会): how an owners' committee is elected, re-elected or lapses.

Issue 12, item 3: in any design, the baseline included, owners can form an owners'
committee by the legal procedure. This module is the ``formation: congress`` mode of
``owners_committee`` (:class:`sim.institutions.committees.OwnersCommittee`): the committee
institution acts where a committee exists, and this procedure decides where one exists.

* **Floor area.** Each household's floor area (专有部分面积, m²) is drawn once in set-up,
  log-normal with median ``area_median`` and log-sd ``area_sigma``. Only owners
  (``population.tenure == OWNER``) vote; renters and floating households do not.
* **Preparatory group (筹备组).** It forms in a compound without a committee once its
  participation rate has stayed at or above ``formation_participation`` for
  ``formation_months`` months (the rule of ``formation: endogenous``), and calls a congress
  that month.
* **Congress.** Each owner takes part with probability
  ``turnout_active`` (if it takes part in compound affairs this month) or
  ``turnout_passive`` (if not; ballots collected door to door), times
  ``(1 + branch_support·branch + government_organises) · (1 − firm_obstruction·firm)``;
  each one taking part approves with probability
  ``(approval + approval_trust·trust) · (1 − firm_obstruction·firm)`` (clipped to [0, 1]).
  Bernoulli draws per owner, then :func:`passes`: under the Civil Code (民法典 art. 278,
  ``law: civil_code_2021``) owners holding at least two thirds of the floor area *and* two
  thirds of the owners take part, and more than half of those taking part, by area and by
  number, approve; under the Property Law (物权法 art. 76, ``law: property_law_2007``)
  more than half of all the area and of all the owners approve (双过半).
* **Failure** ends the group; a new one may form after ``retry_months``.
* **Term.** A committee's term is ``term_months`` (at most five years: the terms the
  rules on owners' congresses set are "每届任期不超过五年、可连选连任", some cities three to
  five years; we did not check the article of the national 《业主大会和业主委员会指导规则》);
  at its end a congress re-elects it (换届), or it lapses. It also dissolves once
  participation has stayed below ``dissolve_participation`` for ``formation_months``
  months.

With ``turnout_active = turnout_passive = 0`` no congress can pass: nothing is drawn (not
even the areas), no committee forms, and the run equals the run without the congress
(``tests/test_inst_congress.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from sim import kernels
from sim.institutions.base import Params, axes
from sim.population import OWNER

if TYPE_CHECKING:
    from sim.model import CompoundModel

Law = Literal["civil_code_2021", "property_law_2007"]


def _prior(low: float, high: float) -> dict[str, object]:
    """The ``json_schema_extra`` of a uniform prior on [low, high]: our assumption.

    The seeds give no figure for any parameter of the congress.
    """
    return {"prior": {"low": low, "high": high, "source": "assumption"}}


class CongressParams(Params):
    """Parameters of the owners' congress (``owners_committee`` with ``formation: congress``)."""

    law: Law = Field("civil_code_2021", description="Voting rule: 'civil_code_2021' (民法典 "
                                                    "art. 278: two thirds of area and owners "
                                                    "take part, more than half of them approve "
                                                    "by area and number) or "
                                                    "'property_law_2007' (双过半 of all owners).")
    turnout_active: float = Field(0.9, ge=0, le=1, description="Chance an owner who takes "
                                                               "part in compound affairs this "
                                                               "month votes in the congress.",
                                  json_schema_extra=_prior(0.7, 1.0))
    turnout_passive: float = Field(0.5, ge=0, le=1, description="Chance any other owner votes "
                                                                "(ballots collected door to "
                                                                "door).",
                                   json_schema_extra=_prior(0.3, 0.7))
    approval: float = Field(0.4, ge=0, le=1, description="Chance an owner with no trust who "
                                                         "votes approves the committee.",
                            json_schema_extra=_prior(0.2, 0.6))
    approval_trust: float = Field(0.4, ge=0, le=1, description="Added to that chance per unit "
                                                               "of the owner's trust.",
                                  json_schema_extra=_prior(0.2, 0.6))
    area_median: float = Field(80.0, gt=0, le=1000, description="Median floor area of a "
                                                                "household (m²).",
                               json_schema_extra=_prior(60.0, 100.0))
    area_sigma: float = Field(0.3, ge=0, le=3, description="Log-sd of floor area (0: every "
                                                           "household the same).",
                              json_schema_extra=_prior(0.15, 0.45))
    retry_months: int = Field(12, ge=1, le=600, description="Months after a failed congress "
                                                            "before a new preparatory group "
                                                            "may form.",
                              json_schema_extra=_prior(6, 24))
    term_months: int = Field(60, ge=1, le=600, description="A committee's term; a congress "
                                                           "re-elects it at the end or it "
                                                           "lapses (rules on owners' "
                                                           "congresses: 每届任期不超过五年; "
                                                           "some cities 3 to 5 years).",
                             json_schema_extra=_prior(36, 60))
    dissolve_participation: float = Field(0.0, ge=0, le=1, description="Participation rate "
                                                                       "below which, for "
                                                                       "`formation_months` "
                                                                       "months, a committee "
                                                                       "dissolves (0: never).",
                                          json_schema_extra=_prior(0.0, 0.05))
    branch_support: float = Field(0.0, ge=0, le=10, description="Share by which a party "
                                                                "branch in the compound "
                                                                "raises turnout.",
                                  json_schema_extra=_prior(0.0, 0.5))
    government_organises: float = Field(0.0, ge=0, le=10, description="Share by which the "
                                                                      "street office "
                                                                      "organising the "
                                                                      "congress raises "
                                                                      "turnout.",
                                        json_schema_extra=_prior(0.0, 0.5))
    firm_obstruction: float = Field(0.0, ge=0, le=1, description="Share by which a serving "
                                                                 "property firm lowers turnout "
                                                                 "and approval.",
                                    json_schema_extra=_prior(0.0, 0.5))


def passes(law: Law, compound: np.ndarray, area: np.ndarray, takes_part: np.ndarray,
           approves: np.ndarray, n_compounds: int) -> np.ndarray:
    """Whether each compound's congress elects the committee.

    Args:
        law: ``civil_code_2021`` (art. 278) or ``property_law_2007`` (双过半).
        compound: Compound of each owner (only owners are passed).
        area: Floor area of each owner.
        takes_part: Whether the owner votes.
        approves: Whether the owner approves (counted only where it takes part).
        n_compounds: Number of compounds.

    Returns:
        Bool per compound; a compound without owners never passes. "At least two thirds"
        (三分之二以上) includes two thirds; "more than half" (过半数) does not include half.
    """
    yes = takes_part & approves

    def total(mask: np.ndarray | None, weights: np.ndarray | None = None) -> np.ndarray:
        w = weights if mask is None else np.where(mask, 1.0 if weights is None else weights,
                                                  0.0)
        return np.bincount(compound, weights=w, minlength=n_compounds)

    owners, all_area = total(None, np.ones(compound.size)), total(None, area)
    yes_n, yes_area = total(yes), total(yes, area)
    if law == "property_law_2007":
        return (2.0 * yes_n > owners) & (2.0 * yes_area > all_area)
    part_n, part_area = total(takes_part), total(takes_part, area)
    quorum = (3.0 * part_n >= 2.0 * owners) & (3.0 * part_area >= 2.0 * all_area)
    return quorum & (owners > 0) & (2.0 * yes_n > part_n) & (2.0 * yes_area > part_area)


class Congress:
    """The preparatory groups, congresses and terms of every compound (``formation: congress``).

    Attributes:
        params: The congress parameters (those of ``owners_committee``).
        area: Floor area of each household (m²; zeros if no congress can pass).
        elected: Month the compound's committee was last elected (-1: none).
        wait_until: First month a new preparatory group may form (after a failure).
        held: Congresses held per compound.
        passed: Congresses that elected a committee, per compound.
        lapsed: Committees that lapsed or dissolved, per compound.
    """

    replicate = axes(params="same", area="household", elected="compound", wait_until="compound",
                     held="compound", passed="compound", lapsed="compound", _low="compound")
    """The replicate axis of each field (:mod:`sim.replicates`)."""

    def __init__(self, model: CompoundModel, params: CongressParams) -> None:
        n_c = model.n_compounds
        self.params = params
        self.area = np.zeros(model.population.n)
        self.elected = np.full(n_c, -1, dtype=np.int64)
        self.wait_until = np.zeros(n_c, dtype=np.int64)
        self.held = np.zeros(n_c, dtype=np.int64)
        self.passed = np.zeros(n_c, dtype=np.int64)
        self.lapsed = np.zeros(n_c, dtype=np.int64)
        self._low = np.zeros(n_c, dtype=np.int64)

    @property
    def possible(self) -> bool:
        """Whether any owner can vote (with both turnouts 0 the congress never happens)."""
        return self.params.turnout_active > 0 or self.params.turnout_passive > 0

    def setup(self, model: CompoundModel) -> None:
        """Draw each household's floor area (nothing is drawn if no congress can pass)."""
        p = self.params
        if self.possible:
            self.area = p.area_median * kernels.exp(model.rng.normal(0.0, p.area_sigma,
                                                                model.population.n))

    def month_end(self, model: CompoundModel, sustained: np.ndarray,
                  rate: np.ndarray, months: int) -> np.ndarray:
        """Dissolve, re-elect and elect committees; returns the compounds that have one.

        Args:
            model: The model.
            sustained: Compounds whose participation has stayed high enough for a
                preparatory group (the committee's formation streak).
            rate: This month's participation rate per compound.
            months: Months a low participation must last to dissolve a committee.
        """
        p = self.params
        has = model.selfgov.bodies["committee"].copy()
        now = model.steps
        self._low = np.where(rate < p.dissolve_participation, self._low + 1, 0)
        dissolve = has & (self._low >= months)
        has &= ~dissolve
        self.lapsed += dissolve
        if not self.possible:
            return has
        term_end = has & (now - self.elected >= p.term_months)
        group = ~has & sustained & (now >= self.wait_until)
        holding = term_end | group
        if holding.any():
            won = self._vote(model, holding)
            self.held += holding
            self.passed += won
            self.elected[won] = now
            lost = holding & ~won
            self.wait_until[lost] = now + p.retry_months
            self.lapsed += lost & term_end
            has = (has & ~lost) | won
        return has

    def _vote(self, model: CompoundModel, holding: np.ndarray) -> np.ndarray:
        """One congress in each compound of ``holding``: Bernoulli draws per owner, then the law."""
        p = self.params
        pop, sg = model.population, model.selfgov
        owners = np.flatnonzero(holding[pop.compound] & (pop.tenure == OWNER))
        comp = pop.compound[owners]
        firm = 1.0 - p.firm_obstruction * model.compounds.firm_present[comp]
        boost = (1.0 + p.branch_support * sg.bodies["branch"][comp] + p.government_organises)
        base = np.where(pop.decisions[owners, 3], p.turnout_active, p.turnout_passive)
        turnout = np.clip(base * boost * firm, 0.0, 1.0)
        approve = np.clip((p.approval + p.approval_trust * pop.trust[owners]) * firm, 0.0, 1.0)
        whose = model.runs.households[owners]
        takes_part = model.runs.random(whose) < turnout
        approves = model.runs.random(whose) < approve
        return holding & passes(p.law, comp, self.area[owners], takes_part, approves,
                                sg.n)
