"""Scenario schema: community + design + behaviour + economy + matters + run.

A :class:`Scenario` is everything a run needs, validated. It is read from
YAML by :func:`load_config`; ``community`` and ``design`` may be preset names
(files in ``configs/communities/`` and ``configs/designs/``) or inline
mappings. :meth:`Scenario.override` returns a new validated scenario with
dotted fields replaced, which is how ``--set key=value`` and keyword
arguments such as ``behaviour__noise=0.2`` work.

Every parameter is declared once, here, with its unit, range and default
(``docs/parameters.md`` is generated from this module). Units: "yuan" are
yuan per household per month unless stated; "share" is a number in [0, 1];
"utility" is a term of the logit decision rule; "month" is a model step.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    field_validator,
)

from sim.distributions import Dist, Spec
from sim.errors import ConfigError, InstitutionAbsentError
from sim.strict import (  # noqa: F401  (Strict, reject_bool, STRICT_CONFIG re-exported)
    STRICT_CONFIG,
    Strict,
    reject_bool,
    unknown_name,
    validation_error,
)

WEIGHT_MAX = 100.0
"""Largest weight of a term of the decision rule (utility units; defaults are about 1)."""

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Weight = Annotated[float, Field(ge=0.0, le=WEIGHT_MAX)]

CONFIG_ROOT = Path(__file__).resolve().parent.parent / "configs"
"""The shipped presets (``configs/`` beside the package)."""


def config_dirs() -> list[Path]:
    """Folders searched for presets: ``$SIM_CONFIG_PATH`` entries, then ``configs/``."""
    extra = [Path(p) for p in os.environ.get("SIM_CONFIG_PATH", "").split(os.pathsep) if p]
    return [*extra, CONFIG_ROOT]


# --------------------------------------------------------------------------- community


class CompoundGroup(Strict):
    """A kind of compound in the community, repeated ``count`` times.

    Households are split evenly over buildings and their stairwell units.
    """

    name: str = Field(description="Identifier of the group, e.g. `dormitory_no_firm`.")
    label_zh: str = Field("", description="Chinese name of this kind of compound.")
    count: int = Field(1, ge=1, le=100_000, description="Number of compounds of this kind.")
    households: int = Field(100, ge=1, le=1_000_000, description="Households per compound.")
    buildings: int = Field(4, ge=1, le=10_000, description="Buildings (楼栋) per compound.")
    units_per_building: int = Field(2, ge=1, le=100,
                                    description="Stairwell units (单元) per building.")
    firm: bool = Field(False, description="Served by a property firm at month 0.")
    floating_share: Share = Field(0.2, description="Share of households that are floating "
                                                   "(流动人口, short-stay renters).")
    owner_share: Share = Field(0.7, description="Share of the other households that own "
                                                "their flat (the rest rent).")
    condition: Share = Field(0.5, description="Condition Q of public goods at month 0.")
    ability_median: Positive = Field(3000.0, le=1e7, description="Median disposable income, "
                                                                  "yuan per household per "
                                                                  "month.")
    party_share: Share = Field(0.08, description="Share of households with a party member.")
    work_unit_owner: bool = Field(False, description="A former work unit still owns the "
                                                     "compound (单位宿舍) and can bring a "
                                                     "property firm in (seed 002).")
    open_matters: list[str] = Field(default_factory=list, description="Matter types open in "
                                                                      "every compound of the "
                                                                      "group at month 0 "
                                                                      "(e.g. broken lights).")


class NetworkConfig(Strict):
    """How the neighbour network is built from the physical layout."""

    acquaintance: Share = Field(0.6, description="Moves the compound between strangers "
                                                 "(陌生人, 0) and acquaintances (熟人, 1); "
                                                 "scales every kind of tie.")
    unit_tie_prob: Share = Field(0.7, description="Probability that two households of one "
                                                  "stairwell unit know each other, at "
                                                  "acquaintance 1.")
    building_ties: NonNeg = Field(2.0, le=50, description="Mean ties each household draws to "
                                                          "random households of its building "
                                                          "(own unit included), at "
                                                          "acquaintance 1; as both ends draw, "
                                                          "the degree added is about twice "
                                                          "this.")
    compound_ties: NonNeg = Field(1.0, le=50, description="Mean long-range ties each household "
                                                          "draws across its compound, at "
                                                          "acquaintance 1 (degree added: about "
                                                          "twice this).")
    floating_tie_factor: Share = Field(0.4, description="Probability that a tie involving a "
                                                        "floating household is kept.")


class Community(Strict):
    """A community (社区): its compounds and how neighbours know each other."""

    kind: Literal["community"] = "community"
    name: str = "community"
    label_zh: str = ""
    label_en: str = ""
    source: str = Field("", description="Where the numbers come from (seed file and phrase).")
    description: str = ""
    groups: list[CompoundGroup] = Field(min_length=1)
    network: NetworkConfig = NetworkConfig()

    @property
    def n_households(self) -> int:
        """Total households in the community."""
        return sum(g.count * g.households for g in self.groups)

    @property
    def n_compounds(self) -> int:
        """Total compounds in the community."""
        return sum(g.count for g in self.groups)


# --------------------------------------------------------------------------- design


class Design(Strict):
    """A governance design: a named composition of institutions.

    ``institutions`` maps registered institution names (see
    :mod:`sim.institutions`) to their parameters; each institution validates
    its own parameters.
    """

    kind: Literal["design"] = "design"
    name: str = "design"
    label_zh: str = ""
    label_en: str = ""
    source: str = Field("", description="Seed file and the phrases the design comes from.")
    description: str = Field("", description="What the design does, in English.")
    description_zh: str = Field("", description="What the design does, in Chinese.")
    institutions: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("institutions")
    @classmethod
    def _known_institutions(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        from sim.institutions.registry import REGISTRY, validate_params

        out = {}
        for name, params in value.items():
            if name not in REGISTRY:
                raise ValueError(_unknown(name, REGISTRY, "institution"))
            out[name] = validate_params(name, params or {})
        return out


# --------------------------------------------------------------------------- behaviour


class Weights(Strict):
    """Weights of the terms of the decision rule (utility units, at most 100 each).

    A weight of 100 already makes its term swamp every other (the defaults are
    about 1); larger ones are refused as input errors, since they overflow the
    logit to certainty or NaN.
    """

    face: Weight = Field(1.5, description="Face: weight of (share of neighbours seen acting "
                                          "− own threshold) × visibility × sensitivity.",
                         json_schema_extra={"prior": {"low": 0.75, "high": 2.25,
                                                      "source": "assumption"}})
    cost: Weight = Field(1.0, description="Weight of the money cost, per `burden_unit` of "
                                          "income.",
                         json_schema_extra={"prior": {"low": 0.5, "high": 1.5,
                                                      "source": "assumption"}})
    public_spirit: Weight = Field(1.0, description="Weight of public spirit (centred at 0.5).",
                                  json_schema_extra={"prior": {"low": 0.5, "high": 1.5,
                                                               "source": "assumption"}})
    trust: Weight = Field(1.0, description="Weight of trust that money is used well "
                                           "(centred at 0.5).",
                          json_schema_extra={"prior": {"low": 0.5, "high": 1.5,
                                                       "source": "assumption"}})
    dependence: Weight = Field(1.0, description="Weight of dependence on government (等靠要), "
                                                "centred at 0.5.",
                               json_schema_extra={"prior": {"low": 0.5, "high": 1.5,
                                                            "source": "assumption"}})
    mobilisation: Weight = Field(1.0, description="Weight of recent mobilisation "
                                                  "(door-to-door visits).",
                                 json_schema_extra={"prior": {"low": 0.5, "high": 1.5,
                                                              "source": "assumption"}})
    reputation: Weight = Field(
        1.0, description="Face as anticipated loss: weight of (reputation − ½) × visibility "
                         "added to paying and complying (a good name that a visible "
                         "defection would put at stake among those who see it).",
        json_schema_extra={"label_zh": "声誉损失权重：缴费、守规的效用加上 (声誉−½)×可见度"
                                       "（被看见的违约会使看见者收回给这户的好名声）",
                           "prior": {"low": 0.5, "high": 1.5, "source": "assumption"}})


class ActionBase(Strict):
    """Intercept of each cooperative action (utility units); lower = costlier in effort."""

    contribute: float = Field(0.55, ge=-20, le=20, description="Paying the fee asked.",
                              json_schema_extra={"prior": {"low": 0.25, "high": 0.85,
                                                           "source": "assumption"}})
    comply: float = Field(0.4, ge=-20, le=20, description="Committing no violation.",
                          json_schema_extra={"prior": {"low": 0.1, "high": 0.7,
                                                       "source": "assumption"}})
    volunteer: float = Field(-1.35, ge=-20, le=20, description="Giving volunteer labour.",
                             json_schema_extra={"prior": {"low": -1.65, "high": -1.05,
                                                          "source": "assumption"}})
    participate: float = Field(-1.3, ge=-20, le=20, description="Taking part in deliberation "
                                                               "or consultation.",
                               json_schema_extra={"prior": {"low": -1.6, "high": -1.0,
                                                            "source": "assumption"}})


class Visibility(Strict):
    """How visible a household's own choices are to its neighbours (share).

    visibility = base + ties·[has neighbours] + stairwell·(share of its stairwell unit it
    knows) + bonuses of institutions (public rolls, online groups), clipped to [0, 1]. A
    household nobody knows is seen only through ``base`` and the bonuses.
    """

    base: Share = Field(0.0, description="Visibility everyone has, neighbours or not.",
                        json_schema_extra={"prior": {"low": 0.0, "high": 0.1,
                                                     "source": "assumption"}})
    ties: Share = Field(0.2, description="Added for a household with at least one neighbour.",
                        json_schema_extra={"prior": {"low": 0.1, "high": 0.3,
                                                     "source": "assumption"}})
    stairwell: Share = Field(0.6, description="Added in proportion to the share of one's "
                                              "stairwell unit one knows.",
                             json_schema_extra={"prior": {"low": 0.4, "high": 0.8,
                                                          "source": "assumption"}})


class PetitionRule(Strict):
    """Petitioning (上访): escalation driven by grievance, damped by trust."""

    base: float = Field(-2.5, ge=-20, le=20, description="Intercept (utility).",
                        json_schema_extra={"prior": {"low": -3.0, "high": -2.0,
                                                     "source": "assumption"}})
    grievance: Weight = Field(3.0, description="Weight of grievance above `threshold`.",
                              json_schema_extra={"prior": {"low": 1.5, "high": 4.5,
                                                           "source": "assumption"}})
    threshold: Share = Field(0.5, description="Grievance at which the grievance term is zero.",
                             json_schema_extra={"prior": {"low": 0.35, "high": 0.65,
                                                          "source": "assumption"}})
    trust: Weight = Field(1.0, description="Weight of trust (centred at 0.5); trust absorbs "
                                           "grievance locally.",
                          json_schema_extra={"prior": {"low": 0.5, "high": 1.5,
                                                       "source": "assumption"}})


class Learning(Strict):
    """Monthly adjustment rates of beliefs (share per month)."""

    trust: Share = Field(0.08, description="Trust moves toward satisfaction at this rate.",
                         json_schema_extra={"prior": {"low": 0.04, "high": 0.12,
                                                      "source": "assumption"}})
    dependence: Share = Field(0.04, description="Dependence moves toward the government share "
                                                "of the compound's money at this rate.",
                              json_schema_extra={"prior": {"low": 0.02, "high": 0.06,
                                                           "source": "assumption"}})
    reputation: Share = Field(0.2, description="Reputation moves toward one's visible "
                                               "cooperation at this rate × visibility.",
                              json_schema_extra={"prior": {"low": 0.1, "high": 0.3,
                                                           "source": "assumption"}})
    gossip: Share = Field(
        0.1, description="Gossip: each month reputation moves toward the mean reputation of "
                         "one's neighbours at this rate (standing spreads along ties).",
        json_schema_extra={"label_zh": "口碑传播率：声誉每月按此比例向邻居声誉的平均值靠拢",
                           "prior": {"low": 0.05, "high": 0.2, "source": "assumption"}})
    mobilisation_decay: Share = Field(0.3, description="Share of mobilisation lost per month.",
                                      json_schema_extra={"prior": {"low": 0.15, "high": 0.45,
                                                                   "source": "assumption"}})


class Behaviour(Strict):
    """The household decision rule (logit choice; linear threshold rule at zero noise)."""

    noise: NonNeg = Field(0.5, le=100, description="Logit temperature; 0 = deterministic.",
                          json_schema_extra={"prior": {"low": 0.25, "high": 1.0,
                                                       "source": "assumption"}})
    tolerance: float = Field(1e-9, gt=0, le=1e-3, description="Ties within this tolerance "
                                                             "count as reaching the "
                                                             "threshold.")
    threshold: Spec = Field(Dist(dist="normal", mean=0.35, sd=0.15, clip=(0.0, 1.0)),
                            description="φᵢ: share of neighbours that must be seen acting "
                                        "before not acting costs face; number, list or "
                                        "distribution, in [0, 1].")
    burden_unit: Positive = Field(0.02, le=1, description="Share of monthly income whose "
                                                          "payment counts as one utility "
                                                          "unit of cost.",
                                  json_schema_extra={"prior": {"low": 0.01, "high": 0.03,
                                                               "source": "assumption"}})
    weights: Weights = Weights()
    base: ActionBase = ActionBase()
    visibility: Visibility = Visibility()
    petition: PetitionRule = PetitionRule()
    learning: Learning = Learning()


# --------------------------------------------------------------------------- population


class Population(Strict):
    """How household traits are drawn at month 0."""

    public_spirit: Spec = Field(Dist(dist="beta", a=2.0, b=2.5), description="Public spirit "
                                "(公共精神) in [0, 1].")
    face_sensitivity: Spec = Field(Dist(dist="uniform", low=0.5, high=1.5),
                                   description="Multiplies the face term; in [0, 10].")
    ability_sigma: NonNeg = Field(0.5, le=3, description="Log-scale spread of income around "
                                                         "the group's median.",
                                  json_schema_extra={"prior": {"low": 0.3, "high": 0.7,
                                                               "source": "assumption"}})
    trust: Spec = Field(Dist(dist="normal", mean=0.5, sd=0.15, clip=(0.0, 1.0)),
                        description="Initial trust in [0, 1].")
    dependence: Spec = Field(Dist(dist="normal", mean=0.3, sd=0.1, clip=(0.0, 1.0)),
                             description="Initial dependence on government in [0, 1].")
    floating_spirit_shift: float = Field(-0.15, ge=-1, le=1, description="Added to the public "
                                                                        "spirit of floating "
                                                                        "households.",
                                         json_schema_extra={"prior": {"low": -0.25, "high": -0.05,
                                                                      "source": "assumption"}})
    party_spirit_shift: float = Field(0.2, ge=-1, le=1, description="Added to the public spirit "
                                                                    "of party members.",
                                      json_schema_extra={"prior": {"low": 0.1, "high": 0.3,
                                                                   "source": "assumption"}})
    party_registered_share: Share = Field(0.5, description="Share of party members registered "
                                                           "in their home compound (双报到).",
                                          json_schema_extra={"prior": {"low": 0.3, "high": 0.7,
                                                                       "source": "assumption"}})


# --------------------------------------------------------------------------- economy


class Economy(Strict):
    """Fees, the property firm and the physical condition of compounds."""

    firm_fee: NonNeg = Field(30.0, le=10_000, description="Property fee, yuan per household "
                                                          "per month.",
                             json_schema_extra={"prior": {"low": 20.0, "high": 40.0,
                                                          "source": "assumption"}})
    cleaning_fee: NonNeg = Field(6.0, le=10_000, description="Cleaning fee (保洁费) collected "
                                                             "by the residents' committee where "
                                                             "no firm serves, yuan per "
                                                             "household per month.",
                                 json_schema_extra={"prior": {"low": 3.0, "high": 10.0,
                                                              "source": "assumption"}})
    firm_fixed_cost: NonNeg = Field(8.0, le=10_000, description="Firm's staff and overhead, "
                                                                 "yuan per household per "
                                                                 "month, paid before upkeep.",
                                    json_schema_extra={"prior": {"low": 4.0, "high": 12.0,
                                                                 "source": "assumption"}})
    firm_exit_collection: Share = Field(0.5, description="Collection rate below which a month "
                                                         "counts as a loss month.",
                                        json_schema_extra={"prior": {"low": 0.4, "high": 0.6,
                                                                     "source": "assumption"}})
    firm_exit_patience: int = Field(12, ge=1, le=600, description="Consecutive loss months "
                                                                  "after which the firm exits "
                                                                  "(弃管).",
                                    json_schema_extra={"prior": {"low": 6, "high": 18,
                                                                 "source": "assumption"}})
    decay: Share = Field(0.012, description="Share of condition lost per month.",
                         json_schema_extra={"prior": {"low": 0.006, "high": 0.018,
                                                      "source": "assumption"}})
    violation_decay: NonNeg = Field(0.03, le=1, description="Extra monthly decay per unit of "
                                                            "violation rate.",
                                    json_schema_extra={"prior": {"low": 0.015, "high": 0.045,
                                                                 "source": "assumption"}})
    restore_scale: Positive = Field(400.0, le=1e6, description="Yuan per household that "
                                                              "restores 63 % of the gap to "
                                                              "perfect condition (diminishing "
                                                              "returns).",
                                    json_schema_extra={"prior": {"low": 200.0, "high": 600.0,
                                                                 "source": "assumption"}})
    volunteer_value: NonNeg = Field(10.0, le=10_000, description="Upkeep value of one "
                                                                 "household's volunteer month, "
                                                                 "yuan.",
                                    json_schema_extra={"prior": {"low": 5.0, "high": 15.0,
                                                                 "source": "assumption"}})


# --------------------------------------------------------------------------- matters


class MatterType(Strict):
    """A kind of matter (事项) that arises in compounds."""

    name: str
    label_zh: str = ""
    category: Literal["big", "small", "private"] = Field(
        description="Three-affairs category: big → government, small → residents, "
                    "private → household.")
    scope: Literal["compound", "building", "unit", "household"] = Field(
        description="Which households a matter touches.")
    rate: NonNeg = Field(le=100, description="Matters per 100 households per month at "
                                             "condition 0.5 (at most one per household); "
                                     "for violation-driven types, per 100 violating "
                                     "households (condition plays no part).")
    cost: NonNeg = Field(le=1e9, description="Fixed cost of resolving one matter, yuan.")
    violation_driven: bool = Field(False, description="Arises from violations instead of "
                                                      "condition (illegal structures).")
    labour_share: Share = Field(0.3, description="Share of the cost that is labour, which "
                                                 "volunteers can give instead (seed 001: the "
                                                 "resident electrician).")
    rule_action: Literal["contribute", "comply", "volunteer", "participate"] = Field(
        "comply", description="Action whose norm a covenant rule on this matter strengthens.")


DEFAULT_MATTERS = [
    MatterType(name="lights", label_zh="路灯", category="small", scope="compound",
               rate=0.03, cost=5000, labour_share=0.4, rule_action="contribute"),
    MatterType(name="garbage", label_zh="垃圾清运", category="small", scope="building",
               rate=0.15, cost=300),
    MatterType(name="drains", label_zh="下水道", category="big", scope="building",
               rate=0.08, cost=5000, rule_action="contribute"),
    MatterType(name="parking", label_zh="停车秩序", category="small", scope="compound",
               rate=0.03, cost=1000),
    MatterType(name="illegal_structure", label_zh="违章搭建", category="big",
               scope="building", rate=0.5, cost=2000, violation_driven=True),
    MatterType(name="walls_roofs", label_zh="墙体屋面", category="big", scope="building",
               rate=0.03, cost=20000, labour_share=0.5, rule_action="contribute"),
    MatterType(name="dispute", label_zh="邻里纠纷", category="private", scope="unit",
               rate=0.2, cost=0, rule_action="participate"),
    MatterType(name="leak", label_zh="漏水", category="private", scope="household",
               rate=0.3, cost=500),
]


class Matters(Strict):
    """Arrival of matters and the grievance they cause."""

    types: list[MatterType] = Field(default_factory=lambda: list(DEFAULT_MATTERS))
    arrival_scale: NonNeg = Field(1.0, le=100, description="Multiplies every rate; 0 turns "
                                                           "matters off.",
                                  json_schema_extra={"prior": {"low": 0.5, "high": 1.5,
                                                               "source": "assumption"}})
    condition_sensitivity: NonNeg = Field(2.0, le=100, description="Arrival rises by this "
                                                                   "factor × (0.5 − Q).",
                                          json_schema_extra={"prior": {"low": 1.0, "high": 3.0,
                                                                       "source": "assumption"}})
    grace_months: int = Field(2, ge=0, le=600, description="Months a matter can stay open "
                                                           "before it causes grievance.",
                              json_schema_extra={"prior": {"low": 1, "high": 3,
                                                           "source": "assumption"}})
    grievance_rate: Share = Field(0.1, description="Monthly growth of grievance under full "
                                                   "pressure; pressure = 1 − exp(−open "
                                                   "matters touching the household, after "
                                                   "grace / 3).",
                                  json_schema_extra={"prior": {"low": 0.05, "high": 0.15,
                                                               "source": "assumption"}})
    grievance_decay: Share = Field(0.05, description="Share of grievance that fades per month.",
                                   json_schema_extra={"prior": {"low": 0.025, "high": 0.075,
                                                                "source": "assumption"}})
    private_fix_rate: Share = Field(0.3, description="Monthly probability that a household "
                                                     "fixes its own private matter.",
                                    json_schema_extra={"prior": {"low": 0.15, "high": 0.45,
                                                                 "source": "assumption"}})


# --------------------------------------------------------------------------- coordination


class Coordination(Strict):
    """Cost of coordinating the bodies of a compound (seed 004: 意大利面條效應)."""

    cost_per_link: NonNeg = Field(0.06, le=10, description="Efficiency lost per link between "
                                                           "bodies: efficiency = 1 / (1 + cost "
                                                           "× links); links = k(k−1)/2 for k "
                                                           "bodies, k − 1 when a hub joins "
                                                           "them.",
                                  json_schema_extra={"prior": {"low": 0.0, "high": 0.12,
                                                               "source": "assumption"}})
    friction: Share = Field(0.25, description="Efficiency lost where a party branch and an "
                                              "owners' committee both exist but are not led by "
                                              "one person (no 一肩挑).",
                            json_schema_extra={"prior": {"low": 0.1, "high": 0.4,
                                                         "source": "assumption"}})


# --------------------------------------------------------------------------- turnover

_TURNOVER_SOURCE = "assumption"
"""No rate per tenure was found for old compounds; ordered as in Huang & Deng (2006, Housing
Studies 21(5): mobility in Chinese cities is low for owners) and Jia & Lei (2019,
Sustainability 11: 3507: migrants relocate more often than locals)."""


class Turnover(Strict):
    """Households moving out and newcomers moving in (搬离与迁入), per tenure (sim.turnover)."""

    owner: Share = Field(0.003, description="Monthly probability that an owner household "
                                            "moves out; a newcomer moves into the flat.",
                         json_schema_extra={"label_zh": "业主每月搬离概率（同一套房迁入新住户）",
                                            "prior": {"low": 0.001, "high": 0.006,
                                                      "source": _TURNOVER_SOURCE}})
    renter: Share = Field(0.015, description="Monthly probability that a renter household "
                                             "moves out.",
                          json_schema_extra={"label_zh": "租户每月搬离概率",
                                             "prior": {"low": 0.008, "high": 0.025,
                                                       "source": _TURNOVER_SOURCE}})
    floating: Share = Field(0.03, description="Monthly probability that a floating household "
                                              "(流动人口) moves out.",
                            json_schema_extra={"label_zh": "流动人口每月搬离概率",
                                               "prior": {"low": 0.015, "high": 0.05,
                                                         "source": _TURNOVER_SOURCE}})


# --------------------------------------------------------------------------- elections


class Seats(Strict):
    """Seats filled by residents' choice when a body forms (sim.elections).

    Stairwell leaders (楼道长) are one per stairwell unit, chosen among its households; the
    party branch's members are the registered party members (not elected); co-building units
    are outside organisations without household members.
    """

    council: int = Field(7, ge=1, le=50, description="Neighbourhood councillors (邻里理事) "
                                                      "of a deliberation council.",
                         json_schema_extra={"label_zh": "议事会邻里理事席位数",
                                            "prior": {"low": 5, "high": 11,
                                                      "source": "assumption"}})
    committee: int = Field(5, ge=1, le=50, description="Members of an owners' committee "
                                                        "(业委会), chosen among owners (rules "
                                                        "usually ask 5–11, odd).",
                           json_schema_extra={"label_zh": "业委会委员席位数（从业主中产生）",
                                              "prior": {"low": 3, "high": 9,
                                                        "source": "assumption"}})
    supervisory: int = Field(3, ge=1, le=50, description="Members of a supervisory committee "
                                                          "(监事会), chosen among owners.",
                             json_schema_extra={"label_zh": "监事会成员席位数（从业主中产生）",
                                                "prior": {"low": 3, "high": 5,
                                                          "source": "assumption"}})
    cobuilding_council: int = Field(3, ge=1, le=50, description="Resident representatives "
                                                                 "on a co-building council.",
                                    json_schema_extra={"label_zh": "共建理事会居民代表席位数",
                                                       "prior": {"low": 2, "high": 5,
                                                                 "source": "assumption"}})
    social_org: int = Field(5, ge=1, le=50, description="Household members leading a social "
                                                         "organisation (volunteer team).",
                            json_schema_extra={"label_zh": "社会组织骨干席位数",
                                               "prior": {"low": 3, "high": 10,
                                                         "source": "assumption"}})


class Elections(Strict):
    """Residents choose the members of bodies by reputation (群众评议, seed 000; sim.elections)."""

    selectivity: NonNeg = Field(
        5.0, le=100, description="How strongly residents prefer candidates of high standing: a "
                                 "candidate's chance of a seat ∝ exp(selectivity × reputation) "
                                 "(seats filled one after another without replacement); 0 = "
                                 "chosen at random.",
        json_schema_extra={"label_zh": "评议的选择性：候选人当选概率 ∝ exp(选择性×声誉)；0 为随机",
                           "prior": {"low": 2.0, "high": 10.0, "source": "assumption"}})
    misuse_spirit: NonNeg = Field(
        4.0, le=50, description="How the owners' committee members' mean public spirit s moves "
                                "its chance of diverting money: × exp(−misuse_spirit × (s − "
                                "community mean)); 1 at the community mean.",
        json_schema_extra={"label_zh": "业委会成员公益心对挪用概率的作用：×exp(−系数×(成员平均"
                                       "公益心−社区平均))",
                           "prior": {"low": 1.0, "high": 8.0, "source": "assumption"}})
    efficiency_spirit: NonNeg = Field(
        2.0, le=50, description="How the elected members' mean public spirit s moves their "
                                "compound's coordination efficiency: × exp(efficiency_spirit "
                                "× (s − community mean)), capped at 1.",
        json_schema_extra={"label_zh": "当选成员公益心对协调效率的作用：×exp(系数×(成员平均"
                                       "公益心−社区平均))，上限 1",
                           "prior": {"low": 0.5, "high": 4.0, "source": "assumption"}})
    term_months: int = Field(
        36, ge=0, le=1200, description="Months after which a body's members are chosen again "
                                       "(0: only when the body re-forms); 业委会 terms are "
                                       "usually 3–5 years.",
        json_schema_extra={"label_zh": "任期（月）：期满重新评议；0 为仅在重新成立时",
                           "prior": {"low": 36, "high": 60, "source": "assumption"}})
    seats: Seats = Seats()


# --------------------------------------------------------------------------- initial & run


class InitialActing(Strict):
    """Share of households acting in month 0 (what neighbours saw last month)."""

    contribute: Share = Field(0.7, description="Share paying the fee in month 0.")
    comply: Share = Field(0.8, description="Share complying in month 0.")
    volunteer: Share = Field(0.05, description="Share volunteering in month 0.")
    participate: Share = Field(0.05, description="Share participating in month 0.")


class Initial(Strict):
    """Initial state of the households."""

    committed: int | list[int] = Field(0, description="Households that always act: a count "
                                                      "(drawn at random) or a list of "
                                                      "household ids.")
    acting: InitialActing = InitialActing()

    @field_validator("committed")
    @classmethod
    def _non_negative(cls, value: int | list[int]) -> int | list[int]:
        if isinstance(value, int) and value < 0:
            raise ValueError("a count of committed households must be ≥ 0")
        if isinstance(value, list) and any(v < 0 for v in value):
            raise ValueError("household ids must be ≥ 0")
        return value


class Run(Strict):
    """Run length and seed."""

    steps: int = Field(120, ge=0, le=100_000, description="Months to simulate.")
    seed: int | None = Field(None, ge=0, description="Seed of the model's generator; drawn "
                                                     "and recorded when absent.")


# --------------------------------------------------------------------------- scenario


class Scenario(Strict):
    """Everything one run needs, validated. Build it with :func:`load_config`."""

    kind: Literal["scenario"] = "scenario"
    name: str = "scenario"
    description: str = ""
    community: Community
    design: Design
    behaviour: Behaviour = Behaviour()
    population: Population = Population()
    economy: Economy = Economy()
    matters: Matters = Matters()
    coordination: Coordination = Coordination()
    turnover: Turnover = Turnover()
    elections: Elections = Elections()
    initial: Initial = Initial()
    run: Run = Run()

    def override(self, changes: Mapping[str, Any]) -> Scenario:
        """Return a new validated scenario with dotted fields replaced.

        All changes are applied at once, in the order of :func:`ordered_changes`:
        shallower paths first, whatever the order of ``changes``. So
        ``{"community.network.acquaintance": 0.3, "community": "heping_road"}``
        loads the preset and then sets its acquaintance (the order of a keyword
        dictionary, of Mesa's ``batch_run`` or of ``--set`` options does not
        matter), and a section given as a whole (``"behaviour": {...}``) is
        replaced before a field inside it (``"behaviour.noise"``) is set. One
        path given twice in one mapping (``behaviour.noise`` and
        ``behaviour__noise``) is an error rather than a silent choice.

        A path below ``design.institutions.NAME`` changes a parameter of an
        institution the design has; it never adds one (that would change the
        design silently). Add an institution explicitly by setting
        ``design.institutions.NAME`` to a mapping of its parameters (``{}`` for
        its defaults), in the same call or an earlier one.

        Args:
            changes: Maps dotted paths (``"behaviour.noise"``) or double-underscore
                paths (``"behaviour__noise"``) to new values. ``"community"`` and
                ``"design"`` accept preset names.

        Returns:
            A new :class:`Scenario`; this one is unchanged.

        Raises:
            InstitutionAbsentError: For a parameter of an institution the design
                does not have.
            ConfigError: If a path is unknown or given twice, or a value is invalid.
        """
        data = self.model_dump(mode="python")
        for key, value in ordered_changes(changes).items():
            _set_path(data, key.split("."), copy.deepcopy(value), key)
        return scenario_from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """Return the fully resolved config as plain data (for ``run.json``)."""
        return self.model_dump(mode="json")


DEFAULT_DESIGN = "baseline"
DEFAULT_COMMUNITY = "generic_old_compound"


def ordered_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Return overrides keyed by dotted path, shallower paths first.

    This is the one rule for applying several overrides together
    (:meth:`Scenario.override`, hence ``--set``, the keyword fields of
    ``CompoundModel`` and ``sim sweep``): ``a__b`` is spelled ``a.b``; a path
    comes before every deeper one, so a preset or a whole section is put in
    place before fields inside it are changed; paths of equal depth keep their
    order (they cannot contain one another).

    Args:
        changes: Dotted or double-underscore paths mapped to values.

    Returns:
        The same values keyed by dotted path, in the order to apply them.

    Raises:
        ConfigError: For a key that is not text, or one path given twice
            (``behaviour.noise`` and ``behaviour__noise``), which would make the
            result depend on the order of the mapping.
    """
    out: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in changes.items():
        if not isinstance(key, str) or not key:
            raise ConfigError(str(key), "an override key must be a dotted path such as "
                                        "behaviour.noise")
        path = key.replace("__", ".")
        if path in out:
            raise ConfigError(path, f"given twice, as {spelled[path]!r} and {key!r}; give "
                                    "each field once")
        out[path] = value
        spelled[path] = key
    return dict(sorted(out.items(), key=lambda kv: kv[0].count(".")))


