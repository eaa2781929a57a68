"""Every assumed parameter declares a well-formed prior (issue 11, item 1).

A prior is ``json_schema_extra={"prior": {"low": A, "high": B, "source": S}}`` on a field:
a plausible range, distinct from the validity range (``ge``/``le``) and inside it, that
contains the default. :func:`sim.schema.needs_prior` says which parameters must have one
(every numeric parameter outside :data:`sim.schema.PRIOR_EXEMPT`); these tests check that
each does, that each prior is well-formed, that a cited source is really in the seed it
names, and that running every design at every prior's low end (and, separately, at every
high end) works, which is what makes sampling from the priors safe.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo

from sim import config, priors
from sim.institutions import REGISTRY
from sim.schema import (
    INSTITUTIONS_PATH,
    PRIOR_BASIS_KEYS,
    PRIOR_EXEMPT,
    Param,
    bounds,
    fmt_prior,
    needs_prior,
    no_prior_reason,
    parameters,
    params_of,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
DESIGNS = ("baseline", "nanan_131", "huli_six_party", "chongchuan_plus",
           "kunming_red_courtyard", "pujiang_situation", "pujiang_remedies")
SHARE_COLUMNS = ("contribution_rate", "compliance_rate", "volunteer_rate",
                 "participation_rate", "condition", "trust", "dependence", "grievance")


def field_of(path: str) -> FieldInfo:
    """The pydantic field of a schema parameter, found by its dotted path."""
    parts = path.replace("[]", "").split(".")
    if path.startswith(INSTITUTIONS_PATH + "."):
        return REGISTRY[parts[2]].Params.model_fields[parts[3]]
    model: Any = config.Scenario
    for part in parts[:-1]:
        model = config._field_model(model, part)
    return model.model_fields[parts[-1]]


def missing(params: list[Param]) -> list[str]:
    """Paths of the parameters that need a prior and do not declare one."""
    return [p.path for p in params if needs_prior(p) and p.prior is None]


def problems(param: Param, field: FieldInfo) -> list[str]:
    """What is wrong with a declared prior (an empty list when it is well-formed)."""
    prior = param.prior
    if (not isinstance(prior, dict) or not {"low", "high", "source"} <= set(prior)
            or not set(prior) <= {"low", "high", "source", *PRIOR_BASIS_KEYS}):
        return [f"{param.path}: prior must be {{low, high, source}}, optionally with "
                f"{', '.join(PRIOR_BASIS_KEYS)} (got {prior!r})"]
    for key in PRIOR_BASIS_KEYS:
        if key in prior and (not isinstance(prior[key], str) or not prior[key].strip()):
            return [f"{param.path}: {key} must be a text (got {prior[key]!r})"]
    low, high, source = prior["low"], prior["high"], prior["source"]
    out = []
    kind = int if param.type == "integer" else float
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or type(value) is not kind:
            out.append(f"{param.path}: {name} {value!r} is not {kind.__name__} like the field")
        elif not math.isfinite(value):
            out.append(f"{param.path}: {name} {value!r} is not finite")
    if out:
        return out
    if not low < high:
        out.append(f"{param.path}: low {low} is not below high {high}")
    if not low <= param.value <= high:
        out.append(f"{param.path}: default {param.value} is outside [{low}, {high}]")
    lo, hi = bounds(field.metadata)
    for name, value in (("low", low), ("high", high)):
        if lo and (value < lo[0] or (value == lo[0] and not lo[1])):
            out.append(f"{param.path}: {name} {value} is below the validity range ({lo[0]})")
        if hi and (value > hi[0] or (value == hi[0] and not hi[1])):
            out.append(f"{param.path}: {name} {value} is above the validity range ({hi[0]})")
    if not isinstance(source, str) or not source.strip():
        out.append(f"{param.path}: source must be 'assumption' or a citation")
    return out


def with_prior() -> list[Param]:
    """The schema's parameters that declare a prior."""
    return [p for p in parameters() if p.prior is not None]


# --------------------------------------------------------------------------- declared


def test_every_numeric_parameter_outside_the_exempt_ones_has_a_prior() -> None:
    """A new numeric parameter without a prior fails here, by name."""
    gaps = missing(parameters())
    assert not gaps, "declare json_schema_extra={'prior': {...}} for: " + ", ".join(gaps)
    assert len(with_prior()) >= 120


