"""One walk over the configuration schema: every parameter with its unit, range and default.

``docs/parameters.md`` (written by ``docs/make_parameters.py``) and the
``sim params`` command both describe the parameters of a scenario; both read
them from :func:`sections`, so the two can never disagree. The walk visits the
pydantic models of :mod:`sim.config` (``Scenario`` and every nested section,
depth-first in declaration order) and the ``Params`` model of every
institution registered in :data:`sim.institutions.REGISTRY`, in name order.

* The range comes from the ``ge``/``gt``/``le``/``lt`` constraints of a field,
  the choices of a ``Literal``, or, for household traits given as a number, a
  list or a distribution (whose bounds are applied when drawing, not in the
  schema), from "in [a, b]" or "≥ a" in the description.
* The unit is inferred from the declared type (``Share`` is "share") and from
  the wording of the description and of the section's docstring; see
  :func:`infer_unit`. A field whose unit cannot be inferred shows "—".
* A field may carry extra data in ``json_schema_extra``: ``label_zh`` (a
  Chinese label) and ``prior``, the plausible range of an uncertain parameter,
  ``{"low": A, "high": B, "source": "assumption"}`` (or a short citation of the
  seed or paper that supports it). Every numeric parameter declares a prior
  except those :data:`PRIOR_EXEMPT` names (inputs such as the community, the
  initial state and the run, and a few borderline cases, each with its
  reason); :func:`needs_prior` is that rule and :func:`no_prior_reason` says
  why a parameter has none. :mod:`sim.priors` samples from the priors;
  ``docs/parameters.md`` and ``sim params`` show them (:func:`fmt_prior`).
"""

from __future__ import annotations

import inspect
import re
import types
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim import config
from sim.distributions import _REQUIRED, Dist
from sim.text import section as text_section

GENERIC = {
    "kind": "Type of the YAML document; fixed.",
    "name": "Identifier.",
    "label_zh": "Chinese name, for figures and reports.",
    "label_en": "English name, for figures and reports.",
    "source": "Where the content comes from (seed file and phrase).",
    "description": "Free text.",
}
"""Descriptions of the bookkeeping fields that the schema leaves undescribed."""

INSTITUTIONS_PATH = "design.institutions"
"""Dotted path of the mapping of institutions in a scenario."""

PRIOR_EXEMPT: dict[str, str] = {
    "community": "community",
    "initial": "initial",
    "run": "run",
    "behaviour.tolerance": "tolerance",
    "matters.types[]": "matter_type",
    f"{INSTITUTIONS_PATH}.renovation_campaign.first": "campaign_timing",
    f"{INSTITUTIONS_PATH}.renovation_campaign.interval": "campaign_timing",
    f"{INSTITUTIONS_PATH}.dynamic_assessment.times": "seed_rule",
}
"""Numeric parameters that declare no prior: a path, or a section (every path below it),
mapped to the key of the reason in the catalogue's ``schema`` section.

A prior is for what we do not know about the world. The community's sizes and make-up,
the initial state and the run are inputs the user chooses; a numerical tolerance is no
assumption about households; each matter type has its own rate and cost (no one default
to put a range around; ``matters.arrival_scale`` carries their uncertainty); campaign
timing fixes the summary windows; and ``dynamic_assessment.times`` is the seed's own rule
(连续两次) in the model's own units.
"""

PRIOR_TEXT: dict[str, dict[str, str]] = text_section("schema")
"""How a prior, or the reason a parameter has none, reads, by language."""


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Param:
    """One leaf parameter of the schema, described as the docs and ``sim params`` show it.

    Attributes:
        path: Dotted name; entries of a list are written ``[]``
            (``community.groups[].households``).
        name: The last part of the path.
        type: A short, plain-English type name (``number``, ``integer``, ``choice``…).
        default: The default as written in YAML, or ``"required"``.
        value: The default value itself (``None`` when required).
        required: Whether the field has no default.
        range: The allowed values, or ``""``.
        unit: The unit, or ``"—"``.
        description: What the parameter means (English).
        section: Path of the section the parameter belongs to.
        label_zh: Chinese label from the field's ``json_schema_extra``, or ``""``.
        prior: The ``prior`` from the field's ``json_schema_extra``
            (``{"low": …, "high": …, "source": …}``), or ``None``.
        institution: The registered institution it belongs to, or ``""``.
    """

    path: str
    name: str
    type: str
    default: str
    value: Any
    required: bool
    range: str
    unit: str
    description: str
    section: str
    label_zh: str = ""
    prior: Any = None
    institution: str = ""