def _set_path(data: dict[str, Any], path: list[str], value: Any, key: str) -> None:
    """Set ``value`` at ``path`` in nested ``data``, checking names against the schema.

    Raises:
        InstitutionAbsentError: For a path below ``design.institutions.NAME`` when
            the design has no NAME.
        ConfigError: For an unknown name, an index out of range or a path through
            a value.
    """
    node: Any = data
    model: Any = Scenario
    for i, part in enumerate(path):
        where = ".".join(path[: i + 1])
        if i == 2 and path[:2] == ["design", "institutions"] and isinstance(node, dict):
            _check_institution(data["design"], node, path, value)
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(where, f"index must be 0–{len(node) - 1}")
            idx = int(part)
            if i == len(path) - 1:
                node[idx] = value
                return
            node = node[idx]
            continue
        if not isinstance(node, dict):
            raise ConfigError(".".join(path[:i]), "is a value, not a section")
        allowed = list(model.model_fields) if model is not None else list(node)
        if model is not None and part not in model.model_fields and not (
                model is Design and path[i - 1 : i] == ["institutions"]):
            raise ConfigError(where, _unknown(part, allowed, "key"))
        if i == len(path) - 1:
            node[part] = value
            return
        if i == 0 and part in _PRESET_KINDS and isinstance(node.get(part), str):
            # A preset name followed by a deeper path: edit the preset's content.
            node[part] = _resolve_part(node[part], _PRESET_KINDS[part], part)
        elif part not in node or node[part] is None or isinstance(node[part], str):
            node[part] = {} if not isinstance(node.get(part), list) else node[part]
        model = _field_model(model, part)
        node = node[part]


