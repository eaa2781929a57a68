"""The household decision rule: logit choice with face (面子) pressure.

For each cooperative action *a* (contribute, comply, volunteer, participate)
household *i* scores

    Uᵢₐ = baseₐ + normₐ(compound)
          + w_spirit·(spiritᵢ − ½) + w_trust·(trustᵢ − ½)
          − w_dependence·(dependenceᵢ − ½) + w_mobilisation·mobilisationᵢ
          − w_cost·costᵢₐ
          + w_face·sensitivityᵢ·visibilityᵢ·(sᵢₐ − φᵢ)

where sᵢₐ is the share of i's neighbours seen doing *a* last month (one
sparse product for all four actions), φᵢ the household's threshold, and
visibility how much its own choice is seen (any ties, stairwell ties, public
rolls, online groups). A household with no neighbours and no public
information has nobody to follow: its face gap sᵢₐ − φᵢ is −1, the largest
shortfall possible; by default nobody sees it either (visibility 0), so face
does nothing to it.

It acts with probability 1 / (1 + exp(−U/T)) for noise temperature T > 0,
and iff U ≥ −tolerance at T = 0. With every weight but face set to 0,
w_face·sensitivity·visibility = 1 and bases 0, the rule is exactly the linear
threshold rule of Granovetter (1978) and Watts (2002): act iff sᵢₐ ≥ φᵢ
(compared with tolerance 1e-9, so thresholds such as k/(n−1) behave exactly),
and isolated households never act unless committed.

Petitioning (上访) is scored separately from grievance and trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from sim import kernels

if TYPE_CHECKING:
    from sim.model import CompoundModel

_NO_VALUES = np.zeros(0)
"""Placeholder for an unused per-household array argument of a kernel."""
_NO_UTILITY = np.zeros((0, 4))
"""Placeholder for the utility output of a kernel that chooses itself (noise 0)."""


def neighbour_shares(model: CompoundModel) -> np.ndarray:
    """Share of each household's neighbours seen doing each action, ``(n, 4)``.

    One sparse product counts acting neighbours for all four actions at once.
    Where a compound publishes who acts (public rolls, online groups:
    ``compounds.public_weight``), the share seen mixes in the compound's rate
    of last month with that weight. A household with neither neighbours nor
    public information gets −1 (see module docstring).
    """
    net = model.network
    shares = net.adjacency @ model.population.acts.astype(np.float32)
    shares = shares * net.inverse_degree[:, None]
    public = model.compounds.public_weight
    if public.any():
        comp = model.population.compound
        weight = public[comp]
        rate = model.compounds.last_rates[comp]
        shares += weight * (rate - shares)
        # Nobody to watch: an isolated household sees only what is published, action by
        # action, and nothing (−1) where nothing is.
        iso = net.isolated
        shares[iso] = np.where(public[comp[iso]] > 0, rate[iso], -1.0)
    elif net.isolated.size:
        shares[net.isolated] = -1.0
    return shares


def face_factor(model: CompoundModel) -> np.ndarray:
    """w_face × sensitivity × visibility: ``(n, 1)``, or ``(n, 4)`` with per-action bonuses.

    Cached: it changes only when an institution changes ``visibility_bonus``.
    """
    bonus = model.compounds.visibility_bonus
    cache = model.decision_cache
    # Compared as bytes: a bonus that differs only in the sign of a zero is recomputed,
    # to the same face factor.
    if "face" in cache and cache["face_bonus"].tobytes() == bonus.tobytes():
        return cache["face"]
    base = own_visibility(model)[:, None]
    if bonus.any():
        base = base + bonus[model.population.compound]
    pop = model.population
    face = (model.config.behaviour.weights.face * pop.face_sensitivity)[:, None] * np.clip(
        base, 0.0, 1.0)
    cache["face"], cache["face_bonus"] = face, bonus.copy()
    return face


def own_visibility(model: CompoundModel) -> np.ndarray:
    """Visibility from the network alone: base + ties·[has neighbours] + stairwell·known."""
    vis = model.config.behaviour.visibility
    net = model.network
    return vis.base + vis.ties * (net.degree > 0) + vis.stairwell * net.unit_known


def visibility(model: CompoundModel) -> np.ndarray:
    """How visible each household's choice of each action is, ``(n, 4)`` in [0, 1]."""
    value = own_visibility(model)[:, None] + \
        model.compounds.visibility_bonus[model.population.compound]
    return np.clip(value, 0.0, 1.0)


