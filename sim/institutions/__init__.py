"""Institutions: the building blocks of governance designs, registered by name.

A design (``configs/designs/*.yaml``) lists institutions by registered name
with their parameters. Each institution is one class in one module of this
package, with a pydantic ``Params`` model (unit, range and default of every
parameter) and hooks the model calls every month, in this order:

0. ``setup`` — once, after every institution is built (create bodies);
1. ``before_decisions`` — after matters arrive, before households decide
   (mobilisation, visibility, norms);
2. ``after_decisions`` — after fees are collected and the firm has served
   (handling matters, spending money);
3. ``month_end`` — after condition and beliefs are updated (assessment,
   entry and exit of bodies).

Within a phase, institutions run in order of their ``priority`` (lower first), so that a
design file's order does not matter: the council decides before the committee executes,
and the supervisory committee checks after it.

To add an institution: subclass :class:`Institution`, set ``name`` and
``Params``, decorate with :func:`register`, and import the module below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

from sim.strict import Strict

if TYPE_CHECKING:
    from sim.model import CompoundModel


class Params(Strict):
    """Base of institution parameters: the rules of every config section (:mod:`sim.strict`)."""


class Institution:
    """A body or rule of a governance design.

    Attributes:
        name: Registered name used in design files.
        label_zh: Chinese name.
        label_en: English name.
        source: Seed file the institution comes from.
        params: Validated parameters.
    """

    name: ClassVar[str] = ""
    priority: ClassVar[int] = 50
    label_zh: ClassVar[str] = ""
    label_en: ClassVar[str] = ""
    source: ClassVar[str] = ""
    Params: ClassVar[type[Params]] = Params

    def __init__(self, model: CompoundModel, params: Params) -> None:
        self.model = model
        self.params = params

    def setup(self, model: CompoundModel) -> None:
        """Act once, after every institution of the design is built."""

    def before_decisions(self, model: CompoundModel) -> None:
        """Act after matters arrive and before households decide."""

    def after_decisions(self, model: CompoundModel) -> None:
        """Act after fees are collected and the firm has served."""

    def month_end(self, model: CompoundModel) -> None:
        """Act after condition and beliefs are updated."""


REGISTRY: dict[str, type[Institution]] = {}
"""Registered institutions by name."""


def register(cls: type[Institution]) -> type[Institution]:
    """Class decorator adding an institution to :data:`REGISTRY`."""
    if not cls.name:
        raise TypeError(f"{cls.__name__} needs a name")
    if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
        raise TypeError(f"institution name {cls.name!r} is registered twice")
    REGISTRY[cls.name] = cls
    return cls


def validate_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Validate an institution's parameters; returns them with defaults filled in.

    Raises:
        ValueError: Naming the institution and the parameter.
    """
    cls = REGISTRY[name]
    if not isinstance(params, dict):
        raise ValueError(f"{name}: parameters must be a mapping")
    try:
        return cls.Params.model_validate(params).model_dump()
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            import difflib

            allowed = sorted(cls.Params.model_fields)
            near = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise ValueError(f"{name}.{where}: unknown parameter{hint} "
                             f"(allowed: {', '.join(allowed)})") from None
        raise ValueError(f"{name}.{where}: {err['msg']} (got {err.get('input')!r})") from None


def build(model: CompoundModel) -> list[Institution]:
    """Instantiate the institutions of the model's design, ordered by priority."""
    out = []
    for name, params in model.config.design.institutions.items():
        cls = REGISTRY[name]
        out.append(cls(model, cls.Params.model_validate(params)))
    return sorted(out, key=lambda inst: inst.priority)


# Importing the modules registers their institutions.
from sim.institutions import (  # noqa: E402, F401
    cobuilding,
    committees,
    covenant,
    firms,
    funding,
    government,
    leaders,
    party,
    social,
    triage,
    visibility,
)
