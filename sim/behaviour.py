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
visibility how much its own choice is seen (stairwell ties, public rolls,
online groups). A household with no neighbours has nobody to follow: its
face gap sᵢₐ − φᵢ is −1, the largest shortfall possible.

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

if TYPE_CHECKING:
    from sim.model import CompoundModel


def neighbour_shares(model: CompoundModel) -> np.ndarray:
    """Share of each household's neighbours seen doing each action, ``(n, 4)``.

    One sparse product counts acting neighbours for all four actions at once.
    Households without neighbours get −1 (see module docstring).
    """
    net = model.network
    seen = net.adjacency @ model.population.acts.astype(np.float32)
    shares = seen / net.degree_or_one[:, None]
    if net.isolated.size:
        shares[net.isolated] = -1.0
    return shares


def visibility(model: CompoundModel) -> np.ndarray:
    """How visible each household's own choices are, in [0, 1]."""
    vis = model.config.behaviour.visibility
    pop = model.population
    value = vis.base + vis.stairwell * model.network.unit_known
    bonus = model.compounds.visibility_bonus
    if bonus.any():
        value = value + bonus[pop.compound]
    return np.clip(value, 0.0, 1.0)


def cooperative_utility(model: CompoundModel, shares: np.ndarray) -> np.ndarray:
    """Utility of each cooperative action for each household, ``(n, 4)``."""
    beh = model.config.behaviour
    w = beh.weights
    pop = model.population
    comp = pop.compound
    common = (w.public_spirit * (pop.public_spirit - 0.5) + w.trust * (pop.trust - 0.5)
              - w.dependence * (pop.dependence - 0.5) + w.mobilisation * pop.mobilisation)
    # Face: sensitivity × visibility × (share seen acting − threshold); the gap of a
    # household without neighbours is −1 (shares are −1 there, so fix it exactly).
    face = w.face * pop.face_sensitivity * visibility(model)
    utility = shares - pop.threshold[:, None]
    isolated = model.network.isolated
    if isolated.size:
        utility[isolated] = -1.0
    utility *= face[:, None]
    utility += common[:, None]
    base = np.array([beh.base.contribute, beh.base.comply, beh.base.volunteer,
                     beh.base.participate])
    norm = model.compounds.norm
    utility += base if not norm.any() else base + norm[comp]
    fee = model.compounds.fee_due()[comp]
    utility[:, 0] -= w.cost * fee * pop.cost_per_yuan
    return utility


def petition_utility(model: CompoundModel) -> np.ndarray:
    """Utility of petitioning higher government for each household."""
    rule = model.config.behaviour.petition
    pop = model.population
    return (rule.base + rule.grievance * (pop.grievance - rule.threshold)
            - rule.trust * (pop.trust - 0.5))


def choose(utility: np.ndarray, noise: float, tolerance: float,
           rng: np.random.Generator) -> np.ndarray:
    """Logit choice: act with probability expit(U / noise); at noise 0, iff U ≥ −tolerance."""
    if noise == 0:
        return utility >= -tolerance
    draws = rng.random(utility.shape, dtype=np.float32)
    with np.errstate(over="ignore"):  # a tiny noise sends U/T to ±inf: expit handles it
        return draws < expit(utility / noise)


def decide(model: CompoundModel) -> None:
    """Update every household's actions and petitions for this month, in place."""
    beh = model.config.behaviour
    pop = model.population
    shares = neighbour_shares(model)
    acts = choose(cooperative_utility(model, shares), beh.noise, beh.tolerance, model.rng)
    acts[pop.committed] = True
    model.changed = bool(np.any(acts != pop.acts))
    pop.acts = acts
    pop.petition = choose(petition_utility(model), beh.noise, beh.tolerance, model.rng)