def _check_institution(design: dict[str, Any], present: dict[str, Any], path: list[str],
                       value: Any) -> None:
    """Refuse an unknown institution, or a parameter of one the design lacks.

    Args:
        design: The design being edited (for its name).
        present: Its ``institutions`` mapping.
        path: The override path, ``design.institutions.NAME[.PARAM...]``.
        value: The value being set (quoted in the hint).
    """
    from sim.institutions.registry import REGISTRY

    name = path[2]
    if name not in REGISTRY:
        raise ConfigError(".".join(path[:3]), _unknown(name, REGISTRY, "institution"))
    if len(path) == 3 or name in present:
        return
    has = ", ".join(sorted(present)) or "none"
    param = path[3]
    raise InstitutionAbsentError(
        ".".join(path),
        f"design '{design.get('name', 'design')}' has no institution '{name}' (it has: "
        f"{has}); a parameter never adds one. Add it explicitly: "
        f"design.institutions.{name}={{{param}: {value!r}}} (a mapping of its parameters, "
        "{} for the defaults)", name)


def _field_model(model: Any, name: str) -> Any:
    """Return the pydantic model of a field, or ``None`` for plain data."""
    if model is None or name not in model.model_fields:
        return None
    annotation = model.model_fields[name].annotation
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
        for inner in getattr(candidate, "__args__", ()):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