@dataclass(frozen=True)
class Section:
    """A group of parameters: a pydantic model of the schema or one institution.

    Attributes:
        path: Dotted path of the section (``behaviour.weights``, ``scenario`` for the top).
        kind: ``"model"`` for a config section, ``"institutions"`` for the mapping of
            institutions (no parameters of its own), ``"institution"`` for one institution.
        doc: First paragraph of the model's docstring as one line, or ``""``.
        note: What a list-of-sections field requires and holds, or ``""``.
        params: The leaf parameters, in declaration order.
        label_zh: Chinese name of an institution, else ``""``.
        label_en: English name of an institution, else ``""``.
        source: Seed of an institution, else ``""``.
    """

    path: str
    kind: Literal["model", "institutions", "institution"]
    doc: str
    note: str
    params: tuple[Param, ...]
    label_zh: str = ""
    label_en: str = ""
    source: str = ""


# --------------------------------------------------------------------------- formatting


def fmt_number(value: float) -> str:
    """Format a number compactly and deterministically (``0.012``, ``1e-09``, ``3000``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return f"{value:g}"


def fmt_dist(dist: Dist) -> str:
    """Format a distribution as ``normal(mean 0.35, sd 0.15), clip [0, 1]``."""
    args = ", ".join(f"{k} {fmt_number(getattr(dist, k))}" for k in _REQUIRED[dist.dist])
    text = f"{dist.dist}({args})"
    if dist.clip is not None:
        text += f", clip [{fmt_number(dist.clip[0])}, {fmt_number(dist.clip[1])}]"
    return text


def fmt_value(value: Any) -> str:
    """Format a default value as it would be written in YAML."""
    if value is None:
        return "none"
    if isinstance(value, Dist):
        return fmt_dist(value)
    if isinstance(value, bool | int | float):
        return fmt_number(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], BaseModel):
            return f"{len(value)} entries (table below)"
        return "[" + ", ".join(fmt_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{}" if not value else "{…}"
    return str(value)


def plain(doc: str) -> str:
    """First paragraph of a docstring as one markdown line (reST roles become code)."""
    first = doc.split("\n\n")[0].replace("\n", " ")
    first = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", first)
    return first.replace("``", "`")


# --------------------------------------------------------------------------- field facts


def model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """Return ``(section model, is_list)`` if a field holds a nested section.

    Distributions (:class:`~sim.distributions.Dist`) are values, not sections.
    """
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return (None, False) if annotation is Dist else (annotation, False)
    if get_origin(annotation) is list:
        inner = get_args(annotation)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel) and inner is not Dist:
            return inner, True
    return None, False


def declared_annotation(cls: type[BaseModel], name: str) -> str:
    """The annotation of a field as written in the source (e.g. ``"Share"``), or ``""``."""
    for klass in cls.__mro__:
        written = inspect.get_annotations(klass).get(name)
        if written is not None:
            return written if isinstance(written, str) else getattr(written, "__name__", "")
    return ""


def type_name(annotation: Any) -> str:
    """A short, plain-English name of a field type."""
    origin = get_origin(annotation)
    if origin is Literal:
        return "choice"
    if origin in (Union, types.UnionType):
        args = get_args(annotation)
        names = [type_name(a) for a in args if a is not type(None)]
        text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return text + (" or none" if type(None) in args else "")
    if origin is list:
        return f"list of {type_name(get_args(annotation)[0])}s"
    if origin is dict:
        return "mapping"
    simple = {bool: "true/false", int: "integer", float: "number", str: "text",
              Dist: "distribution"}
    if annotation in simple:
        return simple[annotation]
    return getattr(annotation, "__name__", str(annotation))


def bounds(metadata: list[Any]) -> tuple[tuple[float, bool] | None, tuple[float, bool] | None]:
    """Lower and upper bounds ``(value, inclusive)`` from pydantic field metadata."""
    low = high = None
    for item in metadata:
        if isinstance(item, at.Ge):
            low = (item.ge, True)
        elif isinstance(item, at.Gt):
            low = (item.gt, False)
        elif isinstance(item, at.Le):
            high = (item.le, True)
        elif isinstance(item, at.Lt):
            high = (item.lt, False)
    return low, high


def fmt_range(annotation: Any, metadata: list[Any], description: str) -> str:
    """The allowed values of a field, as an interval, a list of choices or ``""``."""
    if get_origin(annotation) is Literal:
        return ", ".join(str(v) for v in get_args(annotation))
    low, high = bounds(metadata)
    if low and high:
        return (("[" if low[1] else "(") + f"{fmt_number(low[0])}, {fmt_number(high[0])}"
                + ("]" if high[1] else ")"))
    if low:
        return ("≥ " if low[1] else "> ") + fmt_number(low[0])
    if high:
        return ("≤ " if high[1] else "< ") + fmt_number(high[0])
    for item in metadata:
        if isinstance(item, at.MinLen):
            return f"≥ {item.min_length} entries"
    # Household traits: bounds are applied when drawing; the description states them.
    match = (re.search(r"in (\[[^\]]+\])", description)
             or re.search(r"(≥ \d+(?:\.\d+)?)", description))
    return match.group(1) if match else ""


def is_share_range(metadata: list[Any]) -> bool:
    """Whether the constraints are exactly ``0 ≤ x ≤ 1``."""
    low, high = bounds(metadata)
    return low == (0, True) and high == (1, True)


def infer_unit(declared: str, annotation: Any, metadata: list[Any], text: str,
               section_doc: str) -> str:
    """Infer a field's unit from its declared type and the wording of its description.

    Args:
        declared: The annotation as written in the source (``"Share"``, ``"NonNeg"``…).
        annotation: The resolved annotation.
        metadata: The field's constraints.
        text: The field's description.
        section_doc: The docstring of the section (model) the field belongs to.

    Returns:
        A unit such as ``"share"``, ``"share/month"``, ``"yuan/household/month"``,
        ``"months"``, ``"utility"``, ``"households"``, or ``"—"`` if none applies.
    """
    t, doc = text.lower(), section_doc.lower()
    if annotation in (bool, str) or get_origin(annotation) is Literal:
        return "—"
    per_month = ("per month" in t or "monthly" in t.replace("monthly income", "")
                 or "per month" in doc)
    if "yuan per household per month" in t:
        return "yuan/household/month"
    if "yuan per household" in t:
        return "yuan/household"
    if "yuan" in t:
        return "yuan"
    if "per 100 households per month" in t:
        return "matters/100 households/month"
    if (declared == "Share" or is_share_range(metadata) or t.startswith(("share", "probab"))
            or "in [0, 1]" in t):
        return "share/month" if per_month else "share"
    if re.search(r"\bmonths\b", t):
        return "months"
    if t.startswith("month of"):
        return "month"
    if (t.startswith("weight") or "temperature" in t or "tolerance" in t or "utility" in t
            or "utility" in doc):
        return "utility"
    if t.startswith("speed-up per unit"):
        return "factor per unit share"
    if t.startswith("multiplies") or "factor" in t:
        return "factor"
    if "ties per household" in t:
        return "ties/household"
    if t.startswith("log-scale"):
        return "ln(yuan)"
    if "public spirit" in t:
        return "share"
    # Counts: "Number of compounds …", "Households per compound", "Stairwell units (单元) per …".
    match = (re.match(r"number of (\w+)", t)
             or re.match(r"([a-z]+(?: [a-z]+)?) (?:\([^)]*\) )?(?:per|that)\b", t))
    return match.group(1) if match else "—"


def default_of(field: FieldInfo) -> Any:
    """The default value of a field that has one (calling its factory if needed)."""
    if field.default_factory is not None:
        return field.default_factory()
    return field.default


def extra_of(field: FieldInfo) -> dict[str, Any]:
    """The field's ``json_schema_extra`` when it is a mapping (``label_zh``, ``prior``)."""
    extra = field.json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


