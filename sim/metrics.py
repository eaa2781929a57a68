"""Output columns: the one place where every reported quantity is defined.

Each column has a unit, a Chinese and an English label (in the bilingual
catalogue, ``sim/catalogue.yaml``, section ``metrics``) and a one-line
meaning. The model computes all columns once per month in
:func:`compute_metrics` (vectorised over households and compounds); Mesa's
``DataCollector`` reads them through named reporter functions so that a model
can be pickled (Mesa's ``batch_run`` with several processes pickles it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.text import section

if TYPE_CHECKING:
    from sim.model import CompoundModel


@dataclass(frozen=True)
class Column:
    """Documentation of one output column.

    Attributes:
        name: Column name in data frames and files.
        unit: Unit of the value ("share" means a number in [0, 1]).
        zh: Chinese label used in figures with ``--lang zh``.
        en: English label used in figures with ``--lang en``.
        meaning: What the value measures, in one sentence.
        aggregate: How compound values are combined into the community value:
            "households" (household-weighted mean), "sum", or "compounds"
            (unweighted mean over compounds).
        flow: True for a count or an amount during the month (a flow: its
            unit is per month, 户/月, 件/月, 元/月); False for a state at the
            end of the month (a stock, such as open matters) or a share. A
            mean over months of a flow is still per month, so every figure
            and table writes the unit with "/月" ("/month") exactly when this
            is true.
    """

    name: str
    unit: str
    zh: str
    en: str
    meaning: str
    aggregate: str = "households"
    flow: bool = False


LABELS: dict[str, dict[str, str]] = section("metrics")
"""Every column's label by language (``{"zh": {name: label}, "en": …}``), from the catalogue."""


def _column(name: str, unit: str, meaning: str, aggregate: str = "households",
            flow: bool = False) -> Column:
    """Define a column, its labels taken from :data:`LABELS` (text lives in the catalogue).

    Raises:
        KeyError: If the catalogue's ``metrics`` section has no label for ``name``.
    """
    return Column(name, unit, LABELS["zh"][name], LABELS["en"][name], meaning, aggregate, flow)


COLUMNS: dict[str, Column] = {
    c.name: c
    for c in [
        _column("contribution_rate", "share",
                "Share of households that paid their fee or pooled share this month."),
        _column("compliance_rate", "share",
                "Share of households committing no violation (illegal structure, "
                "dumping, occupying common space) this month."),
        _column("volunteer_rate", "share",
                "Share of households giving volunteer labour this month."),
        _column("participation_rate", "share",
                "Share of households taking part in deliberation or consultation this month."),
        _column("condition", "share",
                "Physical condition Q of the compound's public goods, 0 = derelict, 1 = as new."),
        _column("violations", "households",
                "Number of households violating the rules this month.", "sum", flow=True),
        _column("matters_open", "matters",
                "Number of matters (lights, drains, …) open at the end of the month.", "sum"),
        _column("matters_resolved", "matters",
                "Number of matters resolved during the month.", "sum", flow=True),
        _column("petitions", "households",
                "Number of households petitioning higher government this month.", "sum",
                flow=True),
        _column("trust", "share",
                "Mean trust of households that money and effort will be used well."),
        _column("dependence", "share",
                "Mean expectation that government will pay anyway (等、靠、要)."),
        _column("grievance", "share",
                "Mean grievance from unresolved matters that touch the household."),
        _column("satisfaction", "share",
                "Mean satisfaction: condition of one's compound discounted by grievance."),
        _column("firm_present_share", "share",
                "Share of compounds served by a property firm at the end of the month.",
                "compounds"),
        _column("gov_spending", "yuan",
                "Government money paid into the compounds this month, rewards "
                "(以奖代补) included.", "sum", flow=True),
        _column("self_funded_share", "share",
                "Share of the last 12 months' money that came from residents "
                "(fees and pooled funds); 0 when no money came in (a share of nothing, "
                "which figures show as a gap at month 0).", "money"),
    ]
}
"""All model-level columns, in the order they appear in outputs."""

RATE_COLUMNS = tuple(name for name, c in COLUMNS.items() if c.unit == "share")
"""Columns whose values must lie in [0, 1]."""


_WEIGHTED = tuple(name for name, c in COLUMNS.items() if c.aggregate == "households")
_SUMMED = tuple(name for name, c in COLUMNS.items() if c.aggregate == "sum")
_MEANS = tuple(name for name, c in COLUMNS.items() if c.aggregate == "compounds")
_WEIGHTED_AT, _SUMMED_AT, _MEANS_AT = ([list(COLUMNS).index(name) for name in names]
                                       for names in (_WEIGHTED, _SUMMED, _MEANS))
_SHARE_AT = [i for i, c in enumerate(COLUMNS.values())
             if c.aggregate not in ("households", "sum", "compounds")]


def label(name: str, lang: str = "en") -> str:
    """Return the label of a column in the requested language ("zh" or "en")."""
    col = COLUMNS[name]
    return col.zh if lang == "zh" else col.en


