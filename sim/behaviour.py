"""The household decision rule: logit choice with face (面子) pressure.

For each cooperative action *a* (contribute, comply, volunteer, participate)
household *i* scores

    Uᵢₐ = baseₐ + normₐ(compound)
          + w_spirit·(spiritᵢ − ½) + w_trust·(trustᵢ − ½)
          − w_dependence·(dependenceᵢ − ½) + w_mobilisation·mobilisationᵢ
          − w_cost·costᵢₐ
          + w_face·sensitivityᵢ·visibilityᵢ·(sᵢₐ − φᵢ)
          + w_reputation·visibilityᵢₐ·(reputationᵢ − ½)    (paying and complying only)

where sᵢₐ is the share of i's neighbours seen doing *a* last month (the four
actions counted in one pass over the ties), φᵢ the household's threshold, and
visibility how much its own choice is seen (any ties, stairwell ties, public
rolls, online groups). A household with no neighbours and no public
information has nobody to follow: its face gap sᵢₐ − φᵢ is −1, the largest
shortfall possible; by default nobody sees it either (visibility 0), so face
does nothing to it.

**Face as anticipated loss (声誉).** reputationᵢ is the household's standing among
those who know it, in [0, 1] (:func:`update_reputation`). A defection on a visible action
— not paying, breaking a rule, the two actions that make up the record others see —
would lower it among those who see it, in proportion to how visible the action is. The
stake, in utility, is w_reputation·v·(r − ½), added to the utility of paying and of
complying (volunteering and taking part are not duties: not doing them is no defection).
Reputation enters centred at ½, its value for a household not yet known, as trust, spirit
and dependence enter centred: a household with a good name has it to lose, the more the
better its name and the more it is seen; one with a bad name has less reason to keep a
record nobody credits it with (a visible defection confirms what its neighbours think:
破罐子破摔); an unknown household, or one nobody sees, has nothing at stake. Centring
keeps the term from shifting every household's intercept (the action bases were set
without it): what the term adds is the dependence of the choice on one's standing.

It acts with probability 1 / (1 + exp(−U/T)) for noise temperature T > 0,
and iff U ≥ −tolerance at T = 0. With every weight but face set to 0 (reputation included),
w_face·sensitivity·visibility = 1 and bases 0, the rule is exactly the linear
threshold rule of Granovetter (1978) and Watts (2002): act iff sᵢₐ ≥ φᵢ
(compared with tolerance 1e-9, so thresholds such as k/(n−1) behave exactly),
and isolated households never act unless committed.

Petitioning (上访) is scored separately from grievance and trust.

**One implementation.** The shares seen, the utility and the choice at noise 0 are computed
in one compiled pass, :func:`sim.kernels.cooperative_decisions`; this module gathers its
inputs (the terms that change month by month, and the :class:`RuleConstants` derived once at
set-up) and draws the logit choice with noise. :func:`neighbour_shares` and
:func:`cooperative_utility` return the kernel's intermediate values, for inspection and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from sim import kernels

if TYPE_CHECKING:
    from sim.model import CompoundModel
    from sim.runs import Runs

_NO_VALUES = np.zeros(0)
"""Placeholder for an unused per-household array argument of a kernel."""
_NO_OUTPUT = np.zeros((0, 4))
"""Placeholder for an ``(n, 4)`` output of the decision kernel that is not wanted."""


@dataclass(frozen=True)
class RuleConstants:
    """Constants of the decision rule, derived once when a model is set up.

    They depend only on the scenario, the fixed traits and the network, and on what the
    institutions set in their ``setup`` (``visibility_bonus``), so
    :class:`~sim.model.CompoundModel` derives them after the institutions' set-up
    (:meth:`derive`) and every month reads the same values, whatever ran before.

    Attributes:
        base: ``(4,)`` base utility of each action (contribute, comply, volunteer,
            participate).
        static_common: ``(n,)`` w_spirit·(spirit − ½): the part of the shared utility
            that comes from fixed traits.
        static_any: Whether some value of ``static_common`` is non-zero.
        face: ``(n, 1)``, or ``(n, 4)`` with per-action visibility bonuses:
            w_face × sensitivity × visibility.
        face_bonus: A copy of the ``visibility_bonus`` that ``face`` was derived from.
        visible: ``(n, 1)``, or ``(n, 4)`` with bonuses: the visibility in [0, 1] that
            ``face`` and ``stake`` were derived from (also what reputation learns at).
        stake: w_reputation × ``visible``: the reputation term is stake × reputation.
    """

    base: np.ndarray
    static_common: np.ndarray
    static_any: bool
    face: np.ndarray
    face_bonus: np.ndarray
    visible: np.ndarray
    stake: np.ndarray

    @classmethod
    def derive(cls, model: CompoundModel) -> RuleConstants:
        """Compute the constants from the model's scenario, population, network, compounds."""
        beh = model.config.behaviour
        pop = model.population
        static = beh.weights.public_spirit * (pop.public_spirit - 0.5)
        bonus = model.compounds.visibility_bonus.copy()
        visible = _visible(model, bonus)
        face = (beh.weights.face * pop.face_sensitivity)[:, None] * visible
        return cls(base=np.array([beh.base.contribute, beh.base.comply, beh.base.volunteer,
                                  beh.base.participate]),
                   static_common=static, static_any=bool(static.any()), face=face,
                   face_bonus=bonus, visible=visible,
                   stake=beh.weights.reputation * visible)