def test_the_missing_check_names_a_parameter_without_a_prior() -> None:
    """The check can fail: a numeric field without a prior is named; a switch is not."""

    class Demo(BaseModel):
        """Demo section."""

        rate: float = Field(0.1, ge=0, le=1, description="Share per month.")
        kept: float = Field(0.2, ge=0, le=1, description="Share.", json_schema_extra={
            "prior": {"low": 0.1, "high": 0.3, "source": "assumption"}})
        on: bool = Field(True, description="A switch.")

    assert missing(list(params_of(Demo, "demo"))) == ["demo.rate"]


def test_exempt_parameters_exist_have_no_prior_and_say_why() -> None:
    """Each exemption covers some parameter (none is stale), and none of those has a prior."""
    params = parameters()
    for path in PRIOR_EXEMPT:
        covered = [p for p in params if p.path == path or p.path.startswith(path + ".")]
        assert covered, f"PRIOR_EXEMPT names {path}, which is no parameter or section"
        assert all(p.prior is None for p in covered), path
        assert all(no_prior_reason(p) == PRIOR_EXEMPT[path] for p in covered), path
    for p in params:
        assert (p.prior is None) == bool(no_prior_reason(p)) or needs_prior(p), p.path


# --------------------------------------------------------------------------- well-formed


def test_every_prior_is_well_formed() -> None:
    """low < high, default inside, both inside the validity range, the field's type."""
    found = [msg for p in with_prior() for msg in problems(p, field_of(p.path))]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("prior", "wrong"), [
    ({"low": 0.3, "high": 0.2, "source": "assumption"}, "not below high"),
    ({"low": 0.6, "high": 0.9, "source": "assumption"}, "outside"),
    ({"low": -0.1, "high": 0.9, "source": "assumption"}, "below the validity range"),
    ({"low": 0, "high": 1, "source": "assumption"}, "not float"),
    ({"low": 0.1, "high": 0.9}, "must be {low, high, source}"),
    ({"low": 0.1, "high": 0.9, "source": ""}, "source must be"),
])
def test_the_well_formed_check_catches_each_fault(prior: dict[str, Any], wrong: str) -> None:
    """Each rule of :func:`problems` can fail."""

    class Demo(BaseModel):
        """Demo section."""

        share: float = Field(0.5, ge=0, le=1, description="Share.",
                             json_schema_extra={"prior": prior})

    (param,) = params_of(Demo, "demo")
    found = problems(param, Demo.model_fields["share"])
    assert any(wrong in msg for msg in found), found


def test_priors_are_what_sim_priors_reads() -> None:
    """:mod:`sim.priors` reads every declared prior, with the same ends and integer flag."""
    declared = {u.path: u for u in priors.declared()}
    mine = {p.path: p for p in with_prior() if "[]" not in p.path}
    assert set(declared) == set(mine)
    for path, u in declared.items():
        p = mine[path]
        assert (u.low, u.high, u.integer) == (p.prior["low"], p.prior["high"],
                                              p.type == "integer"), path
        assert u.low <= u.value(0.0) and u.value(0.999999) <= u.high, path


def test_a_cited_source_is_in_the_seed_it_names() -> None:
    """No invented citation: ``seed NNN: 文字`` quotes text found in that seed file."""
    cited = [p for p in with_prior() if p.prior["source"] != "assumption"]
    assert cited, "at least the seed-given rules cite their seed"
    for p in cited:
        match = re.match(r"seed (\d{3}): (\S+)", p.prior["source"])
        assert match, f"{p.path}: source {p.prior['source']!r} is neither 'assumption' nor " \
                      "'seed NNN: quoted text'"
        if not SEEDS.is_dir():
            continue
        (seed,) = SEEDS.glob(f"{match[1]}_*.txt")
        assert match[2] in seed.read_text(encoding="utf-8"), (p.path, match[2])


def test_prior_is_shown_in_the_docs_and_by_sim_params() -> None:
    """docs/parameters.md has the prior column and the counts; sim params shows both ends."""
    from sim.params import prior_text

    face = next(p for p in parameters() if p.path == "behaviour.weights.face")
    assert fmt_prior(face) == "[0.75, 2.25] (assumption)"
    assert prior_text(face, "en") == "0.75 to 2.25 (uniform); source: assumption"
    assert "0.75 至 2.25" in prior_text(face, "zh") and "假设" in prior_text(face, "zh")
    docs = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert ("| `behaviour.weights.face` | number | 1.5 | assumed | [0, 100] | "
            "[0.75, 2.25] (assumption) |") in docs
    numeric = [p for p in parameters() if p.type in ("number", "integer")]
    cited = [p for p in with_prior() if p.prior["source"] != "assumption"]
    assert (f"**{len(with_prior())} of {len(numeric)} numeric parameters have a prior; "
            f"{len(cited)} of them cite a source.**") in docs


