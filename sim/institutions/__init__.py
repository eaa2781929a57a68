"""Institutions: the building blocks of governance designs, registered by name.

A design (``configs/designs/*.yaml``) lists institutions by registered name with their
parameters. Each institution is one class in one module of this package:

* :mod:`sim.institutions.base` — the contract every institution follows (:class:`Institution`,
  its ``Params``, the phases it acts in and the fields it reads and writes), with a complete
  example of a new institution in its docstring;
* :mod:`sim.institutions.registry` — every institution by name (:data:`REGISTRY`), parameter
  validation and the building of a design's institutions;
* :mod:`sim.schedule` — the month, and within each phase the order institutions act in.

This package module imports only the base. ``from sim.institutions import REGISTRY`` (and
``build``, ``validate_params``) still works: those names are looked up in the registry module
on first use, so that importing one institution module never imports all the others.
"""

from __future__ import annotations

from typing import Any

from sim.institutions.base import Access, Contract, Institution, Params

__all__ = ["REGISTRY", "Access", "Contract", "Institution", "Params", "build", "validate_params"]

_FROM_REGISTRY = ("REGISTRY", "INSTITUTIONS", "build", "validate_params")


def __getattr__(name: str) -> Any:
    """Names of :mod:`sim.institutions.registry`, looked up there on first use."""
    if name in _FROM_REGISTRY:
        from sim.institutions import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'sim.institutions' has no attribute {name!r}")