def compute_metrics(model: CompoundModel) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Compute this month's community values and per-compound values.

    Args:
        model: The model after its monthly update.

    Returns:
        A pair ``(community, per_compound)``: the first maps each column to one
        number, the second maps each column to an array with one value per
        compound. The community values are those of the whole model, which is one
        run; a model that advances several runs takes each run's from
        :func:`community_metrics`.
    """
    per = compound_metrics(model)
    return community_metrics(model, per)[0], per


def compound_metrics(model: CompoundModel) -> dict[str, np.ndarray]:
    """This month's per-compound values: each column as one value per compound."""
    pop = model.population
    comps = model.compounds
    hh = comps.households_float
    safe_hh = np.maximum(hh, 1.0)
    rates = model.compound_rates()
    beliefs = comps.total_columns((pop.trust, pop.dependence, pop.grievance,
                                   pop.satisfaction)) / safe_hh[:, None]
    per: dict[str, np.ndarray] = {
        "contribution_rate": rates["contribution_rate"],
        "compliance_rate": rates["compliance_rate"],
        "volunteer_rate": rates["volunteer_rate"],
        "participation_rate": rates["participation_rate"],
        "condition": comps.condition.copy(),
        "violations": rates["violations"].astype(float),
        "matters_open": model.matters.open_count_by_compound(),
        "matters_resolved": model.matters.resolved_this_month.astype(float),
        "petitions": rates["petitions"].astype(float),
        "trust": beliefs[:, 0],
        "dependence": beliefs[:, 1],
        "grievance": beliefs[:, 2],
        "satisfaction": beliefs[:, 3],
        "firm_present_share": comps.firm_present.astype(float),
        "gov_spending": (model.ledger.month_in[:, model.ledger.source_index("government")]
                         + model.ledger.month_in[:, model.ledger.source_index("reward")]),
        "self_funded_share": model.ledger.self_funded_share(),
    }
    return per


def community_metrics(model: CompoundModel, per: dict[str, np.ndarray],
                      runs: int = 1) -> list[dict[str, float]]:
    """Each run's community values, from the per-compound values of its compounds.

    Each column's value for each run (:func:`community_table`, as a mapping per run).

    Args:
        model: The model (its compounds' households and its ledger are read).
        per: This month's per-compound values (:func:`compute_metrics`).
        runs: Runs the model's compounds belong to, in equal blocks (1: one run).

    Returns:
        Per run, each column's community value.
    """
    names = list(COLUMNS)
    return [dict(zip(names, row, strict=True))
            for row in community_table(model, per, runs).tolist()]


def community_table(model: CompoundModel, per: dict[str, np.ndarray],
                    runs: int = 1) -> np.ndarray:
    """Each run's community values, ``(runs, columns)`` in :data:`COLUMNS` order.

    A model that advances several runs of one scenario (:mod:`sim.replicates`) holds their
    compounds one run after another, the same number per run, and each run's community
    values must be those the run alone gets: every sum runs over the run's own block of
    compounds, one row of a reshaped array, which numpy sums exactly as the run's own array
    (a sum over all compounds of several runs would be neither the runs' values nor their
    total, pairwise summation rounding differently).

    Args:
        model: The model (its compounds' households and its ledger are read).
        per: This month's per-compound values (:func:`compute_metrics`).
        runs: Runs the model's compounds belong to, in equal blocks (1: one run).
    """
    hh = model.compounds.households_float.reshape(runs, -1)
    n_c = hh.shape[1]
    total_hh = np.maximum(hh.sum(axis=1), 1.0)
    table = np.empty((runs, len(COLUMNS)))
    # Columns of one kind are reduced together, one row each: a row's sum is the sum of
    # the same 1-D array (the same pairwise summation), so the values are unchanged.
    stacked = np.stack([per[name] for name in _WEIGHTED]).reshape(len(_WEIGHTED), runs, n_c)
    table[:, _WEIGHTED_AT] = ((stacked * hh).sum(axis=2) / total_hh).T
    summed = np.stack([per[name] for name in _SUMMED]).reshape(len(_SUMMED), runs, n_c)
    table[:, _SUMMED_AT] = summed.sum(axis=2).T
    for at, name in zip(_MEANS_AT, _MEANS, strict=True):
        table[:, at] = per[name].reshape(runs, n_c).sum(axis=1) / n_c if n_c else 0.0
    table[:, _SHARE_AT] = model.ledger.self_funded_share_by_run(runs)[:, None]
    return table


def _make_reporter(name: str) -> Callable[[CompoundModel], float]:
    """Create a named, picklable reporter function for one column."""

    def reporter(model: CompoundModel) -> float:
        return model.current_metrics[name]

    reporter.__name__ = reporter.__qualname__ = f"report_{name}"
    reporter.__doc__ = f"Mesa reporter for the `{name}` column: {COLUMNS[name].meaning}"
    globals()[reporter.__name__] = reporter
    return reporter


MODEL_REPORTERS: dict[str, Callable[[CompoundModel], float]] = {
    name: _make_reporter(name) for name in COLUMNS
}
"""Mesa ``model_reporters`` for every column, module-level so they pickle."""
