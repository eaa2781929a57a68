"""Measurements and experiment arms of the patterns in DOMAIN.md.

The pattern tests (``tests/test_patterns*.py``) and the figure scripts (``experiments/``)
measure the same things on the same set-ups; they share them here so that a figure always
shows what its test checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sim.config import load_config
from sim.institutions.prerequisites import needs
from sim.model import CompoundModel


def wide(model: CompoundModel, column: str) -> pd.DataFrame:
    """Month × compound table of one per-compound column."""
    return model.compound_dataframe().pivot(index="month", columns="compound", values=column)


def _renovation_changes(model: CompoundModel, month: int, horizon: int,
                        min_lift: float) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Lift in the campaign ``month``, change over ``horizon`` months, renovated compounds.

    Renovated compounds are those whose condition jumped by more than ``min_lift`` in
    ``month``; both changes are measured from the month before it.
    """
    q = wide(model, "condition")
    lift = q.loc[month] - q.loc[month - 1]
    kept = q.loc[month + horizon] - q.loc[month - 1]
    return lift, kept, lift > min_lift


def retained_after_renovation(model: CompoundModel, month: int = 24, horizon: int = 47,
                              min_lift: float = 0.15) -> float:
    """Mean share of a renovation's lift in condition still there ``horizon`` months later.

    Renovated compounds are those whose condition jumped by more than ``min_lift`` in the
    campaign ``month``; the lift is measured from the month before. This share ignores the
    common trend: where every compound drifts down (the baseline) it understates what
    the renovation left, where every compound rises (131) it overstates it — see
    :func:`retained_lift_did`.

    Returns:
        The mean retained share, or NaN when no compound was renovated.
    """
    lift, kept, chosen = _renovation_changes(model, month, horizon, min_lift)
    if not chosen.any():
        return float("nan")
    return float((kept[chosen] / lift[chosen]).mean())


def retained_lift_did(model: CompoundModel, month: int = 24, horizon: int = 47,
                      min_lift: float = 0.15) -> float:
    """Retained share of a renovation's lift net of the common trend (difference in differences).

    As :func:`retained_after_renovation`, but from each renovated compound's change over
    ``horizon`` months the mean change of the untreated compounds of the same run over the
    same months is subtracted: (ΔQ_treated − mean ΔQ_untreated) / lift. Untreated compounds
    are those whose condition did not jump by more than ``min_lift`` in the campaign month
    (with the default horizon the next campaign, at month 72, is after the window). The
    share is what the renovation itself left, whatever happened to every compound.

    Returns:
        The mean retained share net of the trend, or NaN when no compound was renovated or
        none was left untreated.
    """
    lift, kept, chosen = _renovation_changes(model, month, horizon, min_lift)
    if not chosen.any() or chosen.all():
        return float("nan")
    trend = float(kept[~chosen].mean())
    return float(((kept[chosen] - trend) / lift[chosen]).mean())


def firm_exit_events(model: CompoundModel, window: int = 24) -> pd.DataFrame:
    """Every firm exit with ``window`` months of history on each side (pattern 2).

    Controls are compounds of the same group that still have their firm ``window``
    months after the exit.
    """
    firm = wide(model, "firm_present_share")
    rate = wide(model, "contribution_rate")
    q = wide(model, "condition")
    grievance = wide(model, "grievance")
    petitions = wide(model, "petitions")
    hh = model.compounds.households
    group = model.compounds.group
    rows = []
    last = firm.index.max()
    for c in firm.columns:
        f = firm[c].to_numpy()
        for e in np.flatnonzero((f[:-1] == 1) & (f[1:] == 0)) + 1:
            if e < 13 or e + window > last:
                continue
            controls = [k for k in firm.columns
                        if group[k] == group[c] and firm[k].iloc[e:e + window + 1].min() == 1]
            after = petitions[c].iloc[e:e + window].sum() / hh[c]
            control_after = (np.mean([petitions[k].iloc[e:e + window].sum() / hh[k]
                                      for k in controls]) if controls else np.nan)
            rows.append({
                "collection_first_year": rate[c].iloc[1:13].mean(),
                "collection_before_exit": rate[c].iloc[e - 12:e].mean(),
                "condition_at_exit": q[c].iloc[e],
                "condition_after": q[c].iloc[e + window],
                "grievance_at_exit": grievance[c].iloc[e],
                "grievance_after": grievance[c].iloc[e + window],
                "petitions_after": after,
                "petitions_after_controls": control_after,
            })
    return pd.DataFrame(rows)


