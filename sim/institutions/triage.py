"""Three-affairs triage (三事分流): big → government, small → residents, private → household.

Seed 001: "'三事分流'将群众反映的诉求和问题,分为'大事'、'小事'和'私事'分类处理,
政府'兜底'解决'大事'、居民自治解决'小事'、社区引导解决'私事'". Relieving the community
of admin work (社区减负: "251+153" tasks cut to 62) let staff leave the office:
"社区每天只保留1至2名工作人员坐班,其余每天都在片区里入户".

Under triage government stops taking up small matters (they are the residents' to settle),
takes up big ones faster, the community guides households to settle private ones, and
community staff visit households.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.institutions.base import Access, Contract, Institution, Params, axes
from sim.selfgov import choose_households, mobilise

if TYPE_CHECKING:
    from sim.model import CompoundModel


class TriageParams(Params):
    """Parameters of ``three_affairs_triage``."""

    relief: float = Field(0.5, ge=0, le=10, description="Extra speed of government on big "
                                                        "matters (staff freed by 社区减负).",
                          json_schema_extra={"prior": {"low": 0.25, "high": 0.75,
                                                       "source": "assumption"}})
    guide_private: float = Field(0.1, ge=0, le=1, description="Extra monthly probability that "
                                                              "a household settles a private "
                                                              "matter (社区引导).",
                                 json_schema_extra={"prior": {"low": 0.05, "high": 0.15,
                                                              "source": "assumption"}})
    visit_share: float = Field(0.03, ge=0, le=1, description="Share of households community "
                                                             "staff visit each month (入户).",
                               json_schema_extra={"prior": {"low": 0.015, "high": 0.045,
                                                            "source": "assumption"}})
    trust_gain: float = Field(0.03, ge=0, le=1, description="Share of the gap to full trust a "
                                                           "staff visit closes.",
                              json_schema_extra={"prior": {"low": 0.015, "high": 0.045,
                                                           "source": "assumption"}})


class ThreeAffairsTriage(Institution[TriageParams]):
    """三事分流: route matters by category; free community staff to visit households."""

    name = "three_affairs_triage"
    source = "001 (Nan'an): 政府“兜底”解决“大事”、居民自治解决“小事”、社区引导解决“私事”"
    Params = TriageParams
    replicate = axes()  # no state of its own (sim.replicates)
    contract = Contract(
        setup=Access(
            reads=("selfgov.private_fix_bonus",),
            writes=("selfgov.government_handles_small", "selfgov.big_speedup",
                    "selfgov.private_fix_bonus"),
        ),
        before_decisions=Access(
            reads=("population.trust",),
            writes=("model.rng", "population.mobilisation", "population.trust",
                    "compounds.mobilised"),
        ),
    )

    def setup(self, model: CompoundModel) -> None:
        """Route: government keeps big matters only, and handles them faster."""
        p = self.params
        sg = model.selfgov
        sg.government_handles_small = False
        sg.big_speedup = 1.0 + p.relief
        sg.private_fix_bonus += p.guide_private

    def before_decisions(self, model: CompoundModel) -> None:
        """Community staff visit a share of households."""
        p = self.params
        counts = np.round(p.visit_share * model.compounds.households).astype(np.int64)
        mobilise(model, choose_households(model, counts), p.trust_gain)
