"""Co-design of renovation: residents vote on the plan before the money is spent.

Seed 001 (Nan'an): "抛出初步整治方案,通过召开院坝会、楼栋会等方式充分听取居民意见,采取一户一票
实名表决的方式确定小区整治方案,大到小区是否围合、管网如何改造,小到休息座椅摆放、墙面装饰都全部
由小区居民自己决定". Seed 000 (Chongchuan): "在待整治小区中公示备选改造方案,乃至外墙涂料颜色,
让群众评议选择。群众的主体意识被唤醒、参与热情和审美情趣被调动,自然支持小区整治工作。" Both
credit residents' say in the plan with breaking 整治 → 反弹, the cycle seed 001 puts down to
residents who "并没有主人翁意识".

``codesign`` has no phase of its own: it is a rule the ``renovation_campaign`` follows
(:mod:`sim.institutions.government`). In a campaign month the campaign asks it for a vote
(:meth:`Codesign.vote`) before choosing whom to fund:

* every household votes (one household, one vote, 一户一票) with probability
  ``turnout``, or surely if it took part in consultation last month (it was at the 院坝会);
  a voter approves with probability ``approval + approval_trust·(trust − ½)``, clipped to
  [0, 1] — the plan is the government's, so trust in it is what the vote reads;
* a compound's plan passes when at least ``quorum`` of its households voted and more than
  half of those voting approved;
* a compound whose plan fails is passed over in this campaign: the money goes to the next
  compound in the allocation's order (under ``need`` the next worst, under ``competition``
  and ``need_and_will`` the next ranked; under ``competition`` what is left is carried over,
  as any unspent budget is). Its residents can vote again at the next campaign.

The stake (:meth:`Codesign.stake_in`), an assumption stated in ``docs/mechanisms.md``: in a
compound renovated to the plan it voted, households value contributing and complying — what
keeps the renovation up (fees pay the upkeep, violations wear it down) — more, by
``stake × turnout`` (the share of households that had a say), through ``Compounds.norm``.
The stake replaces the one of the compound's previous co-designed renovation and fades by
``stake_fade`` per month (:meth:`Codesign.fade`, called at the campaign's month end). With
``stake = 0`` the norm is never touched: the vote still decides who is funded, so a run with
``stake = 0`` is the vote's selection alone, and one without ``codesign`` has neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from sim.institutions.base import Contract, Institution, Params, axes

if TYPE_CHECKING:
    from sim.model import CompoundModel

STAKE_ACTIONS = (0, 1)
"""Columns of ``Compounds.norm`` the stake raises: contribute, comply (what keeps a
renovation up: upkeep money and fewer violations)."""


class CodesignParams(Params):
    """Parameters of ``codesign``."""

    turnout: float = Field(
        0.6, ge=0, le=1, description="Probability that a household which did not take part "
                                     "in consultation last month casts its vote on the plan "
                                     "(those who took part vote). Seed 001's 实名表决 is "
                                     "collected door to door; the figure is our assumption.",
        json_schema_extra={"prior": {"low": 0.4, "high": 0.8, "source": "assumption"}})
    approval: float = Field(
        0.7, ge=0, le=1, description="Probability that a voter of average trust (½) approves "
                                     "the plan; the plan was revised after 充分听取居民意见 "
                                     "(seed 001). Assumption.",
        json_schema_extra={"prior": {"low": 0.5, "high": 0.9, "source": "assumption"}})
    approval_trust: float = Field(
        0.6, ge=0, le=2, description="Change in the probability of approving per unit of the "
                                     "household's trust above ½. Assumption.",
        json_schema_extra={"prior": {"low": 0.0, "high": 1.0, "source": "assumption"}})
    quorum: float = Field(
        0.5, ge=0, le=1, description="Share of a compound's households that must vote for "
                                     "the result to count; more than half of those voting "
                                     "must approve. Assumption (the seeds give no rule).",
        json_schema_extra={"prior": {"low": 0.33, "high": 0.67, "source": "assumption"}})
    stake: float = Field(
        0.3, ge=0, le=5, description="Utility added to contributing and complying in a "
                                     "compound renovated to the plan it voted, per unit of "
                                     "turnout: residents' stake in keeping up what they "
                                     "chose (seed 000: 群众的主体意识被唤醒 … 自然支持小区"
                                     "整治工作). Size is our assumption; 0 switches it off.",
        json_schema_extra={"prior": {"low": 0.0, "high": 0.6, "source": "assumption"}})
    stake_fade: float = Field(
        0.01, ge=0, le=1, description="Share of the stake lost each month (0.01: a half-life "
                                      "of about 69 months). Assumption.",
        json_schema_extra={"prior": {"low": 0.0, "high": 0.03, "source": "assumption"}})


class Codesign(Institution[CodesignParams]):
    """Residents vote on the renovation plan; those who had a say keep the result up.

    Attributes:
        turnout: Share of each compound's households that voted at the last vote.
        passed: Whether each compound's plan passed at the last vote.
        votes: One record per vote: ``month``, ``turnout`` and ``passed`` (copies).
        stake_added: ``(compounds, 4)`` utility this institution has added to
            ``Compounds.norm`` and not yet removed.
    """

    name = "codesign"
    source = ("001 (Nan'an): 一户一票实名表决的方式确定小区整治方案; "
              "000 (Chongchuan): 公示备选改造方案,乃至外墙涂料颜色,让群众评议选择")
    Params = CodesignParams
    contract = Contract()  # no phase of its own: the campaign calls it (and declares it)
    replicate = axes(turnout="compound", passed="compound", votes="records", stake_added="compound")

    def __init__(self, model: CompoundModel, params: CodesignParams) -> None:
        super().__init__(model, params)
        n = model.n_compounds
        self.turnout = np.zeros(n)
        self.passed = np.zeros(n, dtype=bool)
        self.votes: list[dict[str, Any]] = []
        self.stake_added = np.zeros((n, 4))

    def vote(self, model: CompoundModel, runs: np.ndarray | None = None) -> np.ndarray:
        """Put the plan to every compound's households; returns which plans passed.

        Two uniform draws per household from its run's generator (whether it votes, whether
        it approves), in one call.

        Args:
            model: The model.
            runs: With several runs merged (:mod:`sim.replicates`), which runs vote (bool
                per run; the campaign renovates nothing in the others this month): the
                others draw nothing and keep their last vote. ``None``: every run votes.
        """
        p = self.params
        pop, comps = model.population, model.compounds
        where = None if runs is None else model.runs.where(runs, model.runs.households)
        if where is None:
            draws = model.runs.random_rows(2, model.runs.households)
        else:
            draws = np.ones((2, pop.n))
            draws[:, where] = model.runs.random_rows(2, model.runs.households[where])
        p_vote = np.where(pop.action("participate"), 1.0, p.turnout)
        p_yes = np.clip(p.approval + p.approval_trust * (pop.trust - 0.5), 0.0, 1.0)
        voted = draws[0] < p_vote
        yes = voted & (draws[1] < p_yes)
        counts = comps.total(np.column_stack((voted, yes)))
        turnout = counts[:, 0] / comps.households
        passed = (turnout >= p.quorum - 1e-12) & (2.0 * counts[:, 1] > counts[:, 0])
        if where is not None:  # the runs that did not vote keep their last result
            voting = runs[model.runs.compounds]
            turnout = np.where(voting, turnout, self.turnout)
            passed = np.where(voting, passed, self.passed)
        self.turnout, self.passed = turnout, passed
        self.votes.append({"month": model.steps, "turnout": self.turnout.copy(),
                           "passed": self.passed.copy()})
        return self.passed

    def stake_in(self, model: CompoundModel, fraction: np.ndarray) -> None:
        """Give compounds renovated to their plan the stake, replacing any earlier one.

        Args:
            model: The model.
            fraction: Share of a full renovation each compound got in this campaign (0 where
                none); the stake is ``stake × turnout × fraction``.
        """
        if self.params.stake == 0.0:
            return
        done = fraction > 0
        if not done.any():
            return
        norm = model.compounds.norm
        norm[done] -= self.stake_added[done]
        self.stake_added[done] = 0.0
        gain = self.params.stake * self.turnout[done] * fraction[done]
        self.stake_added[np.ix_(done, STAKE_ACTIONS)] = gain[:, None]
        norm[done] += self.stake_added[done]

    def fade(self, model: CompoundModel) -> None:
        """One month's fading of the stake (nothing when ``stake_fade`` is 0 or no stake)."""
        rate = self.params.stake_fade
        if rate == 0.0 or not self.stake_added.any():
            return
        kept = self.stake_added * (1.0 - rate)
        model.compounds.norm -= self.stake_added - kept
        self.stake_added = kept