def cooperative_utility(model: CompoundModel, shares: np.ndarray) -> np.ndarray:
    """Utility of each cooperative action for each household, ``(n, 4)``.

    Terms whose weight is 0 are skipped, not computed and multiplied by 0.
    """
    w = model.config.behaviour.weights
    pop = model.population
    comp = pop.compound
    # Face: sensitivity × visibility × (share seen acting − threshold).
    utility = shares - pop.threshold[:, None]
    utility *= face_factor(model)
    common = common_utility(model)
    if common.any():
        utility += common[:, None]
    norm = model.compounds.norm
    base = model.decision_cache["base"]
    if norm.any():
        base = base + norm[comp]
    utility += base
    if w.cost:
        utility[:, 0] -= contribution_cost(model)
    return utility


def common_utility(model: CompoundModel) -> np.ndarray:
    """The part of the utility shared by the four actions, ``(n,)``.

    w_spirit·(spirit − ½) + w_trust·(trust − ½) − w_dependence·(dependence − ½)
    + w_mobilisation·mobilisation, with terms of weight 0 skipped. Also caches the
    constants of the rule (``decision_cache``: the spirit term and the action bases).
    """
    beh = model.config.behaviour
    w = beh.weights
    pop = model.population
    cache = model.decision_cache
    if "static" not in cache:  # traits do not change during a run
        cache["static"] = w.public_spirit * (pop.public_spirit - 0.5)
        cache["base"] = np.array([beh.base.contribute, beh.base.comply, beh.base.volunteer,
                                  beh.base.participate])
    common = cache["static"]
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


def choose(utility: np.ndarray, noise: float, tolerance: float,
           rng: np.random.Generator) -> np.ndarray:
    """Logit choice: act with probability expit(U / noise); at noise 0, iff U ≥ −tolerance."""
    if noise == 0:
        return utility >= -tolerance
    draws = rng.random(utility.shape, dtype=np.float32)
    with np.errstate(over="ignore"):  # a tiny noise sends U/T to ±inf: expit handles it
        return draws < expit(utility / noise)


def decide(model: CompoundModel) -> None:
    """Update every household's actions and petitions for this month, in place.

    Runs the compiled kernel (:mod:`sim.kernels`) or the numpy reference below; both give
    bit-identical results.
    """
    if kernels.compiled():
        _decide_compiled(model)
    else:
        _decide_numpy(model)
    decide_petitions(model)


def _decide_compiled(model: CompoundModel) -> None:
    """The cooperative decisions in one compiled pass (same results as :func:`_decide_numpy`)."""
    beh = model.config.behaviour
    pop = model.population
    if beh.noise == 0:  # the kernel chooses too
        model.changed = compiled_cooperative(model, None)
        return
    utility = np.empty((pop.n, 4))
    compiled_cooperative(model, utility)
    acts = choose(utility, beh.noise, beh.tolerance, model.rng)
    model.changed = bool(kernels.kernel("apply_choices")(acts, pop.committed, pop.decisions))


def compiled_cooperative(model: CompoundModel, utility: np.ndarray | None) -> bool:
    """Run the compiled decision kernel (:func:`sim.kernels.cooperative_decisions`).

    Args:
        model: The model.
        utility: ``None`` to choose at noise 0 (the actions are written into the
            population and whether any changed is returned); else an ``(n, 4)`` float64
            array that receives :func:`cooperative_utility` of :func:`neighbour_shares`,
            bit for bit, and nothing else changes.

    Returns:
        Whether any household changed any action (always False when filling ``utility``).
    """
    beh = model.config.behaviour
    pop = model.population
    net = model.network
    comps = model.compounds
    common = common_utility(model)
    cache = model.decision_cache
    if common is cache["static"]:  # the traits' part alone: constant during a run
        if "static_any" not in cache:
            cache["static_any"] = np.array(common.any())
        has_common = bool(cache["static_any"])
    else:
        has_common = bool(common.any())
    public = comps.public_weight
    norm = comps.norm
    cost = contribution_cost(model) if beh.weights.cost else _NO_VALUES
    changed = kernels.kernel("cooperative_decisions")(
        net.tie_rows, net.adjacency.indices, net.wide, pop.decisions, net.inverse_degree,
        pop.compound, public, bool(public.any()), comps.last_rates, pop.threshold,
        face_factor(model), common, has_common, cache["base"], norm,
        bool(norm.any()), cost, bool(beh.weights.cost), utility is None, beh.tolerance,
        pop.committed, _NO_UTILITY if utility is None else utility)
    return bool(changed)


def _decide_numpy(model: CompoundModel) -> None:
    """The cooperative decisions in numpy: the reference implementation."""
    beh = model.config.behaviour
    pop = model.population
    shares = neighbour_shares(model)
    acts = choose(cooperative_utility(model, shares), beh.noise, beh.tolerance, model.rng)
    np.logical_or(acts, pop.committed[:, None], out=acts)  # committed households always act
    model.changed = bool(np.any(acts != pop.acts))
    pop.acts = acts


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
        pop.petition = choose(petition_utility(model), beh.noise, beh.tolerance, model.rng)
