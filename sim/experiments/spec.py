"""The sweep file: which parameters vary, how they are sampled, and how often each run repeats.

A sweep file is YAML with ``kind: sweep``. Parameters are named by their dotted scenario path
(the names of ``docs/parameters.md`` and of ``--set``) and declared by role, in the vocabulary
of the EMA Workbench: ``uncertainties`` are what the world might be (behaviour, networks),
``levers`` what a policy maker chooses (the design, a budget). Each parameter is a numeric
range ``{low, high}`` (sampled) or a list ``{values: [...]}`` (categorical: every value is
crossed with every sampled point, outside the sampled design)::

    kind: sweep
    name: smoke
    base: configs/designs/baseline.yaml      # scenario, design or community file, or preset
    set: {community: generic_old_compound}   # fixed overrides
    steps: 24
    outcomes: [contribution_rate, condition] # means over the last `outcome_months` months
    outcome_months: 12
    uncertainties:
      behaviour.weights.face: {low: 0.0, high: 3.0}
      community.network.acquaintance: {low: 0.1, high: 0.9}
    levers:
      design: {values: [baseline, nanan_131]}
    sampler: {method: latin, n: 8, seed: 0}
    seeds: [0, 1]                            # or a number: `seeds: 20` is 0, 1, …, 19

:func:`load_sweep` reads and validates such a file with the same strictness as scenarios (an
unknown key is an error that suggests the near name; every problem is one
:class:`~sim.errors.ConfigError` naming the field) and checks every parameter against the base
scenario: each value the sampler can produce must be a valid :meth:`Scenario.override
<sim.config.Scenario.override>`. A run's scenario is ``base`` with ``set`` and the run's
parameter values applied at once, shallow paths first (so ``design: nanan_131`` is applied
before ``design.institutions.…``), ``run.steps = steps``, and the run's seed.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.config import CONFIG_ROOT, Scenario, Strict, _unknown, load_config, read_yaml
from sim.errors import ConfigError
from sim.metrics import COLUMNS
from sim.strict import validation_error

Finite = Annotated[float, Field(allow_inf_nan=False)]

METHODS = ("full_factorial", "latin", "sobol", "morris")
"""Sampling methods, as written in ``sampler.method``."""

SAMPLER_KEYS: dict[str, tuple[str, ...]] = {
    "full_factorial": ("levels",),
    "latin": ("n",),
    "sobol": ("n", "second_order"),
    "morris": ("n", "levels"),
}
"""The keys each method takes besides ``method`` and ``seed``."""

DEFAULT_LEVELS = {"full_factorial": 3, "morris": 4}
"""``levels`` when the sweep file gives none."""

DEFAULT_OUTCOMES = ("contribution_rate", "condition")
"""Outcomes analysed when the sweep file lists none."""

RESERVED = {"run", "run.seed", "run.steps", "kind"}
"""Paths a sweep may not vary: seeds come from ``seeds`` and the length from ``steps``."""

MAX_RUNS = 1_000_000
"""Largest sweep accepted: beyond it the manifest alone would be hundreds of megabytes."""

MANIFEST_BYTES_PER_RUN = 700
"""About what one run adds to ``manifest.json`` (its entry and its sample's), for estimates."""

ROLES = ("uncertainties", "levers")
"""Sections that declare varied parameters, in the order their parameters are listed."""


# --------------------------------------------------------------------------- schema


class Parameter(Strict):
    """One varied parameter: a numeric range, or a list of values.

    Attributes:
        low: Lower end of a sampled range.
        high: Upper end of a sampled range (greater than ``low``).
        values: The values of a categorical parameter (design names, community names,
            numbers, distributions), each crossed with every sampled point.
        integer: Round sampled values of a range to whole numbers (for integer fields such
            as ``design.institutions.renovation_campaign.interval``; full factorial and Latin
            hypercube only).
    """

    low: Finite | None = None
    high: Finite | None = None
    values: list[Any] | None = Field(None, min_length=1)
    integer: bool = False

    @model_validator(mode="before")
    @classmethod
    def _mapping(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("must be a range {low: …, high: …} or a list {values: […]} "
                             f"(got {data!r})")
        return data

    @property
    def categorical(self) -> bool:
        """True for a list of values, False for a range."""
        return self.values is not None


class Sampler(Strict):
    """How points are drawn from the ranges.

    Attributes:
        method: ``full_factorial`` (every combination of ``levels`` evenly spaced values per
            range), ``latin`` (Latin hypercube of ``n`` points), ``sobol`` (Saltelli's
            scheme for Sobol indices: ``n`` base points, a power of 2, giving
            ``n·(D+2)`` points for D ranges, ``n·(2D+2)`` with ``second_order``) or ``morris``
            (``n`` elementary-effect trajectories on a grid of ``levels`` levels, giving
            ``n·(D+1)`` points).
        n: Points (latin), base points (sobol) or trajectories (morris).
        levels: Values per range (full_factorial) or grid levels (morris, even).
        seed: Seed of the sampler, so the design is reproducible.
        second_order: Sobol only: also sample for second-order indices.
    """

    method: str
    n: int | None = Field(None, ge=1)
    levels: int | None = Field(None, ge=2, le=1000)
    seed: int = Field(0, ge=0, lt=2**32)
    second_order: bool = False

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        if value not in METHODS:
            raise ValueError(_unknown(value, METHODS, "sampler"))
        return value


class SweepSpec(Strict):
    """A parameter sweep, as written in a sweep file (see the module docstring)."""

    kind: Literal["sweep"] = "sweep"
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    base: str = Field(min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)
    steps: int | None = Field(None, ge=1, le=100_000)
    outcomes: list[str] = Field(default_factory=lambda: list(DEFAULT_OUTCOMES), min_length=1)
    outcome_months: int = Field(12, ge=1, le=100_000)
    uncertainties: dict[str, Parameter] = Field(default_factory=dict)
    levers: dict[str, Parameter] = Field(default_factory=dict)
    sampler: Sampler
    seeds: list[Annotated[int, Field(ge=0, lt=2**63)]] = Field(min_length=1)

    @field_validator("outcomes")
    @classmethod
    def _known_outcomes(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in COLUMNS:
                raise ValueError(_unknown(name, COLUMNS, "outcome"))
        if len(set(value)) != len(value):
            raise ValueError("lists an outcome twice")
        return value

    @field_validator("seeds", mode="before")
    @classmethod
    def _seed_count(cls, value: Any) -> Any:
        """``seeds: N`` means the seeds 0, 1, …, N − 1, as ``sim compare --seeds N`` does."""
        if isinstance(value, int) and not isinstance(value, bool):
            if not 1 <= value <= MAX_RUNS:
                raise ValueError(f"a number of seeds must be from 1 to {MAX_RUNS:,} (got "
                                 f"{value}), or a list of seeds such as [0, 1, 2]")
            return list(range(value))
        return value

    @field_validator("seeds")
    @classmethod
    def _distinct_seeds(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("lists a seed twice (each seed is one replication)")
        return value


# --------------------------------------------------------------------------- resolved sweep


@dataclass(frozen=True)
class Param:
    """A varied parameter, resolved from the sweep file.

    Attributes:
        name: Dotted scenario path, also the column name in the results.
        role: ``"uncertainties"`` or ``"levers"``.
        low: Lower end of a range (None for a categorical parameter).
        high: Upper end of a range.
        values: Values of a categorical parameter (None for a range).
        integer: Round sampled values to whole numbers.
        kind: Type of the result column: ``float``, ``int``, ``str``, ``bool`` or ``json``
            (values that are mappings or lists, stored as JSON text).
    """

    name: str
    role: str
    low: float | None
    high: float | None
    values: tuple[Any, ...] | None
    integer: bool
    kind: str

    @property
    def categorical(self) -> bool:
        """True for a list of values, False for a range."""
        return self.values is not None

    @property
    def field(self) -> str:
        """Where the parameter is declared in the sweep file, for error messages."""
        return f"{self.role}.{self.name}"

    def column_value(self, value: Any) -> Any:
        """Return ``value`` as stored in the results column of this parameter."""
        return column_value(self.kind, value)


def column_value(kind: str, value: Any) -> Any:
    """Return a parameter value as stored in a results column of type ``kind``.

    Numbers of a ``float`` column become floats (a list ``[1, 2.5]`` gives one type);
    mappings and lists (``kind`` ``json``) become JSON text; other values are unchanged.
    """
    if kind == "json":
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if kind == "float":
        return float(value)
    return value


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the spec, its base scenario and its parameters.

    Attributes:
        spec: The sweep file's content, validated.
        source: The sweep file (None for a sweep given as a mapping).
        base: The base scenario with ``run.steps`` set to :attr:`steps` (``set`` not applied).
        steps: Months per run.
        params: Varied parameters: uncertainties, then levers, in file order.
    """

    spec: SweepSpec
    source: Path | None
    base: Scenario
    steps: int
    params: tuple[Param, ...]

    @property
    def categorical(self) -> tuple[Param, ...]:
        """Parameters given as lists of values (crossed with the sampled design)."""
        return tuple(p for p in self.params if p.categorical)

    @property
    def ranges(self) -> tuple[Param, ...]:
        """Parameters given as ranges (sampled)."""
        return tuple(p for p in self.params if not p.categorical)

    def groups(self) -> list[dict[str, Any]]:
        """Every combination of the categorical values, the first parameter varying slowest.

        Returns:
            One mapping from categorical parameter to value per combination; a single empty
            mapping when no parameter is categorical.
        """
        cats = self.categorical
        return [dict(zip((p.name for p in cats), combo, strict=True))
                for combo in itertools.product(*(p.values or () for p in cats))]

    def changes(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Return ``set`` plus ``params`` as one override mapping, shallow paths first."""
        from sim.config import ordered_changes

        return ordered_changes({**self.spec.set, **params})

    def scenario(self, params: Mapping[str, Any]) -> Scenario:
        """Return the scenario of a run with the given parameter values (``run.seed`` unset).

        Raises:
            ConfigError: If a value is invalid (the field is the scenario path).
        """
        return self.base.override(self.changes(params))


# --------------------------------------------------------------------------- loading


def load_sweep(source: str | Path | Mapping[str, Any]) -> Sweep:
    """Read, validate and resolve a sweep file.

    Args:
        source: Path of a sweep YAML file, or its content as a mapping (``base`` is then
            resolved against the current directory and the project root).

    Returns:
        The validated :class:`Sweep`.

    Raises:
        ConfigError: One line naming the field, for any problem: a missing file, a YAML
            error, an unknown key (with the near name), ``low ≥ high``, a path that is not a
            scenario parameter, a value the scenario refuses, a sampler that cannot handle
            the parameters, too many runs.
    """
    path: Path | None = None
    if isinstance(source, Mapping):
        data = dict(source)
    else:
        path = Path(source)
        data = read_yaml(path)
        data.setdefault("name", path.stem)
    if data.get("kind", "sweep") != "sweep":
        raise ConfigError("kind", f"must be sweep (got {data.get('kind')!r}); 'sim sweep' "
                                  "takes a sweep file (see 'sim sweep --help'), 'sim run' "
                                  "takes scenarios")
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise _spec_error(exc) from None
    params = _params(spec)
    check_size(spec, params)  # before anything scales with the number of runs
    _check_sampler(spec)
    base = _load_base(spec.base, path)
    steps = spec.steps if spec.steps is not None else base.run.steps
    if steps < 1:
        raise ConfigError("steps", f"must be ≥ 1 (the base scenario has run.steps = {steps})")
    if spec.outcome_months > steps:
        raise ConfigError("outcome_months", f"must be at most steps ({steps}), got "
                                            f"{spec.outcome_months}")
    base = base.override({"run.steps": steps, "run.seed": None})
    sweep = Sweep(spec=spec, source=path, base=base, steps=steps, params=params)
    _check_against_scenario(sweep)
    return sweep


def _load_base(base: str, sweep_file: Path | None) -> Scenario:
    """Load ``base``: a path relative to the current directory, the sweep file or the project.

    A name without a file found is tried as a preset name (``baseline``).
    """
    candidates = [Path(base)]
    if not Path(base).is_absolute():
        if sweep_file is not None:
            candidates.append(sweep_file.parent / base)
        candidates.append(CONFIG_ROOT.parent / base)
    found = next((c for c in candidates if c.is_file()), None)
    try:
        return load_config(found if found is not None else base)
    except ConfigError as exc:
        where = f" [{exc.field}]" if exc.field and exc.field != base else ""
        raise ConfigError("base", f"{exc.message}{where}") from None


def _check_sampler(spec: SweepSpec) -> None:
    """Check the sampler's keys and numbers against its method."""
    s = spec.sampler
    allowed = SAMPLER_KEYS[s.method]
    for key in ("n", "levels", "second_order"):
        if key in s.model_fields_set and key not in allowed:
            raise ConfigError(f"sampler.{key}", f"not used by {s.method}; {s.method} takes "
                                                f"{', '.join((*allowed, 'seed'))}")
    if "n" in allowed and s.n is None:
        raise ConfigError("sampler.n", f"required for {s.method} "
                                       f"({_N_MEANING[s.method]})")
    if s.method == "sobol" and s.n is not None and s.n & (s.n - 1):
        lower = 1 << (s.n.bit_length() - 1)
        raise ConfigError("sampler.n", f"must be a power of 2 for sobol (Saltelli's scheme "
                                       f"needs it), got {s.n}; use {lower} or {lower * 2}")
    if s.method == "morris" and s.levels is not None and s.levels % 2:
        raise ConfigError("sampler.levels", f"must be even for morris (an odd grid biases the "
                                            f"elementary effects), got {s.levels}")


def count_points(spec: SweepSpec, params: tuple[Param, ...]) -> int:
    """Design points of the sampled ranges (one when there is no range), without sampling."""
    s = spec.sampler
    d = sum(1 for p in params if not p.categorical)
    if d == 0:
        return 1
    if s.method == "full_factorial":
        return int(sampler_levels(spec)) ** d
    if s.method == "latin":
        return s.n or 0
    if s.method == "sobol":
        return (s.n or 0) * ((2 * d + 2) if s.second_order else (d + 2))
    return (s.n or 0) * (d + 1)


def count_groups(params: tuple[Param, ...]) -> int:
    """Combinations of the categorical values, each crossed with the whole design."""
    return math.prod(len(p.values or ()) for p in params if p.categorical)


def check_size(spec: SweepSpec, params: tuple[Param, ...]) -> None:
    """Refuse a sweep of more than :data:`MAX_RUNS` runs before anything is planned.

    The error names the field that makes the sweep big (``sampler.n``, ``sampler.levels``,
    the categorical parameters or ``seeds``) and estimates the runs and the manifest's size.

    Raises:
        ConfigError: For more than :data:`MAX_RUNS` runs.
    """
    points, groups, seeds = count_points(spec, params), count_groups(params), len(spec.seeds)
    total = points * groups * seeds
    if total <= MAX_RUNS:
        return
    sampler = "sampler.levels" if spec.sampler.method == "full_factorial" else "sampler.n"
    cats = [p for p in params if p.categorical]
    largest = max([(points, sampler), (groups, cats[0].field if cats else "levers"),
                   (seeds, "seeds")])
    size = total * MANIFEST_BYTES_PER_RUN
    raise ConfigError(largest[1], f"the sweep would have {total:,} runs ({points:,} design "
                                  f"points × {groups:,} combinations of values × {seeds:,} "
                                  f"seeds), more than the {MAX_RUNS:,} a sweep may have (its "
                                  f"manifest alone would take about {_bytes(size)}); lower "
                                  "n, levels, the values or the seeds, or split the sweep")


def _bytes(size: float) -> str:
    """``12 GB``, ``3.4 TB``: a size for messages."""
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if size < 1000 or unit == "PB":
            return f"{size:,.0f} {unit}" if size >= 10 else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.0f} PB"


_N_MEANING = {"latin": "number of points", "sobol": "base points, a power of 2",
              "morris": "number of trajectories"}


def sampler_levels(spec: SweepSpec) -> int:
    """The number of levels the sampler uses (its default when the file gives none)."""
    s = spec.sampler
    return s.levels if s.levels is not None else DEFAULT_LEVELS.get(s.method, 0)


def _params(spec: SweepSpec) -> tuple[Param, ...]:
    """Resolve and check the varied parameters (schema-level checks, no scenario yet)."""
    seen: dict[str, str] = {}
    out = []
    salib = spec.sampler.method in {"sobol", "morris"}
    for role in ROLES:
        for name, p in getattr(spec, role).items():
            field = f"{role}.{name}"
            path = name.replace("__", ".")
            if path != name or not all(path.split(".")):
                raise ConfigError(field, "write the path with dots, e.g. behaviour.weights.face")
            if path in RESERVED:
                raise ConfigError(field, "cannot be varied: runs take their seeds from "
                                         "`seeds` and their length from `steps`")
            if path in seen:
                raise ConfigError(field, f"is also listed under {seen[path]}; list a "
                                         "parameter once")
            if path in spec.set:
                raise ConfigError(field, "is also fixed under set; vary it or fix it, not both")
            seen[path] = role
            out.append(_param(path, role, p, salib))
    if salib and not any(not p.categorical for p in out):
        raise ConfigError("uncertainties", f"{spec.sampler.method} needs at least one range "
                                           "{low: …, high: …} to compute indices for")
    if spec.sampler.method == "latin" and not any(not p.categorical for p in out):
        raise ConfigError("uncertainties", "latin needs at least one range {low: …, high: …}; "
                                           "for lists of values only use full_factorial")
    return tuple(out)


def _param(path: str, role: str, p: Parameter, salib: bool) -> Param:
    """Check one parameter's declaration and find the type of its column."""
    field = f"{role}.{path}"
    if p.categorical:
        for key in ("low", "high"):
            if getattr(p, key) is not None:
                raise ConfigError(f"{field}.{key}", "give either values or low and high, "
                                                    "not both")
        if p.integer:
            raise ConfigError(f"{field}.integer", "applies to ranges only; list whole "
                                                  "numbers under values instead")
        values = tuple(p.values or ())
        texts = [json.dumps(v, sort_keys=True, default=str) for v in values]
        for i, text in enumerate(texts):
            if texts.index(text) != i:
                raise ConfigError(f"{field}.values", f"lists {values[i]!r} twice")
        if role == "uncertainties" and salib:
            raise ConfigError(field, "sobol and morris need ranges {low: …, high: …} for "
                                     "uncertainties; list categorical parameters under levers "
                                     "(they are crossed with the sampled design)")
        return Param(path, role, None, None, values, False, _kind(values))
    for key in ("low", "high"):
        if getattr(p, key) is None:
            raise ConfigError(f"{field}.{key}", "required: a parameter is a range "
                                                "{low: …, high: …} or a list {values: […]}")
    low, high = float(p.low), float(p.high)  # type: ignore[arg-type]
    if low >= high:
        raise ConfigError(f"{field}.high", f"must be greater than low (low = {p.low}, "
                                           f"high = {p.high})")
    if p.integer:
        if salib:
            raise ConfigError(f"{field}.integer", "integer ranges need full_factorial or "
                                                  "latin: rounding breaks the sobol and "
                                                  "morris designs")
        if math.floor(high) < math.ceil(low):
            raise ConfigError(f"{field}.high", f"no whole number lies between low = {p.low} "
                                               f"and high = {p.high}")
    return Param(path, role, low, high, None, p.integer, "int" if p.integer else "float")


def _kind(values: tuple[Any, ...]) -> str:
    """Column type for a list of values: one scalar type, or JSON text."""
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float"
    if all(isinstance(v, str) for v in values):
        return "str"
    return "json"


# --------------------------------------------------------------------------- scenario checks


def _check_against_scenario(sweep: Sweep) -> None:
    """Check that every value the sweep can produce is a valid override of the base.

    ``set`` is checked alone, each categorical value with ``set``, every combination of
    categorical values, and in every combination each range at its low and high ends (and
    at a fractional middle, which an integer field refuses: ``integer: true`` is then
    needed). A path below ``design.institutions.NAME`` must name an institution the design
    has: otherwise the override would silently add it to that design.
    """
    spec = sweep.spec
    for key in spec.set:
        if key.replace("__", ".") in RESERVED:
            raise ConfigError(f"set.{key}", "cannot be set here: use `seeds` and `steps`")
    try:
        sweep.scenario({})
    except ConfigError as exc:
        field = "set"
        for key in spec.set:
            path = key.replace("__", ".")
            if exc.field and (path == exc.field or path.startswith(exc.field + ".")
                              or exc.field.startswith(path + ".")):
                field = f"set.{key}"
                break
        inner = exc.message if field == f"set.{exc.field}" else f"{exc.field}: {exc.message}"
        raise ConfigError(field, inner) from None
    for p in sweep.categorical:
        for i, value in enumerate(p.values or ()):
            _try(lambda p=p, value=value: sweep.scenario({p.name: value}),
                 f"{p.field}.values", f"value {i} ({value!r}) is not valid", p.name)
    for group in sweep.groups():
        label = ", ".join(f"{k}={v!r}" for k, v in group.items())
        where = f" (with {label})" if label else ""
        scn = _try(lambda group=group: sweep.scenario(group), sweep.categorical[0].role
                   if sweep.categorical else "set", f"invalid combination{where}")
        for key in spec.set:
            _check_institution(sweep, key, group, f"set.{key}")
        for p in sweep.categorical:
            _check_institution(sweep, p.name, group, p.field)
        for p in sweep.ranges:
            _check_institution(sweep, p.name, group, p.field)
            for end in ("low", "high"):
                value = getattr(p, end)
                if p.integer:
                    value = math.ceil(value) if end == "low" else math.floor(value)
                _try(lambda scn=scn, p=p, value=value: scn.override({p.name: value}),
                     f"{p.field}.{end}", f"{end} = {value} is not valid{where}", p.name)
            if not p.integer and p.low is not None and p.high is not None:
                middle = (p.low + p.high) / 2
                if middle == int(middle):
                    middle = p.low + (p.high - p.low) * 0.37
                try:
                    scn.override({p.name: middle})
                except ConfigError as exc:
                    raise ConfigError(p.field, f"a value between low and high ({middle:g}) is "
                                               f"not valid: {exc.message}; for a whole-number "
                                               "field add `integer: true`") from None


def _try(build: Any, field: str, context: str, path: str = "") -> Scenario:
    """Call ``build()``; re-raise its ConfigError under the sweep file's ``field``.

    When the scenario refuses ``path`` itself (an unknown key on the way), the error names
    the parameter rather than the value tried.
    """
    try:
        return build()
    except ConfigError as exc:
        if path and _names_path(exc, path):
            where = field.rsplit(".", 1)[0] if field.endswith((".low", ".high", ".values")) \
                else field
            raise ConfigError(where, f"not a scenario parameter: {exc.message}") from None
        inner = f"{exc.field}: {exc.message}" if exc.field else exc.message
        prefix = f"{context}: " if context else ""
        raise ConfigError(field, f"{prefix}{inner}") from None


def _names_path(exc: ConfigError, path: str) -> bool:
    """True if ``exc`` says that ``path`` (not its value) is wrong."""
    parts, at = path.split("."), exc.field.split(".") if exc.field else []
    inside = at == parts[: len(at)]
    return inside and any(text in exc.message for text in (
        "unknown key", "unknown parameter", "not a section", "index must be"))


def _check_institution(sweep: Sweep, path: str, group: Mapping[str, Any], field: str) -> None:
    """Refuse a path below ``design.institutions.NAME`` when the design lacks NAME."""
    parts = path.replace("__", ".").split(".")
    if len(parts) < 4 or parts[:2] != ["design", "institutions"]:
        return
    name = parts[2]
    prefix = f"design.institutions.{name}."

    def keep(key: str) -> bool:
        return not key.replace("__", ".").startswith(prefix)

    before = {k: v for k, v in group.items() if keep(k)}
    scn = sweep.base.override({k: v for k, v in sweep.changes(before).items() if keep(k)})
    if name not in scn.design.institutions:
        has = ", ".join(sorted(scn.design.institutions)) or "none"
        raise ConfigError(field, f"design '{scn.design.name}' has no institution '{name}' "
                                 f"(it has: {has}), so this override would add one; use "
                                 f"designs that have '{name}' or add it under set")


# --------------------------------------------------------------------------- errors


def _spec_error(exc: ValidationError) -> ConfigError:
    """Turn pydantic's most telling error on a sweep file into a one-line ConfigError.

    The rule is :func:`sim.strict.validation_error`'s, the same for every schema.
    """
    return validation_error(exc, _model_at)


def _model_at(loc: list[str]) -> Any:
    """The schema class at a location of a sweep file (None past plain data)."""
    model: Any = SweepSpec
    parts: Iterator[str] = iter(loc)
    for part in parts:
        if model is SweepSpec and part in ROLES:
            next(parts, None)  # the parameter's path
            model = Parameter
        elif model is SweepSpec and part == "sampler":
            model = Sampler
        else:
            return None
    return model