def face_effect(acquaintance: float, institutions: dict[str, Any] | None = None,
                seeds: Iterable[int] = range(20)) -> np.ndarray:
    """Per seed: contribution rate (months 13–60) with face pressure minus without it (pattern 4).

    Ten generic old compounds (2,000 households) under the baseline, optionally with extra
    institutions; face off means ``behaviour.weights.face = 0``, all else equal.
    """
    design = {"name": "baseline_plus", "institutions": {
        "government_service": {}, "renovation_campaign": {}, **(institutions or {})}}
    out = []
    for seed in seeds:
        rates = []
        for face in (1.5, 0.0):
            scn = load_config({"community": "generic_old_compound", "design": design})
            scn = scn.override({"community.groups.0.count": 10,
                                "community.network.acquaintance": acquaintance,
                                "behaviour.weights.face": face})
            model = CompoundModel(scn, rng=seed).run(60)
            rates.append(model.datacollector.get_model_vars_dataframe()["contribution_rate"]
                         .iloc[13:].mean())
        out.append(rates[0] - rates[1])
    return np.array(out)


ALLOCATION_INSTITUTIONS = {
    "government_service": {},
    "owners_committee": {"formation": "endogenous"},
    "covenant": {},
}
"""The allocation experiment (pattern 5): the bodies the readiness criteria ask for.

Government handles matters and renovates; owners' committees form where residents keep
taking part; settled matters become covenant rules. Only the allocation rule of the
renovation campaign differs between arms, with the same budget.
"""


def allocation_run(allocation: str, seed: int, incentive: float = 0.4,
                   incentive_everywhere: bool = False) -> dict[str, float]:
    """One Heping Road run of the allocation experiment (pattern 5).

    Competition does two things: it *selects* (money to the compounds that meet the
    readiness criteria) and it *motivates* (the ``incentive`` added to contributing,
    complying and taking part in every compound not yet renovated). The arms separate them:
    ``competition`` with ``incentive=0`` selects only; ``need`` with
    ``incentive_everywhere=True`` motivates only.

    Returns:
        Self-organisation before the first campaign (share of compounds with a committee at
        month 23; participation and compliance over months 1–23), the share of the
        month-24 renovation's lift retained 47 months later (``retained``) and the same net
        of the untreated compounds' trend (``retained_did``), and whole-community condition
        over the last two years (``condition``).
    """
    design = {"name": f"allocation_{allocation}", "institutions": {
        **ALLOCATION_INSTITUTIONS,
        "renovation_campaign": {"allocation": allocation, "incentive": incentive,
                                "incentive_everywhere": incentive_everywhere}}}
    model = CompoundModel(load_config({"community": "heping_road", "design": design}), rng=seed)
    model.run(23)
    committees = float(model.selfgov.bodies["committee"].mean())
    before = model.datacollector.get_model_vars_dataframe().iloc[1:24]
    model.run(97)
    frame = model.datacollector.get_model_vars_dataframe()
    return {"committees": committees,
            "participation": float(before["participation_rate"].mean()),
            "compliance": float(before["compliance_rate"].mean()),
            "retained": retained_after_renovation(model),
            "retained_did": retained_lift_did(model),
            "condition": float(frame["condition"].iloc[-24:].mean())}


_BASE = {"government_service": {}, "renovation_campaign": {}}
_FEW = {**_BASE, "party_branch": {}, "owners_committee": {}}
_MANY = {**_FEW, "deliberation_council": {}, "supervisory_committee": {},
         "social_organisation": {}, "cobuilding_council": {}, "cobuilding_units": {},
         "stairwell_leaders": {}}
STACKS = {"base": _BASE, "few": _FEW, "many": _MANY, "hub": {**_MANY, "six_party_linkage": {}}}
"""Institutions of the stacking experiment (pattern 6): government only; + branch and owners'
committee; + six more bodies without a hub; the same joined by six-party linkage."""

FIVE = {k: v for k, v in _MANY.items() if k not in _FEW and not set(needs(k)) & set(_FEW)}
"""The five bodies of the stack that need neither the branch nor the owners' committee (by
:func:`sim.institutions.prerequisites.needs`: the supervisory committee is left out)."""
ORDER_STACKS = {"five": {**_BASE, **FIVE}, "few_five": {**_FEW, **FIVE}}
"""Pattern 6's control of order: the five bodies alone on the base, and after the branch and
the owners' committee. With ``STACKS['base']`` and ``STACKS['few']`` each group's gain per body
can be read both first and second."""


def stacked_condition(institutions: dict[str, Any], seeds: Iterable[int] = range(20),
                      changes: dict[str, Any] | None = None) -> np.ndarray:
    """Per seed: mean condition over the last two years on Heping Road (pattern 6).

    ``changes`` are applied with :meth:`Scenario.override`, e.g.
    ``{"coordination.cost_per_link": 0.0}`` to switch the link-counting cost off.
    """
    out = []
    for seed in seeds:
        scn = load_config({"community": "heping_road",
                           "design": {"name": "stack", "institutions": institutions}})
        model = CompoundModel(scn.override(changes or {}), rng=seed)
        model.run(120)
        out.append(model.datacollector.get_model_vars_dataframe()["condition"].iloc[-24:].mean())
    return np.array(out)
