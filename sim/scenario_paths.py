"""Dotted paths into a scenario: the one rule for setting values of institutions it may lack.

Both a prior's parameter set (:func:`sim.priors.apply`) and a mechanism's off switch
(:func:`sim.mechanisms.switch_off`) name parameters of institutions some designs do not have;
:func:`set_present` skips those, so one set of values means the same in every design. A module
of its own so that :mod:`sim.mechanisms` and :mod:`sim.priors` need not import each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.config import Scenario

INSTITUTION_PREFIX = "design.institutions."
"""Where an institution's parameters start: ``design.institutions.NAME.FIELD``."""


def set_present(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """Set ``values`` in ``scenario``, skipping parameters of institutions it does not have.

    What a mechanism's switch needs (:func:`sim.mechanisms.switch_off`): one switch means the
    same in every design, and it does switch off what a design set on purpose.

    Returns:
        The new scenario (``scenario`` itself when nothing applies).
    """
    present = set(scenario.design.institutions)
    kept = {}
    for path, value in values.items():
        if path.startswith(INSTITUTION_PREFIX):
            name = path[len(INSTITUTION_PREFIX):].split(".", 1)[0]
            if name not in present:
                continue
        kept[path] = value
    return scenario.override(kept) if kept else scenario
