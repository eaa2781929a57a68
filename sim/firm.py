"""Property firms (物业公司) and fee collection.

Seed 001 describes the vicious circle 无人管、无钱管 → 弃管 → 上访: a firm's
service follows its revenue, and after sustained low collection it walks
away. Each month, in every compound with a firm, the households that chose to
contribute pay the property fee; the firm first covers its fixed staff and
overhead costs, then pays for small matters (cheapest first) and spends the
rest on upkeep. A month whose collection rate is below the exit level is a
loss month; after ``firm_exit_patience`` consecutive loss months the firm
exits. Where no firm serves, the residents' committee collects the smaller
cleaning fee and spends it on cleaning (upkeep).

A firm can be brought back (:func:`bring_in`) by an institution of the
design, e.g. an owners' committee or a renovation campaign.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import CompoundModel


class PropertyFirm(mesa.Agent):
    """A property firm serving one compound; removed from the model when it exits.

    Attributes:
        compound: Index of the compound served.
        entered: Month the firm started serving.
        red: A "red" firm (红色物业), set by designs that have one.
    """

    def __init__(self, model: CompoundModel, compound: int, red: bool = False) -> None:
        super().__init__(model)
        self.compound = compound
        self.entered = model.steps
        self.red = red
        model.firms.append(self)

    @property
    def collection_rate(self) -> float:
        """Share of the compound's households that paid this month."""
        return float(self.model.current_compound_metrics["contribution_rate"][self.compound])

    @property
    def loss_months(self) -> int:
        """Consecutive months of collection below the exit level."""
        return int(self.model.compounds.firm_loss_months[self.compound])


def collect_and_serve(model: CompoundModel) -> None:
    """Collect fees and let firms and the residents' committee spend them."""
    comps, ledger = model.compounds, model.ledger
    rate = model.compound_rates()["contribution_rate"]
    payers = rate * comps.households
    fees = payers * comps.fee_due()
    ledger.deposit("fees", fees)
    eco = model.config.economy
    firm = comps.firm_present
    if firm.any():
        fixed = eco.firm_fixed_cost * comps.firm_cost_factor * comps.households
        overhead = np.where(firm, np.minimum(fees, fixed), 0.0)
        budget = fees - ledger.spend("overhead", overhead)
    else:  # no firm has overhead: paying 0 would change no account
        budget = fees
    budget -= _pay_small_matters(model, firm, budget)
    # What is left of this month's fees goes to upkeep (cleaning, repairs).
    comps.upkeep += ledger.spend("upkeep", budget)
    comps.record_contributions(rate, model.steps)
    loss = firm & (rate < eco.firm_exit_collection)
    comps.firm_loss_months = np.where(loss, comps.firm_loss_months + 1, 0)


def _pay_small_matters(model: CompoundModel, firm: np.ndarray,
                       budget: np.ndarray) -> np.ndarray:
    """Firms resolve their compounds' small matters, cheapest first, within ``budget``.

    Returns:
        Yuan spent per compound.
    """
    book = model.matters
    spent = np.zeros(model.compounds.n)
    if book.n_open == 0:  # nothing to pay for
        return spent
    small = book.category == book.category_index("small")
    sel = np.flatnonzero(small & firm[book.compound] & ~book.in_project)
    if sel.size == 0:
        return spent
    sel = sel[np.argsort(book.cost[sel], kind="stable")]
    paid = model.ledger.spend_at("matters", book.compound[sel], book.cost[sel], budget)
    mask = np.zeros(book.n_open, dtype=bool)
    mask[sel[paid]] = True
    np.add.at(spent, book.compound[sel[paid]], book.cost[sel[paid]])
    book.resolve(mask, model.steps, "firm")
    return spent


def exits(model: CompoundModel) -> None:
    """Firms with too many consecutive loss months walk away (弃管)."""
    comps = model.compounds
    patience = model.config.economy.firm_exit_patience + comps.firm_patience_bonus
    leaving = comps.firm_present & (comps.firm_loss_months >= patience)
    if not np.any(leaving):
        return
    for agent in [a for a in model.firms if leaving[a.compound]]:
        model.firms.remove(agent)
        agent.remove()
    comps.firm_present = comps.firm_present & ~leaving
    comps.firm_loss_months[leaving] = 0
    model.firm_exits += model.runs.count(leaving)  # per run, with several (sim.runs)


def bring_in(model: CompoundModel, compounds: np.ndarray, red: bool = False) -> None:
    """A firm starts serving each compound in ``compounds`` that has none."""
    comps = model.compounds
    entered = np.zeros(comps.n, dtype=bool)
    for c in np.asarray(compounds, dtype=np.int64):
        if not comps.firm_present[c]:
            PropertyFirm(model, int(c), red=red)
            comps.firm_present[c] = True
            comps.firm_loss_months[c] = 0
            entered[c] = True
    model.firm_entries += model.runs.count(entered)  # per run, with several (sim.runs)
