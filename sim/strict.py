"""The base of every validated config model: strict, frozen, finite, no booleans for numbers.

Config sections (:mod:`sim.config`) and institution parameters
(:mod:`sim.institutions`) both derive from :class:`Strict`, so one rule
decides what a number in a config may be. This module imports nothing of
the package, so any module can build on it without an import cycle.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

STRICT_CONFIG = ConfigDict(extra="forbid", frozen=True, validate_default=True,
                           allow_inf_nan=False)
"""Settings of every config section and of institution parameters.

Unknown keys are errors, values are frozen, defaults are validated, and every
number is finite: NaN and ±infinity (YAML's ``.nan``, ``.inf``) are refused
for every float field, list element and tuple member, because NaN passes any
bounds check (``nan < low`` is false) and infinity cannot be written to JSON.
"""


def reject_bool(cls: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
    """Refuse true/false where a number is expected (YAML's `yes` would become 1)."""
    if isinstance(value, bool) and info.field_name is not None:
        annotation = cls.model_fields[info.field_name].annotation
        if annotation is not bool and bool not in getattr(annotation, "__args__", ()):
            raise ValueError("must be a number, not true/false")
    return value


class Strict(BaseModel):
    """Base of every config section and institution's parameters: see :data:`STRICT_CONFIG`."""

    model_config = STRICT_CONFIG

    _no_bool = field_validator("*", mode="before")(classmethod(reject_bool))
