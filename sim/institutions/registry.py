"""Every institution by name, and the building of a design's institutions in schedule order.

:data:`INSTITUTIONS` lists the classes explicitly (a new institution is one line here), so
the package does not import its submodules as a side effect and nothing depends on import
order. :data:`REGISTRY` maps each registered name to its class. When this module is first
imported it checks that every class acts in exactly the phases :data:`sim.schedule.PHASE_ORDER`
lists it in, so an institution missing from the schedule (or a stale name in it) fails at once,
not in a run.

Modules that need the registry (``sim.config`` to validate a design, ``sim.model`` to build
one) import this module; the institution modules import only :mod:`sim.institutions.base`
and the state modules below them, never this one or ``sim.config``, so there is no cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sim.institutions.base import PHASES, Institution, acts_in
from sim.institutions.cobuilding import CobuildingCouncil, SixPartyLinkage
from sim.institutions.codesign import Codesign
from sim.institutions.committees import (
    DeliberationCouncil,
    OwnersCommittee,
    SupervisoryCommittee,
)
from sim.institutions.covenant import Covenant
from sim.institutions.firms import FirmIntroduction, RedPropertyFirm
from sim.institutions.funding import DynamicAssessment, RewardInsteadOfSubsidy
from sim.institutions.government import GovernmentService, RenovationCampaign
from sim.institutions.hotline import Hotline
from sim.institutions.leaders import StairwellLeaders
from sim.institutions.party import DualReport, OneShoulder, PartyBranch
from sim.institutions.reminders import Reminders
from sim.institutions.selffunding_assets import SharedAssets
from sim.institutions.selffunding_foundation import CommunityFoundation
from sim.institutions.selffunding_station import StationFund
from sim.institutions.social import CobuildingUnits, SocialOrganisation
from sim.institutions.triage import ThreeAffairsTriage
from sim.institutions.visibility import OnlineTools, PublicRolls
from sim.schedule import PHASE_ORDER
from sim.strict import validation_error

if TYPE_CHECKING:
    from sim.model import CompoundModel

INSTITUTIONS: tuple[type[Institution[Any]], ...] = (
    SixPartyLinkage, DualReport, OneShoulder, PartyBranch, StairwellLeaders, Reminders,
    PublicRolls,
    OnlineTools, SocialOrganisation, CobuildingCouncil, DeliberationCouncil,
    RewardInsteadOfSubsidy, SharedAssets, OwnersCommittee, CommunityFoundation, StationFund,
    SupervisoryCommittee, Covenant, CobuildingUnits,
    ThreeAffairsTriage, Hotline, GovernmentService, RenovationCampaign, DynamicAssessment,
    RedPropertyFirm, FirmIntroduction, Codesign,
)
"""Every institution a design can use, in an order that agrees with every phase of the
schedule table (checked by :func:`make_registry`), so ``model.institutions`` is one list whose
order is right for any phase."""


def make_registry(classes: tuple[type[Institution[Any]], ...],
                  order: Mapping[str, tuple[str, ...]]) -> dict[str, type[Institution[Any]]]:
    """Map names to classes, checking them against the schedule table.

    Args:
        classes: The institution classes.
        order: Per phase, the names in the order they act (:data:`sim.schedule.PHASE_ORDER`).

    Raises:
        TypeError: A name used twice or empty, a class and the table that disagree on
            the phases it acts in, a phase whose order is not the order of ``classes``, or a
            class without a Chinese and an English name (the catalogue's ``institutions``).
    """
    registry: dict[str, type[Institution[Any]]] = {}
    for cls in classes:
        if not cls.name or cls.name in registry:
            raise TypeError(f"{cls.__name__}: the name {cls.name!r} is empty or used twice")
        registry[cls.name] = cls
    for phase in PHASES:
        listed = order.get(phase, ())
        stale = [name for name in listed if name not in registry]
        if stale or len(set(listed)) != len(listed):
            raise TypeError(f"sim.schedule.PHASE_ORDER[{phase!r}] names unknown or repeated "
                            f"institutions: {stale or listed}")
        for name, cls in registry.items():
            if acts_in(cls, phase) != (name in listed):
                where = "is missing from" if acts_in(cls, phase) else "does not act in"
                raise TypeError(f"{name} {where} sim.schedule.PHASE_ORDER[{phase!r}]")
        position = [list(registry).index(name) for name in listed]
        if position != sorted(position):
            raise TypeError(f"sim.schedule.PHASE_ORDER[{phase!r}] is not in the order of "
                            f"the registry's classes; reorder one of them")
    for name, cls in registry.items():
        if not (cls.label_zh and cls.label_en):
            raise TypeError(f"{name} has no Chinese or English name: add it under "
                            f"'institutions:' in sim/catalogue.yaml ({name}: {{zh: …, en: …}})")
    return registry


REGISTRY: dict[str, type[Institution[Any]]] = make_registry(INSTITUTIONS, PHASE_ORDER)
"""Registered institutions by name."""


def validate_params(name: str, params: Any) -> dict[str, Any]:
    """Validate an institution's parameters; returns them with defaults filled in.

    Raises:
        ValueError: ``NAME.PARAM: message``, naming the institution and the parameter
            (``sim.config`` turns it into ``design.institutions.NAME.PARAM: message``).
    """
    cls = REGISTRY[name]
    if not isinstance(params, dict):
        raise ValueError(f"{name}: parameters must be a mapping")
    try:
        return cls.Params.model_validate(params).model_dump()
    except ValidationError as exc:
        err = validation_error(exc, lambda loc: None if loc else cls.Params, what="parameter")
        raise ValueError(f"{name}.{err.field}: {err.message}") from None


def build(model: CompoundModel) -> tuple[list[Institution[Any]],
                                         dict[str, tuple[Institution[Any], ...]]]:
    """Instantiate the institutions of the model's design (in the design file's order).

    Returns:
        ``(institutions, phases)``: the design's institutions in the order of
        :data:`REGISTRY` (that of :data:`INSTITUTIONS`, which agrees with the order of every
        phase, so iterating it for one hook gives that phase's order), and per phase
        (:data:`sim.institutions.base.PHASES`) those that act in it, in the order of
        :data:`sim.schedule.PHASE_ORDER`.
    """
    built: dict[str, Institution[Any]] = {}
    for name, params in model.config.design.institutions.items():
        cls = REGISTRY[name]
        built[name] = cls(model, cls.Params.model_validate(params))
    ordered = [built[name] for name in REGISTRY if name in built]
    return ordered, {phase: tuple(built[name] for name in PHASE_ORDER[phase] if name in built)
                     for phase in PHASES}