# --------------------------------------------------------------------------- runs


def ends(which: str) -> dict[str, float | int]:
    """Every declared prior at its low or its high end."""
    return {u.path: (int(getattr(u, which)) if u.integer else getattr(u, which))
            for u in priors.declared()}


@pytest.mark.parametrize("which", ["low", "high"])
@pytest.mark.parametrize("design", DESIGNS)
def test_every_design_runs_with_every_prior_at_one_end(design: str, which: str) -> None:
    """All lows (or all highs) at once are a valid scenario that runs, for every design.

    30 months: past the first assessments (every 3–12 months), a firm's patience (6–18)
    and the first campaign (month 24), so the institutions' rules all act.
    """
    import sim

    scn = sim.load_config(f"configs/designs/{design}.yaml").override(
        {"community": "generic_old_compound"})
    values = ends(which)
    moved = priors.apply(scn, values)
    held = priors.held(scn, values)  # the design's levers stay off (decisions §47)
    for path, value in values.items():
        name = path.removeprefix(INSTITUTIONS_PATH + ".").split(".")[0]
        if path.startswith(INSTITUTIONS_PATH) and name not in scn.design.institutions:
            continue
        if path in held:
            assert priors.value_at(moved, path) == priors.value_at(scn, path), path
            continue
        section, _, leaf = path.rpartition(".")
        node: Any = moved
        for part in section.split("."):
            node = node[part] if isinstance(node, dict) else getattr(node, part)
        got = node[leaf] if isinstance(node, dict) else getattr(node, leaf)
        assert got == value, path
    model = sim.CompoundModel(moved, rng=3)
    model.run(30)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) >= 30
    assert np.isfinite(frame.to_numpy(dtype=float)).all()
    shares = frame[list(SHARE_COLUMNS)].to_numpy()
    assert ((shares >= 0) & (shares <= 1)).all()


def test_mixed_draws_from_the_priors_are_valid_for_every_design() -> None:
    """32 scrambled-Sobol' parameter sets (ends mixed) are accepted by every design.

    The all-low and all-high runs cover the corners; this covers combinations (a high
    ``pass_score`` with a low ``plaque_score``, a low fee with a high fixed cost…), each
    validated by the schema, and the first two run 3 months under the design with the most
    institutions.
    """
    import sim

    sets = priors.sample(priors.declared(), 32, seed=11)
    for design in DESIGNS:
        scn = sim.load_config(f"configs/designs/{design}.yaml").override(
            {"community": "generic_old_compound"})
        moved = [priors.apply(scn, values) for values in sets]
        assert len({m.model_dump_json() for m in moved}) == len(sets), design
        if design == "huli_six_party":
            for one in moved[:2]:
                model = sim.CompoundModel(one, rng=5)
                model.run(3)
                frame = model.datacollector.get_model_vars_dataframe()
                assert np.isfinite(frame.to_numpy(dtype=float)).all()


def test_default_basis_says_sourced_calibrated_or_assumed() -> None:
    """docs/parameters.md's 'default from' (issue 13, item 5): a default is the figure of its
    prior's source, calibrated to targets, or assumed — and a sourced prior does not make a
    default sourced that is not the source's figure."""
    import dataclasses

    from sim.schema import default_basis

    by_path = {p.path: p for p in parameters()}
    assert default_basis(by_path["behaviour.weights.face"]) == "assumed"
    assert default_basis(by_path["design.institutions.party_branch.min_members"]) == \
        "sourced (the prior's source)"
    share = by_path["design.institutions.social_organisation.effective_share"]
    assert share.prior["source"].startswith("seed 004") and default_basis(share) == "assumed"
    assert default_basis(by_path["behaviour.tolerance"]) == ""
    moved = dataclasses.replace(by_path["behaviour.base.volunteer"],
                                prior={**by_path["behaviour.base.volunteer"].prior,
                                       "calibrated": "seeds.yaml + plausible.yaml"})
    assert default_basis(moved) == "calibrated (seeds.yaml + plausible.yaml)"
    assert default_basis(moved, "zh") == "校准得到（seeds.yaml + plausible.yaml）"
    assert default_basis(by_path["behaviour.weights.face"], "zh") == "假设"