# --------------------------------------------------------------------------- the walk


def params_of(cls: type[BaseModel], section: str, institution: str = "") -> tuple[Param, ...]:
    """The leaf parameters of one section (nested sections and mappings are left out).

    Args:
        cls: The pydantic model of the section.
        section: The section's dotted path (``"scenario"`` for the top level, whose
            parameters have no prefix).
        institution: The registered name when ``cls`` is an institution's ``Params``.
    """
    section_doc = inspect.getdoc(cls) or ""
    prefix = f"{section}." if section != "scenario" else ""
    out = []
    for name, field in cls.model_fields.items():
        if model_of(field.annotation)[0] is not None or get_origin(field.annotation) is dict:
            continue
        description = field.description or GENERIC.get(name) or (
            f"For `{name}`; see the section note.")
        required = field.is_required()
        value = None if required else default_of(field)
        extra = extra_of(field)
        out.append(Param(
            path=f"{prefix}{name}", name=name, type=type_name(field.annotation),
            default="required" if required else fmt_value(value), value=value,
            required=required,
            range=fmt_range(field.annotation, field.metadata, description),
            unit=infer_unit(declared_annotation(cls, name), field.annotation, field.metadata,
                            description, section_doc),
            description=description, section=section, label_zh=str(extra.get("label_zh", "")),
            prior=extra.get("prior"), institution=institution))
    return tuple(out)


def list_note(field: FieldInfo) -> str:
    """What a list-of-sections field requires and holds by default."""
    parts = ["A list, one entry per item, each with the fields below"]
    low = [m.min_length for m in field.metadata if isinstance(m, at.MinLen)]
    if field.is_required():
        parts.append("required" + (f", at least {low[0]} entry" if low else ""))
    else:
        parts.append(f"default: {fmt_value(default_of(field))}")
    return "; ".join(parts) + "."


