"""The 12345 hotline: report → response → feedback, a full chain from a call to an answer.

Seed 004 (Pujiang) proposes to join the county's mechanisms through the hotline:
"依托現有網絡理政中心、“12345”縣長熱線等政務資源,有效整合信息發布機制、情況研判機制、應急響應機制、
聯動處置機制" and "實現市民訴求即時響應、治理難題及時回應". Each link of the chain is one step here:

* **report** — a household with a grievance calls with a monthly probability (``report_rate``);
* **response** — in a compound from which a call came this month, each open big or small
  matter (private matters are the household's own) is taken up with probability
  ``response``; government pays, as under ``government_service``;
* **feedback** — every caller of a compound where the hotline settled a matter hears back:
  their trust closes ``feedback_trust`` of the gap to full trust. A call that is answered by
  nothing teaches nothing.

With ``report_rate`` 0 (or ``response`` 0) the hotline does nothing: its off switch inside a
design. It does not change petitions directly: callers whose matters are settled have less
grievance and more trust, which is what the petition rule (:func:`sim.behaviour.petition_utility`)
reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.institutions.base import Access, Contract, Institution, Params, axes

if TYPE_CHECKING:
    from sim.model import CompoundModel

PRIVATE = 2
"""Category index of private matters (``sim.matters``: big, small, private)."""


class HotlineParams(Params):
    """Parameters of ``hotline``."""

    report_rate: float = Field(0.05, ge=0, le=1, description="Monthly probability that a "
                                                             "household with a grievance "
                                                             "calls the hotline (report); "
                                                             "our assumption.",
                               json_schema_extra={"prior": {"low": 0.025, "high": 0.1,
                                                            "source": "assumption"}})
    response: float = Field(0.2, ge=0, le=1, description="Monthly probability that an open "
                                                         "big or small matter of a compound "
                                                         "that called this month is taken up "
                                                         "(response); our assumption.",
                            json_schema_extra={"prior": {"low": 0.1, "high": 0.3,
                                                         "source": "assumption"}})
    feedback_trust: float = Field(0.05, ge=0, le=1, description="Share of the gap to full "
                                                                "trust closed for a caller "
                                                                "whose compound had a matter "
                                                                "settled by the hotline this "
                                                                "month (feedback); our "
                                                                "assumption.",
                                  json_schema_extra={"prior": {"low": 0.025, "high": 0.075,
                                                               "source": "assumption"}})


class Hotline(Institution[HotlineParams]):
    """12345 热线: calls from aggrieved households bring a response and feedback.

    Attributes:
        calls: Households that called, in total over the run (one count per run where a
            model advances several).
        settled: Matters the hotline settled, in total over the run (likewise).
    """

    name = "hotline"
    source = "004 (Pujiang): 依托現有網絡理政中心、“12345”縣長熱線等政務資源 … 實現市民訴求即時響應"
    Params = HotlineParams
    replicate = axes(calls="run", settled="run")
    contract = Contract(
        after_decisions=Access(
            reads=("population.grievance", "population.trust", "matters.open",
                   "ledger.accounts", "government.spent"),
            writes=("model.rng", "matters.open", "matters.resolved", "ledger.accounts",
                    "government.spent", "population.trust"),
        ),
    )

    def __init__(self, model: CompoundModel, params: HotlineParams) -> None:
        super().__init__(model, params)
        self.calls = 0
        self.settled = 0

    def after_decisions(self, model: CompoundModel) -> None:
        """Report, respond and feed back, in that order, for this month."""
        p = self.params
        pop = model.population
        if p.report_rate == 0 or p.response == 0:
            return
        runs = model.runs
        aggrieved = pop.grievance > 0
        callers = aggrieved & (runs.random(runs.households) < p.report_rate)
        calling = runs.touched(callers, runs.households)  # per run: anyone called
        if not calling.any():
            return
        self.calls += runs.count(callers, runs.households)
        called = np.bincount(pop.compound[callers], minlength=model.n_compounds) > 0
        book = model.matters
        if book.n_open == 0:
            return
        eligible = called[book.compound] & (book.category != PRIVATE) & ~book.in_project
        owner = runs.of(book.compound)  # a run nobody called in draws nothing
        take = eligible & (runs.random_where(owner, runs.where(calling, owner)) < p.response)
        if not np.any(take):
            return
        answered = np.zeros(model.n_compounds, dtype=bool)
        answered[book.compound[take]] = True
        cost = np.bincount(book.compound[take], weights=book.cost[take],
                           minlength=model.n_compounds)
        self.settled += runs.count(take, owner)
        model.government.pay(cost)
        model.ledger.spend("matters", cost)
        book.resolve(take, model.steps, "government")
        heard = callers & answered[pop.compound]
        pop.trust[heard] += p.feedback_trust * (1.0 - pop.trust[heard])