_unknown = unknown_name
"""Message for an unknown name (:func:`sim.strict.unknown_name`; kept for its importers)."""


# --------------------------------------------------------------------------- loading


_SINGULAR = {"communities": "community", "designs": "design", "presets": "preset"}
_PRESET_KINDS = {"community": "communities", "design": "designs"}


def preset_names(kind: str) -> list[str]:
    """Names of the presets of one kind (``communities``, ``designs``, ``presets``)."""
    names: set[str] = set()
    for root in config_dirs():
        names.update(p.stem for p in (root / kind).glob("*.yaml"))
    return sorted(names)


PRESET_NAME = re.compile(r"[A-Za-z0-9_-]+")
"""What a preset name may be: letters, digits, ``_`` and ``-`` (no path, no suffix)."""


def check_preset_name(name: Any, field: str) -> str:
    """Return ``name`` if it is a plain preset name, else a ConfigError saying what to give.

    A name is looked up as ``<config folder>/<kind>/<name>.yaml``; anything but a
    plain name (``../../etc/passwd``, ``a/b``, ``x.yaml``) could name a file
    outside the config folders, so it is refused: a file is given by its path.
    """
    if not isinstance(name, str) or not PRESET_NAME.fullmatch(name):
        raise ConfigError(field, f"{name!r} is not a preset name (letters, digits, _ and - "
                                 "only); to use a file, give its file path ending in .yaml")
    return name