def _walk(cls: type[BaseModel], path: str, note: str = "") -> list[Section]:
    """The section of a model and, depth-first, every section nested in it."""
    doc = inspect.getdoc(cls) or ""
    out = [Section(path=path, kind="model", doc=plain(doc) if doc else "", note=note,
                   params=params_of(cls, path))]
    for name, field in cls.model_fields.items():
        inner, is_list = model_of(field.annotation)
        child = f"{name}" if path == "scenario" else f"{path}.{name}"
        if inner is not None and is_list:
            out += _walk(inner, child + "[]", list_note(field))
        elif inner is not None:
            out += _walk(inner, child)
        elif get_origin(field.annotation) is dict and cls is config.Design:
            out += _institutions(child)
    return out


def _institutions(path: str) -> list[Section]:
    """The mapping of institutions, then one section per registered institution."""
    from sim.institutions import REGISTRY

    out = [Section(path=path, kind="institutions",
                   doc="Maps registered institution names to their parameters; a design "
                       "lists the institutions it has. Registered now: "
                       + ", ".join(f"`{n}`" for n in sorted(REGISTRY)) + ".",
                   note="", params=())]
    for name in sorted(REGISTRY):
        inst = REGISTRY[name]
        doc = inspect.getdoc(inst) or ""
        out.append(Section(path=f"{path}.{name}", kind="institution",
                           doc=plain(doc) if doc else "", note="",
                           params=params_of(inst.Params, f"{path}.{name}", institution=name),
                           label_zh=inst.label_zh, label_en=inst.label_en, source=inst.source))
    return out


def sections() -> list[Section]:
    """Every section of a scenario, in the order of ``docs/parameters.md``."""
    return _walk(config.Scenario, "scenario")


def parameters() -> list[Param]:
    """Every leaf parameter of a scenario, institutions' included, in section order."""
    return [p for s in sections() for p in s.params]


# --------------------------------------------------------------------------- priors


def is_numeric(param: Param) -> bool:
    """Whether a parameter is one number (``number`` or ``integer``, not a list or trait)."""
    return param.type in ("number", "integer")


def exempt_reason(param: Param) -> str:
    """The key of :data:`PRIOR_EXEMPT` that covers a parameter's path, or ``""``."""
    for path, reason in PRIOR_EXEMPT.items():
        if param.path == path or param.path.startswith(path + "."):
            return reason
    return ""


def needs_prior(param: Param) -> bool:
    """Whether a parameter must declare a prior: numeric and not exempt."""
    return is_numeric(param) and not exempt_reason(param)


def no_prior_reason(param: Param) -> str:
    """Why a parameter has no prior: a key of the catalogue's ``schema`` section.

    ``""`` when it has one, or when it needs one and lacks it (a gap that
    ``tests/test_priors_declared.py`` reports).
    """
    if param.prior is not None:
        return ""
    if reason := exempt_reason(param):
        return reason
    if is_numeric(param):
        return ""
    return "trait" if param.type.startswith("number, list") else "not_uncertain"


PRIOR_BASIS_KEYS = ("calibrated", "default_source")
"""Optional keys of a prior beside ``low``, ``high`` and ``source``: where its default comes
from when that is not the prior's source (:func:`default_basis`)."""


def default_basis(param: Param, lang: str = "en") -> str:
    """Where a parameter's default comes from (issue 13, item 5), or ``""`` without a prior.

    *calibrated* when the prior records the calibration that moved the default (its
    ``calibrated`` key: the targets files and where the record is, docs/calibration.md);
    *sourced* when the default is the figure of the prior's cited source; *assumed* when the
    prior's source is ``assumption``, or when the prior is sourced but the default is not
    the source's figure (its ``default_source`` key says ``assumption``: a design that
    cultivates social organisations has them all working, the seed's under 10 % is the
    prior's low end). Parameters without a prior (inputs, switches, the exempt) have no
    default to account for here.
    """
    prior = param.prior
    if not isinstance(prior, dict):
        return ""
    t = PRIOR_TEXT[lang]
    if prior.get("calibrated"):
        return t["basis_calibrated"].format(how=prior["calibrated"])
    source = str(prior.get("default_source", prior.get("source", "assumption")))
    return t["basis_assumed"] if source == "assumption" else t["basis_sourced"]


def fmt_prior(param: Param) -> str:
    """A declared prior as ``[0.5, 1.5] (assumption)``, or ``""`` when there is none."""
    prior = param.prior
    if not isinstance(prior, dict):
        return ""
    return (f"[{fmt_number(prior['low'])}, {fmt_number(prior['high'])}] "
            f"({prior.get('source', 'assumption')})")
