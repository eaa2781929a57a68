"""Which institutions need which: what a subset of a design's institutions means.

``sim explain`` runs subsets of the institutions in which two designs differ
(:mod:`sim.experiments.explain`). An institution that acts only through another one does
nothing without it, and a subset holding it without the other is not a design anyone would
adopt; so only subsets closed under these prerequisites are run, and the Shapley values are
those of a game with precedence constraints (:mod:`sim.experiments.attribution`).

Each entry is data: the institution, the institutions it needs, and why — each reason a
fact of the code, named where it is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prerequisite:
    """What one institution needs.

    Attributes:
        institution: The registered name of the institution.
        needs: The registered names of the institutions it needs (all of them).
        reason: Why, in the code's terms.
    """

    institution: str
    needs: tuple[str, ...]
    reason: str


PREREQUISITES: tuple[Prerequisite, ...] = (
    Prerequisite(
        "supervisory_committee", ("owners_committee",),
        "it watches owners' committees only: its body exists where a committee does "
        "(SupervisoryCommittee.before_decisions sets bodies['supervisory'] = "
        "bodies['committee']), and it deters, finds and publishes only there"),
    Prerequisite(
        "covenant", ("owners_committee",),
        "it adopts a rule for each matter residents settle (covenant.SETTLED_BY = "
        "('residents',)), and only the owners' committee resolves matters as 'residents' "
        "(OwnersCommittee.month_end, the one book.resolve(..., 'residents', ...))"),
    Prerequisite(
        "six_party_linkage", ("party_branch",),
        "the branch is the hub: links are counted through it only where bodies['branch'] is "
        "set (SelfGovernance.update_efficiency), and the firm cost factor applies only there "
        "(SixPartyLinkage.before_decisions); only party_branch sets bodies['branch']"),
    Prerequisite(
        "one_shoulder", ("party_branch", "owners_committee"),
        "it removes the friction between a branch and a committee led by different people, "
        "which exists only where both bodies do (SelfGovernance.update_efficiency: "
        "both = branch & committee & ~one_shoulder)"),
    Prerequisite(
        "codesign", ("renovation_campaign",),
        "it is called only by RenovationCampaign.after_decisions and month_end (the vote "
        "before the money is spent, the stake, its fade); without a campaign it does nothing"),
    Prerequisite(
        "shared_assets", ("owners_committee",),
        "its income is paid only where an owners' committee exists to hold it (SharedAssets "
        "reads bodies['committee']), and only the committee spends the fund"),
    Prerequisite(
        "community_foundation", ("owners_committee",),
        "it grants money only to residents' projects, which only the owners' committee "
        "starts (selfgov.project, set in OwnersCommittee._start_projects)"),
)
"""Every prerequisite, by institution."""

NEEDS: dict[str, tuple[str, ...]] = {p.institution: p.needs for p in PREREQUISITES}
"""Institution name → the names it needs."""


def needs(name: str) -> tuple[str, ...]:
    """The institutions ``name`` needs directly (none for most)."""
    return NEEDS.get(name, ())