def neighbour_shares(model: CompoundModel) -> np.ndarray:
    """Share of each household's neighbours seen doing each action last month, ``(n, 4)``.

    Where a compound publishes who acts (public rolls, online groups:
    ``compounds.public_weight``), the share seen mixes in the compound's rate of last month
    with that weight. A household with neither neighbours nor public information gets −1
    (see module docstring). The values the decision kernel uses, returned for inspection.
    """
    shares = np.empty((model.population.n, 4))
    _run_rule(model, np.empty((model.population.n, 4)), shares)
    return shares


def cooperative_utility(model: CompoundModel) -> np.ndarray:
    """Utility of each cooperative action for each household this month, ``(n, 4)``.

    The values the decision kernel computes (terms of weight 0 skipped, not multiplied by
    0), returned for inspection; nothing in the model changes.
    """
    utility = np.empty((model.population.n, 4))
    _run_rule(model, utility, _NO_OUTPUT)
    return utility


def face_factor(model: CompoundModel) -> np.ndarray:
    """w_face × sensitivity × visibility: ``(n, 1)``, or ``(n, 4)`` with per-action bonuses.

    Derived at set-up (:class:`RuleConstants`); derived again if ``visibility_bonus`` was
    changed since (compared as bytes: a bonus that differs only in the sign of a zero is
    derived again, to the same face factor).
    """
    rule = model.rule
    if rule.face_bonus.tobytes() != model.compounds.visibility_bonus.tobytes():
        rule = model.rule = RuleConstants.derive(model)
    return rule.face


def own_visibility(model: CompoundModel) -> np.ndarray:
    """Visibility from the network alone: base + ties·[has neighbours] + stairwell·known."""
    vis = model.config.behaviour.visibility
    net = model.network
    return vis.base + vis.ties * (net.degree > 0) + vis.stairwell * net.unit_known


def _visible(model: CompoundModel, bonus: np.ndarray) -> np.ndarray:
    """Visibility in [0, 1]: ``(n, 1)`` from the network alone, ``(n, 4)`` with a bonus."""
    value = own_visibility(model)[:, None]
    if bonus.any():
        value = value + bonus[model.population.compound]
    return np.clip(value, 0.0, 1.0)


def visibility(model: CompoundModel) -> np.ndarray:
    """How visible each household's choice of each action is, ``(n, 4)`` in [0, 1]."""
    visible = _visible(model, model.compounds.visibility_bonus)
    return np.broadcast_to(visible, (visible.shape[0], 4)).copy()


def common_utility(model: CompoundModel) -> np.ndarray:
    """The part of the utility shared by the four actions, ``(n,)``.

    w_spirit·(spirit − ½) + w_trust·(trust − ½) − w_dependence·(dependence − ½)
    + w_mobilisation·mobilisation, with terms of weight 0 skipped. Without trust,
    dependence or mobilisation terms it is :attr:`RuleConstants.static_common` itself.
    """
    w = model.config.behaviour.weights
    pop = model.population
    common = model.rule.static_common
    if w.trust:
        common = common + w.trust * (pop.trust - 0.5)
    if w.dependence:
        common = common - w.dependence * (pop.dependence - 0.5)
    if w.mobilisation and model.compounds.mobilised:
        common = common + w.mobilisation * pop.mobilisation
    return common


def contribution_cost(model: CompoundModel) -> np.ndarray:
    """w_cost × fee due × utility cost of a yuan: subtracted from contributing, ``(n,)``."""
    return (model.config.behaviour.weights.cost * household_fee_due(model)
            * model.population.cost_per_yuan)


def household_fee_due(model: CompoundModel) -> np.ndarray:
    """Yuan each household is asked to pay this month (fee, plus a pooled share if any)."""
    fee = model.compounds.fee_due()[model.population.compound]
    extra = model.compounds.extra_due
    if extra is not None:
        fee = fee + extra
    return fee


def petition_utility(model: CompoundModel) -> np.ndarray:
    """Utility of petitioning higher government for each household."""
    rule = model.config.behaviour.petition
    pop = model.population
    utility = np.full(pop.n, rule.base - rule.grievance * rule.threshold)
    if rule.grievance:
        utility += rule.grievance * pop.grievance
    if rule.trust:
        utility -= rule.trust * (pop.trust - 0.5)
    return utility


