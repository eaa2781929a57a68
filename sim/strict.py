"""The base of every validated config model: strict, frozen, finite, no booleans for numbers.

Config sections (:mod:`sim.config`) and institution parameters
(:mod:`sim.institutions`) both derive from :class:`Strict`, so one rule
decides what a number in a config may be; :func:`validation_error` is the one
rule that turns pydantic's errors on any of them (a scenario, a design's
institution, a sweep file) into the one-line ``field: message`` the user sees.
This module imports only :mod:`sim.errors`, so any module can build on it
without an import cycle.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from sim.errors import ConfigError

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


def unknown_name(name: str, allowed: Iterable[Any], what: str) -> str:
    """Message for an unknown name, with the closest allowed one if any.

    ``unknown key 'nosie'; did you mean 'noise'? (allowed: noise, seed)``.
    """
    options = sorted(allowed)
    near = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    return f"unknown {what} '{name}'{hint} (allowed: {', '.join(options)})"


MESSAGE_PREFIXES = ("Value error, ", "Assertion failed, ")
"""What pydantic puts before the message of a validator's ``ValueError`` or ``assert``."""


def validation_error(exc: ValidationError,
                     model_at: Callable[[list[str]], type[BaseModel] | None], *,
                     what: str = "key") -> ConfigError:
    """Turn pydantic's most telling error into a one-line :class:`ConfigError`.

    The rule, for every schema of the package: an unknown key comes first (a typo explains
    the errors that follow it), then an error about a value's content (for a field that
    takes several forms — a number, a list or a distribution — pydantic reports one error
    per form, and "a normal distribution needs mean, sd" says more than "not a number"),
    then any. The field is the dotted location without pydantic's union member names; the
    message starts in lower case and quotes the value given, unless it is missing, a
    whole mapping or list, or already quoted in the message ("unknown sampler 'x'"). An
    unknown key names the allowed ones and the closest.

    Args:
        exc: Pydantic's error.
        model_at: The model class at a location (a list of keys), to list the keys
            allowed where an unknown one was given; ``None`` past plain data.
        what: The noun for an unknown key ("key", "parameter").

    Returns:
        The error to raise.
    """
    errors = exc.errors()
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    telling = [e for e in errors if not e["type"].endswith(("_type", "_parsing"))]
    err = (extra or telling or errors)[0]
    loc = [str(p) for p in err["loc"] if not _is_union_tag(p)]
    field = ".".join(loc)
    if err["type"] == "extra_forbidden":
        parent = model_at(loc[:-1])
        allowed = list(parent.model_fields) if parent is not None else []
        return ConfigError(field, unknown_name(loc[-1], allowed, what))
    msg = str(err["msg"])
    for prefix in MESSAGE_PREFIXES:
        msg = msg.removeprefix(prefix)
    got = err.get("input")
    if err["type"] != "missing" and not isinstance(got, dict | list) and repr(got) not in msg:
        msg = f"{msg} (got {got!r})"
    return ConfigError(field, msg[0].lower() + msg[1:] if msg else msg)


def _is_union_tag(part: Any) -> bool:
    """Pydantic adds union member names (``Dist``, ``float``) to error locations."""
    return isinstance(part, str) and (part in {"float", "int", "str", "bool"}
                                      or part.startswith(("list[", "function-"))
                                      or part[:1].isupper())
