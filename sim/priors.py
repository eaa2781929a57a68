"""Priors: what we do not know about the world, as ranges of the assumed parameters.

Most parameters of the model are the authors' assumptions (docs/parameters.md shows which
cite a source). A comparison at the defaults answers "what if every assumption were
exactly right"; seed noise says nothing about whether they are. So every assumed parameter
declares a *prior* beside its default, in the one schema::

    face: float = Field(0.8, ge=0, le=10,
                        json_schema_extra={"prior": {"low": 0.4, "high": 1.2,
                                                     "source": "assumption"}})

A prior is a plausible range, uniform between ``low`` and ``high`` (inside the validity
range, which only says what the code accepts). This module is the one reader of those
declarations:

- :func:`uncertainties` lists the parameters with a prior that apply to some scenarios (an
  institution's only when one of them has that institution), as :class:`Uncertainty`;
- :func:`sample` draws ``n`` parameter sets from them with a scrambled Sobol' sequence or a
  Latin hypercube (:mod:`scipy.stats.qmc`), the same sets for the same seed;
- :func:`apply` sets one parameter set in a scenario, skipping the parameters of
  institutions it does not have (so every design of a comparison gets the same sets) and
  the parameters the design holds as its levers (:func:`held`).

A prior is what we do not know about the world: how strong a mechanism is, how fast a body
works, where the design leaves that to the schema's default. What a design sets on purpose
is its choice, a *lever* (the EMA Workbench's roles: uncertainties and levers), and is not
drawn. Two kinds of value are held (:func:`held`):

- a parameter at the off value of a mechanism's switch (:data:`sim.mechanisms.OFF_VALUES`),
  wherever it comes from: a design without triggered visits (``party_branch.triggered_visit``
  0, the schema default) keeps none, although the prior of ``triggered_visit`` where visits
  are triggered is 0–0.8; the threshold preset keeps ``weights.reputation`` at 0;
- an institution's parameter that the design sets to another value than the schema default:
  Pujiang's situation, whose branch visits 0.8 households per member a month instead of 4,
  keeps its weak branch; Chongchuan's triggered visits stay at 0.5.

Without this rule a prior would switch a mechanism on in every design that has its
institution, and erase the very values that make two designs differ (decisions §47).

``sim compare --uncertainty N``, ``sim explain`` and ``sim discover`` draw their parameter
sets here, so "the same prior" means the same thing in each.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sim.errors import ConfigError
from sim.scenario_paths import INSTITUTION_PREFIX, set_present

if TYPE_CHECKING:
    from sim.config import Scenario
    from sim.schema import Param

METHODS = ("sobol", "lhs")
"""How :func:`sample` spreads the parameter sets over the priors."""

Method = Literal["sobol", "lhs"]


@dataclass(frozen=True)
class Uncertainty:
    """One uncertain parameter: its dotted path and its prior.

    Attributes:
        path: The dotted path ``--set`` and :meth:`Scenario.override` take
            (``behaviour.weights.face``, ``design.institutions.party_branch.visits``).
        low: Lower end of the prior.
        high: Upper end of the prior.
        default: The schema's default.
        integer: Whether the parameter takes whole numbers (values are rounded).
        source: ``"assumption"`` or where the range comes from.
        institution: The registered institution it belongs to, or ``""``.
        unit: Its unit as :mod:`sim.schema` infers it.
        description: What it means (English).
    """

    path: str
    low: float
    high: float
    default: float
    integer: bool
    source: str
    institution: str = ""
    unit: str = "—"
    description: str = ""

    def value(self, u: float) -> float | int:
        """The parameter's value at ``u`` in [0, 1) of its prior.

        Uniform on [low, high]; an integer parameter is uniform on the whole numbers from
        low to high (each equally likely, the two ends included).
        """
        if self.integer:
            k = math.floor((self.high - self.low + 1) * float(u))
            return int(self.low + min(max(k, 0), self.high - self.low))
        return self.low + (self.high - self.low) * float(u)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for a manifest."""
        return {"path": self.path, "low": self.low, "high": self.high,
                "default": self.default, "integer": self.integer, "source": self.source,
                "institution": self.institution, "unit": self.unit}


def _from_param(param: Param) -> Uncertainty | None:
    """The :class:`Uncertainty` of a schema parameter that declares a prior, else None."""
    prior = param.prior
    if not isinstance(prior, Mapping):
        return None
    try:
        low, high = float(prior["low"]), float(prior["high"])
    except (KeyError, TypeError, ValueError):
        raise ConfigError(param.path, f"its prior must be a mapping with numbers 'low' and "
                                      f"'high' (got {prior!r})") from None
    if not low < high:
        raise ConfigError(param.path, f"its prior needs low < high (got {low}, {high})")
    return Uncertainty(path=param.path, low=low, high=high, default=param.value,
                       integer=param.type == "integer",
                       source=str(prior.get("source", "assumption")),
                       institution=param.institution, unit=param.unit,
                       description=param.description)


def declared() -> tuple[Uncertainty, ...]:
    """Every parameter of the schema that declares a prior, in the order of the schema."""
    from sim.schema import parameters

    out = (_from_param(p) for p in parameters() if "[]" not in p.path)
    return tuple(u for u in out if u is not None)