def preset_path(kind: str, name: str, field: str) -> Path:
    """Path of a named preset, or a ConfigError listing the available names.

    Raises:
        ConfigError: For a name that is not plain (see :func:`check_preset_name`)
            or that no config folder has.
    """
    check_preset_name(name, field)
    for root in config_dirs():
        path = root / kind / f"{name}.yaml"
        if path.is_file():
            return path
    raise ConfigError(field, _unknown(name, preset_names(kind), _SINGULAR[kind]))


MAX_YAML_DEPTH = 100
"""Deepest nesting of YAML collections read from a config or a ``--set`` value.

A scenario nests about six levels deep; the limit refuses hostile or broken
input (10,000 nested ``[``) with one line instead of a RecursionError.
"""


class YamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses duplicate keys and very deep nesting.

    A key given twice in one mapping would silently keep the last value (PyYAML's
    default), so ``noise: 0.2`` further up a file would be lost; it is an error
    naming the key and both lines. Collections nested more than
    :data:`MAX_YAML_DEPTH` deep are an error too.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node, refusing nesting deeper than :data:`MAX_YAML_DEPTH`."""
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """Construct a mapping, refusing a key that appears twice in it."""
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<:` merges may be overridden by the mapping's own keys
                key = self.construct_object(key_node, deep=True)
                try:
                    seen = key in first
                except TypeError:
                    continue  # an unhashable key: the base constructor reports it
                if seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r} (first given at line "
                                    f"{first[key]}); give each key once", key_node.start_mark)
                first[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str) -> Any:
    """Parse YAML text with :class:`YamlLoader` (the one reader of configs and ``--set``).

    Raises:
        yaml.YAMLError: For a syntax error, a duplicate key or too deep nesting.
    """
    return yaml.load(text, Loader=YamlLoader)  # a SafeLoader: plain data only


def read_yaml(path: Path, field: str = "") -> dict[str, Any]:
    """Read a YAML mapping, turning I/O and syntax problems into ConfigError.

    Duplicate keys and nesting deeper than :data:`MAX_YAML_DEPTH` are syntax
    problems too (see :class:`YamlLoader`).
    """
    where = field or str(path)
    if not path.exists():
        raise ConfigError(where, f"file not found: {path}")
    if not path.is_file():
        raise ConfigError(where, f"not a file: {path}")
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(where, f"YAML syntax error{at}: {problem}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(where, f"cannot read {path}: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(where, "must be a YAML mapping of keys to values")
    return data


YAML_SUFFIXES = (".yaml", ".yml")
"""Suffixes that make a ``community`` or ``design`` value a file path, not a preset name."""


def _resolve_part(value: Any, kind: str, field: str) -> Any:
    """Replace a preset name or a YAML file path by its content; leave mappings alone.

    A value ending in ``.yaml``/``.yml`` is read as a file of that kind (its name
    defaults to the file's stem); anything else must be a plain preset name.
    """
    if not isinstance(value, str):
        return value
    if value.lower().endswith(YAML_SUFFIXES):
        path = Path(value)
        data = read_yaml(path, field)
        if data.get("kind", _SINGULAR[kind]) != _SINGULAR[kind]:
            raise ConfigError(field, f"{value} is a {data['kind']} file, not a "
                                     f"{_SINGULAR[kind]} (kind: {_SINGULAR[kind]})")
        data.setdefault("name", path.stem)
        return data
    data = read_yaml(preset_path(kind, value, field), field)
    data.setdefault("name", value)
    return data


def scenario_from_dict(data: dict[str, Any]) -> Scenario:
    """Validate a scenario mapping; preset names are resolved first."""
    data = copy.deepcopy(data)
    data.setdefault("community", DEFAULT_COMMUNITY)
    data.setdefault("design", DEFAULT_DESIGN)
    data["community"] = _resolve_part(data["community"], "communities", "community")
    data["design"] = _resolve_part(data["design"], "designs", "design")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _config_error(exc) from None


def load_config(source: str | Path | dict[str, Any]) -> Scenario:
    """Load and validate a scenario.

    Args:
        source: A path to a YAML file (a scenario, a design or a community
            preset), a preset name (``"baseline"``, ``"threshold"``), or a
            mapping.

    Returns:
        The validated :class:`Scenario`. A design file becomes a scenario on the
        default community; a community file a scenario under the baseline design.

    Raises:
        ConfigError: For a missing file, a YAML error or an invalid value.
    """
    if isinstance(source, dict):
        return scenario_from_dict(source)
    path = Path(source)
    if not path.exists() and not path.suffix:
        check_preset_name(str(source), "config")
        for kind in ("presets", "designs", "communities"):
            try:
                path = preset_path(kind, str(source), "config")
                break
            except ConfigError:
                continue
    data = read_yaml(path, str(source))
    kind = data.get("kind", "scenario")
    if kind == "design":
        data = {"name": data.get("name", path.stem), "design": {"name": path.stem, **data}}
    elif kind == "community":
        data = {"name": data.get("name", path.stem),
                "community": {"name": path.stem, **data}}
    elif kind != "scenario":
        raise ConfigError("kind", f"must be scenario, design or community (got {kind!r})")
    return scenario_from_dict(data)


def _config_error(exc: ValidationError) -> ConfigError:
    """Turn pydantic's most telling error on a scenario into a one-line ConfigError.

    The rule is :func:`sim.strict.validation_error`'s, for every schema; an institution's
    parameter (reported by :func:`sim.institutions.registry.validate_params` as
    ``NAME.PARAM: message``) is named in the field, as every other field is.
    """
    err = validation_error(exc, _model_at)
    if err.field.split(".")[-1:] == ["institutions"] and (
            inner := re.match(r"(\w+(?:\.\w+)*): (.*)", err.message)):
        return ConfigError(f"{err.field}.{inner[1]}", inner[2])
    return err


def model_at(root: Any, loc: list[str]) -> Any:
    """The pydantic model class found at a location inside ``root`` (None past plain data).

    Shared by every schema whose pydantic errors :func:`sim.strict.validation_error` turns
    into one line (scenarios here, targets files in :mod:`sim.targets`).
    """
    model: Any = root
    for part in loc:
        if part.isdigit():
            continue
        model = _field_model(model, part)
        if model is None:
            return None
    return model


def _model_at(loc: list[str]) -> Any:
    """The pydantic model class found at a location inside a Scenario."""
    return model_at(Scenario, loc)
