"""Making choices visible: public rolls and online tools.

Face works only where neighbours can see (pattern 4 of the domain brief). Seed 000
(Chongchuan) publishes who pays: "设置小区好人榜、诚信榜,公示新风典型和包括物业费缴纳情况的诚信
案例,表彰小区居民先进典型,督促少数人自觉履行随附义务". Seed 003 (Huli) opens WeChat groups and
online deliberation, e-payment and e-voting ("技术赋权"): "推广党建e家、小区微信、电子地图等
移动信息平台" and "推行“电子支付”“电子投票”等可溯源的现代信息手段".

Both act through the decision rule (:mod:`sim.behaviour`): ``visibility_bonus`` raises how
much a household's own choice is seen (the face term's weight), ``public_weight`` mixes the
compound's rate of last month into the share of acting neighbours a household sees (a roll
shows everyone, not just one's ties), and ``norm`` adds utility to an action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.institutions.base import Access, Contract, Institution, Params, axes

if TYPE_CHECKING:
    from sim.model import CompoundModel

CONTRIBUTE, COMPLY, VOLUNTEER, PARTICIPATE = range(4)
"""Columns of the per-action arrays (see ``sim.population.ACTIONS``)."""


class PublicRollsParams(Params):
    """Parameters of ``public_rolls``."""

    credit_visibility: float = Field(0.3, ge=0, le=1, description="Share added to the "
                                                                  "visibility of paying the "
                                                                  "fee (the credit roll lists "
                                                                  "who pays); our "
                                                                  "assumption.",
                                     json_schema_extra={"prior": {"low": 0.15, "high": 0.45,
                                                                  "source": "assumption"}})
    good_people_visibility: float = Field(0.2, ge=0, le=1, description="Share added to the "
                                                                       "visibility of "
                                                                       "volunteering (the "
                                                                       "good-people roll "
                                                                       "honours exemplary "
                                                                       "residents); our "
                                                                       "assumption.",
                                          json_schema_extra={"prior": {"low": 0.1, "high": 0.3,
                                                                       "source": "assumption"}})
    credit_reach: float = Field(0.5, ge=0, le=1, description="Share of what a household sees "
                                                             "about paying that comes from "
                                                             "the roll (the compound's "
                                                             "payment rate last month); our "
                                                             "assumption.",
                                json_schema_extra={"prior": {"low": 0.25, "high": 0.75,
                                                             "source": "assumption"}})
    good_people_reach: float = Field(0.3, ge=0, le=1, description="Share of what a household "
                                                                  "sees about volunteering "
                                                                  "that comes from the roll; "
                                                                  "our assumption.",
                                     json_schema_extra={"prior": {"low": 0.15, "high": 0.45,
                                                                  "source": "assumption"}})
    honour: float = Field(0.2, ge=0, le=5, description="Utility of being named on the "
                                                       "good-people roll for volunteering "
                                                       "(表彰: praise, not only visibility); "
                                                       "our assumption.",
                          json_schema_extra={"prior": {"low": 0.1, "high": 0.3,
                                                       "source": "assumption"}})


class PublicRolls(Institution[PublicRollsParams]):
    """好人榜/诚信榜: rolls that publish who pays the fee and who does good.

    The credit roll (诚信榜) publishes "包括物业费缴纳情况的诚信案例": paying the fee becomes more
    visible (``credit_visibility``), and what a household sees about paying comes partly
    (``credit_reach``) from the roll, i.e. the compound's payment rate, not only from the
    neighbours it knows. The good-people roll (好人榜, "表彰小区居民先进典型") does the same for
    volunteering, and adds the honour of being named (``honour``): without it, making a
    rare action more visible would only show how few do it. Where strangers cannot see
    each other, the rolls give face something to work on.
    """

    name = "public_rolls"
    source = "000 (Chongchuan): 设置小区好人榜、诚信榜,公示新风典型和包括物业费缴纳情况的诚信案例"
    Params = PublicRollsParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            reads=("compounds.visibility_bonus", "compounds.public_weight", "compounds.norm"),
            writes=("compounds.visibility_bonus", "compounds.public_weight", "compounds.norm"),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """Raise visibility of paying and volunteering; publish the compound's rates."""
        p = self.params
        comps = model.compounds
        comps.visibility_bonus[:, CONTRIBUTE] += p.credit_visibility
        comps.visibility_bonus[:, VOLUNTEER] += p.good_people_visibility
        comps.public_weight[:, CONTRIBUTE] = np.maximum(comps.public_weight[:, CONTRIBUTE],
                                                        p.credit_reach)
        comps.public_weight[:, VOLUNTEER] = np.maximum(comps.public_weight[:, VOLUNTEER],
                                                       p.good_people_reach)
        comps.norm[:, VOLUNTEER] += p.honour


class OnlineToolsParams(Params):
    """Parameters of ``online_tools``."""

    participation_gain: float = Field(0.5, ge=0, le=5, description="Utility added to taking "
                                                                   "part (online deliberation "
                                                                   "and e-voting cost less "
                                                                   "effort); our assumption.",
                                      json_schema_extra={"prior": {"low": 0.25, "high": 0.75,
                                                                   "source": "assumption"}})
    payment_gain: float = Field(0.1, ge=0, le=5, description="Utility added to paying the fee "
                                                             "(e-payment is easier); our "
                                                             "assumption.",
                                json_schema_extra={"prior": {"low": 0.05, "high": 0.15,
                                                             "source": "assumption"}})
    visibility: float = Field(0.1, ge=0, le=1, description="Share added to the visibility of "
                                                           "every action (WeChat groups); our "
                                                           "assumption.",
                              json_schema_extra={"prior": {"low": 0.05, "high": 0.15,
                                                           "source": "assumption"}})
    reach: float = Field(0.2, ge=0, le=1, description="Share of what a household sees about "
                                                      "every action that comes from the "
                                                      "compound's group (the compound's rate "
                                                      "last month); our assumption.",
                         json_schema_extra={"prior": {"low": 0.1, "high": 0.3,
                                                      "source": "assumption"}})


class OnlineTools(Institution[OnlineToolsParams]):
    """线上议事、电子投票、电子缴费: seed 003's technical tools (技术赋权).

    Online deliberation and e-voting make taking part cheaper ("强化了小区居民获取治理相关信息
    的能力,赋予居民以更多的知情权、选择权,提升了居民的话语能力、参与能力"): a norm term
    ``participation_gain`` on participating; e-payment makes paying easier (``payment_gain``).
    The compound's WeChat group breaks the "陌生人" deadlock ("破除小区“陌生人”困局"): every
    action becomes more visible (``visibility``) and part (``reach``) of what a household sees
    comes from the whole compound.
    """

    name = "online_tools"
    source = "003 (Huli): 通过技术赋权小区居民的公共参与; 推行“电子支付”“电子投票”"
    Params = OnlineToolsParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            reads=("compounds.visibility_bonus", "compounds.public_weight", "compounds.norm"),
            writes=("compounds.visibility_bonus", "compounds.public_weight", "compounds.norm"),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """Cheaper participation and payment; everything more visible."""
        p = self.params
        comps = model.compounds
        comps.norm[:, PARTICIPATE] += p.participation_gain
        comps.norm[:, CONTRIBUTE] += p.payment_gain
        comps.visibility_bonus += p.visibility
        np.maximum(comps.public_weight, p.reach, out=comps.public_weight)