def uncertainties(scenarios: Sequence[Scenario] = (), *,
                  only: Sequence[str] | None = None) -> tuple[Uncertainty, ...]:
    """The uncertain parameters that apply to any of ``scenarios``.

    Args:
        scenarios: The scenarios a study runs (designs, or an explanation's coalitions);
            an institution's parameters are included when one of them has the institution.
            With none, every declared prior.
        only: Keep just these paths (in this order); an unknown path, or one without a
            prior, is a :class:`~sim.errors.ConfigError` naming it.

    Returns:
        The parameters, in schema order (or ``only``'s order).
    """
    every = declared()
    present = {name for s in scenarios for name in s.design.institutions}
    applies = [u for u in every
               if not scenarios or not u.institution or u.institution in present]
    if only is None:
        return tuple(applies)
    by_path = {u.path: u for u in applies}
    missing = [p for p in only if p not in by_path]
    if missing:
        known = {u.path for u in every}
        name = missing[0]
        why = ("its institution is in none of the designs" if name in known
               else "it has no prior (see `sim params` and docs/parameters.md)")
        raise ConfigError("--uncertain", f"'{name}': {why}")
    return tuple(by_path[p] for p in only)


def unit_sample(d: int, n: int, *, seed: int, method: Method = "sobol") -> Any:
    """``n`` points in [0, 1)^d: scrambled Sobol' or a Latin hypercube, seeded.

    Sobol' sequences are balanced at powers of two; another ``n`` is allowed (scipy warns,
    we do not: the first ``n`` points of the scrambled sequence are still a sound design).
    """
    import warnings

    from scipy.stats import qmc

    if method not in METHODS:
        raise ConfigError("--uncertainty-method", f"must be one of {', '.join(METHODS)} "
                                                  f"(got {method!r})")
    if d == 0:
        import numpy as np

        return np.zeros((n, 0))
    if method == "sobol":
        engine: Any = qmc.Sobol(d, scramble=True, seed=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # balance at powers of 2
            return engine.random(n)
    return qmc.LatinHypercube(d, seed=seed).random(n)


def sample(params: Sequence[Uncertainty], n: int, *, seed: int,
           method: Method = "sobol") -> list[dict[str, float | int]]:
    """Draw ``n`` parameter sets from the priors of ``params``.

    Args:
        params: The uncertain parameters (:func:`uncertainties`).
        n: Number of parameter sets, ≥ 1.
        seed: Seed of the sequence's scrambling: the same seed gives the same sets.
        method: ``"sobol"`` (scrambled Sobol') or ``"lhs"`` (Latin hypercube).

    Returns:
        One mapping ``path → value`` per parameter set.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError("--uncertainty", f"must be a whole number ≥ 1 (got {n!r})")
    points = unit_sample(len(params), n, seed=seed, method=method)
    return [{u.path: u.value(x) for u, x in zip(params, row, strict=True)} for row in points]


def value_at(scenario: Scenario, path: str) -> Any:
    """The value at dotted ``path`` in ``scenario`` (``None`` where the path does not lead).

    Fields are attributes of the validated scenario; an institution's parameters are a
    mapping (``design.institutions.NAME.FIELD``), and a parameter it leaves at its default is
    read from the schema (:func:`sim.schema.parameters`).
    """
    node: Any = scenario
    parts = path.split(".")
    for i, key in enumerate(parts):
        if isinstance(node, Mapping):
            if key not in node:
                if i == len(parts) - 1 and path.startswith(INSTITUTION_PREFIX):
                    return _defaults().get(path)
                return None
            node = node[key]
        elif hasattr(node, key):
            node = getattr(node, key)
        else:
            return None
    return node


@functools.cache
def _defaults() -> dict[str, Any]:
    """Every schema parameter's default, by path (read once: the schema does not change)."""
    from sim.schema import parameters

    return {p.path: p.value for p in parameters()}


def held(scenario: Scenario, paths: Sequence[str] | Mapping[str, Any]) -> tuple[str, ...]:
    """Of ``paths``, the design's levers in ``scenario``: :func:`apply` does not draw them.

    A path is held when its value is the off value of a mechanism's switch, or when it is a
    parameter of an institution the design has and the design sets it to another value than
    the schema's default (module docstring).
    """
    from sim.mechanisms import OFF_VALUES

    present = set(scenario.design.institutions)
    defaults = _defaults()

    def own(path: str, value: Any) -> bool:  # an institution's parameter the design set
        name = path[len(INSTITUTION_PREFIX):].split(".", 1)[0]
        return (path.startswith(INSTITUTION_PREFIX) and name in present
                and path in defaults and value != defaults[path])

    out = []
    for path in paths:
        value = value_at(scenario, path)
        if any(value == off for off in OFF_VALUES.get(path, ())) or own(path, value):
            out.append(path)
    return tuple(out)


def held_by_design(designs: Mapping[str, Scenario], paths: Sequence[str]) -> dict[str, list[str]]:
    """:func:`held` for each named scenario: what a manifest records as ``uncertainty.held``."""
    return {key: list(held(scenario, paths)) for key, scenario in designs.items()}


def apply(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """Set one parameter set in ``scenario``.

    Parameters of an institution the scenario's design does not have are skipped (a prior
    never adds an institution), and so are the design's levers (:func:`held`: a prior never
    switches a mechanism on, nor undoes what a design sets); every other path must exist.

    Returns:
        The new scenario (``scenario`` itself when nothing applies).
    """
    levers = set(held(scenario, values))
    return set_present(scenario, {k: v for k, v in values.items() if k not in levers})