def choose(utility: np.ndarray, noise: float, tolerance: float, runs: Runs) -> np.ndarray:
    """Logit choice: act with probability expit(U / noise); at noise 0, iff U ≥ −tolerance.

    ``utility`` has one row per household (one column per action, or a single column).
    """
    if noise == 0:
        return utility >= -tolerance
    columns = utility.shape[1] if utility.ndim == 2 else None
    draws = runs.random(runs.households, columns=columns, dtype=np.float32)
    with np.errstate(over="ignore"):  # a tiny noise sends U/T to ±inf: expit handles it
        return draws < expit(utility / noise)


def decide(model: CompoundModel) -> None:
    """Update every household's actions and petitions for this month, in place.

    At noise 0 the kernel chooses too; with noise it returns the utilities, numpy draws the
    logit choice and a second kernel applies it (committed households always act).
    """
    beh = model.config.behaviour
    pop = model.population
    if beh.noise == 0:
        model.changed = _run_rule(model, None, _NO_OUTPUT)
    else:
        utility = np.empty((pop.n, 4))
        _run_rule(model, utility, _NO_OUTPUT)
        acts = choose(utility, beh.noise, beh.tolerance, model.runs)
        model.changed = bool(kernels.apply_choices(acts, pop.committed, pop.decisions))
    decide_petitions(model)


def _run_rule(model: CompoundModel, utility: np.ndarray | None, shares: np.ndarray) -> bool:
    """Run the decision kernel (:func:`sim.kernels.cooperative_decisions`) on the model.

    Args:
        model: The model.
        utility: ``None`` to choose at noise 0 (the actions are written into the
            population and whether any changed is returned); else an ``(n, 4)`` float64
            array that receives the utilities, and the actions stay as they are.
        shares: An ``(n, 4)`` float64 array that receives the shares seen, or
            ``_NO_OUTPUT``.

    Returns:
        Whether any household changed any action (always False when filling ``utility``).
    """
    beh = model.config.behaviour
    pop = model.population
    net = model.network
    comps = model.compounds
    face = face_factor(model)  # first: it may derive the rule's constants again
    rule = model.rule
    common = common_utility(model)
    has_common = rule.static_any if common is rule.static_common else bool(common.any())
    public = comps.public_weight
    norm = comps.norm
    cost = contribution_cost(model) if beh.weights.cost else _NO_VALUES
    changed = kernels.cooperative_decisions(
        net.tie_rows, net.adjacency.indices, net.wide, pop.decisions, net.inverse_degree,
        pop.compound, public, bool(public.any()), comps.last_rates, pop.threshold,
        face, common, has_common, rule.base, norm, bool(norm.any()), cost,
        bool(beh.weights.cost), utility is None, beh.tolerance, pop.committed,
        _NO_OUTPUT if utility is None else utility, shares, pop.reputation, rule.stake,
        bool(beh.weights.reputation))
    return bool(changed)


def reputation_stake(model: CompoundModel) -> np.ndarray:
    """w_reputation × visibility × (reputation − ½): the reputation term of pay and comply.

    ``(n, 2)``: what a visible defection on each of the two actions would cost each
    household this month (the term the decision kernel adds; 0 everywhere at weight 0).
    """
    face_factor(model)  # derives the rule's constants again if the bonus changed
    stake = np.broadcast_to(model.rule.stake, (model.population.n, 4))[:, :2]
    return stake * (model.population.reputation[:, None] - 0.5)


def update_reputation(model: CompoundModel) -> None:
    """Move every household's reputation: what those who see it saw, then gossip.

    ``population.reputation`` is each household's standing among those who know it, in
    [0, 1]; :func:`sim.kernels.update_reputation` gives the rule (learning rate
    ``behaviour.learning.reputation`` × visibility, then ``behaviour.learning.gossip``
    toward the neighbours' mean). Runs after the month's decisions, so next month's
    decisions weigh what this month's revealed.
    """
    face_factor(model)  # derives the rule's constants again if the bonus changed
    learn = model.config.behaviour.learning
    net = model.network
    kernels.update_reputation(model.population.decisions, model.rule.visible, learn.reputation,
                              net.tie_rows, net.adjacency.indices, net.inverse_degree,
                              learn.gossip, model.population.reputation)


def decide_petitions(model: CompoundModel) -> None:
    """Update who petitions this month, in place.

    Without noise, a rule that weighs neither grievance nor trust gives every household the
    same utility, hence the same choice: it is made once, not once per household.
    """
    beh = model.config.behaviour
    rule = beh.petition
    pop = model.population
    if beh.noise == 0 and not rule.grievance and not rule.trust:
        pop.petition = rule.base - rule.grievance * rule.threshold >= -beh.tolerance
    else:
        pop.petition = choose(petition_utility(model), beh.noise, beh.tolerance, model.runs)
