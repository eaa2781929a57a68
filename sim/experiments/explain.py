"""``sim explain DESIGN --vs REF``: why a design works, institution by institution and by mechanism.

A comparison says *that* DESIGN differs from REF; an explanation says *why*, in two ways.

**Institutions.** The *players* are what differs between the two scenarios:

- each institution of DESIGN that REF lacks (``added``: adding it with DESIGN's parameters);
- each institution of REF that DESIGN lacks (``removed``: removing it);
- each institution of both with other parameters (``changed``: DESIGN's parameters);
- every other differing setting of the scenarios, as one player ``other`` (its sections
  ``behaviour``, ``economy``, … taken from DESIGN).

A coalition ``S`` of players is REF with the changes of ``S`` (:func:`coalition_scenario`):
``S = ∅`` is REF's scenario and ``S = all`` is DESIGN's, exactly (``to_dict()`` equal;
descriptive fields — names, labels — are REF's for the coalitions in between). Where an
institution needs another (:mod:`sim.institutions.prerequisites`) only coalitions closed
under that need are run, and the attribution is the one of a game with precedence
constraints (:mod:`sim.experiments.attribution`): knock-out, knock-in and the Shapley
value of each player, exact over every feasible coalition up to eight players. A need
counts between players only where both endpoints respect it: an added institution needs
the added institution it depends on (it is added first), and a removed one must be removed
before (with) the institution that needs it.

**Mechanisms.** Each mechanism of :mod:`sim.mechanisms` that applies to REF or DESIGN is
switched off in both (its ``--set`` values; values of institutions a scenario lacks are
skipped), and its attribution is the design's total effect minus the effect with it off,
over the same parameter sets and seeds (the ``knock_out`` column of its rows).

**Uncertainty.** Every coalition and every mechanism switch runs with the same ``N``
parameter sets (drawn once from the priors of every parameter that applies to any of them,
:func:`sim.priors.sample`; a parameter a switch sets keeps the switch's value in that
switch's runs) and the same ``K`` seeds, so every difference is paired. Each answer is
computed per parameter set and seed; ``attribution.csv`` gives its mean, the 2.5–97.5 %
percentiles over parameter sets of its per-set mean (``*_params_low/high``: where the
answer lies across the prior) and the interval of the mean from seed noise alone
(``*_seeds_low/high``, pooled within parameter sets), with
:func:`sim.experiments.intervals.percentile_spread` and ``seed_interval``. Each run's outcome
is its mean over the comparison's window (:func:`sim.experiments.comparison.window_means`,
campaign months left out).

The runs are a sweep's (plan :func:`sim.experiments.sampling.crossed_plan` → executor
:class:`~sim.experiments.executors.Executor` → one part file per run and a manifest of the
sweep format with ``"command": "explain"``), so an explanation runs on local processes or a
Dask cluster (``--scheduler``) with the same results, continues after a kill
(``--resume``), and its runs are read by :func:`sim.load_results`.

Outputs in DIR: ``attribution.csv``, ``figures/waterfall-<outcome>.png``, ``explain.html``
(self-contained), ``manifest.json`` and ``runs/``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError
from sim.text import section

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from sim.config import Scenario
    from sim.experiments.attribution import Attribution, Coalition, Game
    from sim.experiments.executors import Job
    from sim.experiments.sampling import Plan
    from sim.mechanisms import Mechanism
    from sim.output import Output

COMMAND = "explain"
"""The command recorded in ``manifest.json``."""

ATTRIBUTION = "attribution.csv"
HTML = "explain.html"
FIGURES = "figures"
MANIFEST = "manifest.json"
OWN_FILES = (HTML, ATTRIBUTION, f"{FIGURES}/*.png", MANIFEST, "runs/part-*.parquet")
"""The files ``sim explain`` writes: ``--force`` replaces only a directory holding no others."""
OUTPUT_FILES = (HTML, ATTRIBUTION, f"{FIGURES}/", MANIFEST, "runs/")

VARIANT = "variant"
"""The explanation's categorical parameter: which coalition or mechanism switch a run is."""
PARAM_SET = "param_set"
"""The number of a run's parameter set (a column of every part file)."""

DEFAULT_UNCERTAINTY = 32
DEFAULT_SEEDS = 4
DEFAULT_OUTCOMES = ("condition", "petitions", "self_funded_share")
DEFAULT_PERMUTATIONS = 24
"""Orderings sampled for Shapley values above eight players: each costs up to one coalition
per player (× parameter sets × seeds runs), so a few dozen; the Monte-Carlo error of each
value is in ``attribution.csv`` (``shapley_mc_error``)."""
OTHER = "other"
"""The player of every differing setting that is not an institution."""

TOLERANCE = 1e-9
"""Largest |Σ Shapley − total effect| accepted, per parameter set and seed."""

DESCRIPTIVE = ("kind", "name", "description")
"""Top-level fields of a scenario that describe it and change no result."""

REPRODUCE = ("A run's scenario is its variant's resolved scenario in group_configs with the "
             "run's parameter set applied by sim.priors.apply (values of institutions it "
             "lacks skipped); the model is CompoundModel(scenario, rng=seed).")

TEXT: dict[str, dict[str, str]] = section("explain")
"""Messages, labels and sentences of an explanation, by language."""


# --------------------------------------------------------------------------- players


@dataclass(frozen=True)
class Player:
    """One difference between REF and DESIGN.

    Attributes:
        name: The institution's registered name, or :data:`OTHER`.
        kind: ``added``, ``removed``, ``changed`` or ``other``.
    """

    name: str
    kind: str

    def label(self, lang: str) -> str:
        """The player's name in ``lang``: the institution's label, or "other settings"."""
        if self.kind == OTHER:
            return TEXT[lang]["other_settings"]
        from sim.institutions.registry import REGISTRY

        cls = REGISTRY[self.name]
        text = (cls.label_zh if lang == "zh" else cls.label_en) or self.name
        return text if self.kind == "added" else TEXT[lang][f"kind_{self.kind}"].format(
            name=text)


def _institutions(scenario: Scenario) -> dict[str, Any]:
    return dict(scenario.to_dict()["design"]["institutions"])


def _other_sections(ref: dict[str, Any], design: dict[str, Any]) -> list[str]:
    """The sections besides descriptive fields and the design in which the scenarios differ."""
    keys = [k for k in design if k not in DESCRIPTIVE and k != "design"]
    return [k for k in keys if ref.get(k) != design.get(k)]


def players_of(ref: Scenario, design: Scenario) -> list[Player]:
    """The players: added, removed, changed institutions, then ``other`` if anything else differs.

    Raises:
        ConfigError: (field ``--vs``) when the scenarios do not differ at all.
    """
    r, d = _institutions(ref), _institutions(design)
    out = [Player(n, "added") for n in d if n not in r]
    out += [Player(n, "removed") for n in r if n not in d]
    out += [Player(n, "changed") for n in d if n in r and r[n] != d[n]]
    if _other_sections(ref.to_dict(), design.to_dict()):
        out.append(Player(OTHER, OTHER))
    if not out:
        raise ConfigError("--vs", "DESIGN and REF run the same scenario on this community: "
                                  "there is no difference to explain")
    return out


def game_of(players: Sequence[Player]) -> Game:
    """The players' game: who needs whom, by :data:`sim.institutions.prerequisites.NEEDS`.

    An added institution needs the added institutions it depends on; a removed one that a
    removed institution depends on needs that one removed first (removing ``y`` takes ``x``
    with it). Needs on an institution present in every coalition (in both scenarios) are
    always met, and needs that an endpoint does not meet itself are not imposed.
    """
    from sim.experiments.attribution import Game
    from sim.institutions.prerequisites import needs

    added = {p.name for p in players if p.kind == "added"}
    removed = {p.name for p in players if p.kind == "removed"}
    by_kind = {(p.kind, p.name): p for p in players}
    edges: dict[str, set[str]] = {}
    for p in players:
        for y in needs(p.name):
            if p.kind == "added" and y in added:
                edges.setdefault(_key(p), set()).add(_key(by_kind[("added", y)]))
            if p.kind == "removed" and y in removed:  # removing y needs x removed: y needs x
                edges.setdefault(_key(by_kind[("removed", y)]), set()).add(_key(p))
    return Game(tuple(_key(p) for p in players),
                {k: frozenset(v) for k, v in edges.items()})


def _key(player: Player) -> str:
    """The player's name in the game and in ``attribution.csv``."""
    return player.name


def coalition_scenario(ref: Scenario, design: Scenario, players: Sequence[Player],
                       coalition: Coalition) -> Scenario:
    """REF with the changes of the players in ``coalition``.

    Institutions are listed in DESIGN's order (REF's for the empty coalition), those of REF
    only after them; descriptive fields are REF's, with a name listing the coalition,
    except for the full coalition, which is DESIGN's scenario exactly.
    """
    from sim.config import scenario_from_dict

    r, d = ref.to_dict(), design.to_dict()
    members = {p.name: p for p in players if p.name in coalition}
    out = copy.deepcopy(r)
    if OTHER in members:
        for key in _other_sections(r, d):
            out[key] = copy.deepcopy(d[key])
    ri, di = r["design"]["institutions"], d["design"]["institutions"]
    order = list(ri) if not coalition else [*di, *(n for n in ri if n not in di)]
    institutions = {}
    for name in order:
        player = members.get(name)
        if name in ri and name in di:
            institutions[name] = di[name] if player is not None else ri[name]
        elif name in di:
            if player is not None:
                institutions[name] = di[name]
        elif player is None:
            institutions[name] = ri[name]
    out["design"]["institutions"] = copy.deepcopy(institutions)
    if len(coalition) == len(players) and players:
        for key in DESCRIPTIVE:
            out[key] = d[key]
        out["design"] = {**copy.deepcopy(d["design"]), "institutions": out["design"][
            "institutions"]}
    elif coalition:
        joined = "+".join(p.name for p in players if p.name in coalition)
        out["name"] = f"{r['name']}+{joined}"
    return scenario_from_dict(out)


# --------------------------------------------------------------------------- variants


@dataclass
class Variant:
    """One scenario an explanation runs: a coalition, or a mechanism switched off.

    Attributes:
        key: Its name in the ``variant`` column.
        scenario: Its resolved scenario.
        overrides: Values every run of it keeps whatever the parameter set (a switch's).
        roles: What it stands for: ``("coalition", "a+b")``, ``("off", "face", "design")``.
    """

    key: str
    scenario: Scenario
    overrides: dict[str, Any] = field(default_factory=dict)
    roles: list[tuple[str, ...]] = field(default_factory=list)


def coalition_key(players: Sequence[Player], coalition: Coalition) -> str:
    """``ref``, ``design`` or the players of a coalition joined by ``+``, in player order."""
    if not coalition:
        return "ref"
    if len(coalition) == len(players):
        return "design"
    return "+".join(p.name for p in players if p.name in coalition)


def build_variants(ref: Scenario, design: Scenario, players: Sequence[Player],
                   coalitions: Sequence[Coalition],
                   mechanisms: Sequence[Mechanism]) -> tuple[list[Variant],
                                                             dict[tuple[str, ...], int]]:
    """Every scenario to run, each once, and which variant each role runs as.

    Returns:
        ``(variants, where)``: ``where[("coalition", key)]`` and
        ``where[("off", mechanism, "ref" | "design")]`` index ``variants``. Two roles with the
        same scenario and overrides (a switch that changes nothing in REF, say) share a
        variant.
    """
    from sim.experiments.executors import fingerprint
    from sim.mechanisms import applies, switch_off

    variants: list[Variant] = []
    seen: dict[str, int] = {}
    where: dict[tuple[str, ...], int] = {}

    def add(role: tuple[str, ...], key: str, scn: Scenario, overrides: dict[str, Any]) -> None:
        print_ = fingerprint(scn.to_dict(), overrides)
        if print_ not in seen:
            seen[print_] = len(variants)
            variants.append(Variant(key, scn, overrides))
        index = seen[print_]
        variants[index].roles.append(role)
        where[role] = index

    for c in coalitions:
        key = coalition_key(players, c)
        add(("coalition", key), key, coalition_scenario(ref, design, players, c), {})
    for mech in mechanisms:
        if not (applies(ref, mech) or applies(design, mech)):
            continue
        for side, scn in (("ref", ref), ("design", design)):
            off = switch_off(scn, mech) if applies(scn, mech) else scn
            overrides = ({path: value for path, value in mech.switch.items()}
                         if off is not scn else {})
            add(("off", mech.name, side), f"{side}-{mech.name}-off", off, overrides)
    return variants, where


def applied_mechanisms(ref: Scenario, design: Scenario, names: Sequence[str] | None = None,
                       ) -> list[Mechanism]:
    """The mechanisms that apply to REF or DESIGN (all of :data:`MECHANISMS`, or ``names``)."""
    from sim.mechanisms import MECHANISMS, applies, mechanism

    chosen = list(MECHANISMS) if names is None else [mechanism(n) for n in names]
    return [m for m in chosen if applies(ref, m) or applies(design, m)]


# --------------------------------------------------------------------------- plan


@dataclass
class Study:
    """Everything an explanation runs and how its answers are made.

    Attributes:
        ref_key: REF as given.
        design_key: DESIGN as given.
        ref: REF's resolved scenario.
        design: DESIGN's resolved scenario.
        players: The players.
        game: Their game.
        coalitions: The coalitions run.
        mechanisms: The mechanisms switched off.
        variants: Every scenario run.
        where: Which variant each role runs as.
        uncertain: The uncertain parameters (:class:`sim.priors.Uncertainty`).
        param_sets: The parameter sets.
        seeds: The seeds.
        months: The months averaged per run.
        method: How the parameter sets were drawn.
        sample_seed: Seed of the parameter sets.
        outcomes: The outcomes explained.
        max_exact: Most players for exact Shapley values.
        permutations: Orderings sampled above ``max_exact`` players.
        posterior: What :func:`sim.posterior.provenance` records of the ``sim calibrate``
            posterior the calibrated parameters were drawn from, or None (priors alone).
    """

    ref_key: str
    design_key: str
    ref: Scenario
    design: Scenario
    players: list[Player]
    game: Game
    coalitions: list[Coalition]
    mechanisms: list[Mechanism]
    variants: list[Variant]
    where: dict[tuple[str, ...], int]
    uncertain: tuple[Any, ...]
    param_sets: list[dict[str, Any]]
    seeds: list[int]
    months: tuple[int, ...]
    method: str
    sample_seed: int
    outcomes: tuple[str, ...]
    max_exact: int = 8
    permutations: int = 2000
    posterior: dict[str, Any] | None = None

    @property
    def steps(self) -> int:
        """Months per run."""
        return int(self.ref.run.steps)

    @property
    def n_runs(self) -> int:
        """Runs in all."""
        return len(self.variants) * len(self.param_sets) * len(self.seeds)


def check_outcomes(outcomes: Sequence[str]) -> tuple[str, ...]:
    """The outcomes, each a model column once.

    Raises:
        ConfigError: (field ``--outcomes``) for none or an unknown one, naming the columns.
    """
    from sim.metrics import COLUMNS

    names = tuple(dict.fromkeys(o.strip() for o in outcomes if o.strip()))
    if not names:
        raise ConfigError("--outcomes", f"give at least one of {', '.join(COLUMNS)}")
    for name in names:
        if name not in COLUMNS:
            import difflib

            near = difflib.get_close_matches(name, list(COLUMNS), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise ConfigError("--outcomes", f"unknown outcome '{name}'{hint} (outcomes: "
                                            f"{', '.join(COLUMNS)})")
    return names


def _whole(value: Any, field_name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(field_name, f"must be a whole number ≥ {low} (got {value!r})")
    return value


def build_study(design: str, ref: str, *, community: str | None = None,
                steps: int | None = None, uncertainty: int = DEFAULT_UNCERTAINTY,
                seeds: Sequence[int] = tuple(range(DEFAULT_SEEDS)), method: str = "sobol",
                sample_seed: int = 0, mechanisms: bool | Sequence[str] = True,
                outcomes: Sequence[str] = DEFAULT_OUTCOMES, max_exact: int | None = None,
                permutations: int | None = None,
                posterior: str | Path | None = None) -> Study:
    """Resolve the designs and work out every run of an explanation (nothing is run).

    Args:
        design: DESIGN (a design file or preset).
        ref: REF, the reference.
        community: Community for both (a preset or file), or None for theirs (which must agree).
        steps: Months per run, or None for the designs' ``run.steps``.
        uncertainty: Parameter sets ``N``.
        seeds: The seeds.
        method: ``sobol`` or ``lhs`` (:data:`sim.priors.METHODS`).
        sample_seed: Seed of the parameter sets.
        mechanisms: True for every applicable mechanism, False for none, or their names.
        outcomes: Model columns to explain.
        max_exact: Most players for exact Shapley values (default
            :data:`sim.experiments.attribution.MAX_EXACT`).
        permutations: Orderings sampled above it.
        posterior: A ``sim calibrate`` output directory: the parameters it calibrated are
            drawn from its posterior, the others from their priors
            (:func:`sim.posterior.parameter_sets`; ``--posterior``).

    Raises:
        ConfigError: For bad designs, community, sizes or outcomes, designs that do not
            differ, runs too many for the memory (before any parameter set is drawn),
            or (field ``--posterior``) a directory without a finished calibration of any
            of the uncertain parameters.
    """
    from sim.experiments import attribution
    from sim.experiments.compare import check_resources, resolve_designs
    from sim.posterior import parameter_sets, provenance
    from sim.priors import METHODS, uncertainties

    names = check_outcomes(outcomes)
    _whole(uncertainty, "--uncertainty", 1)
    seed_list = [_whole(s, "--seeds", 0) for s in seeds]
    if not seed_list:
        raise ConfigError("--seeds", "must be at least 1 (got 0)")
    if method not in METHODS:
        raise ConfigError("--uncertainty-method", f"must be one of {', '.join(METHODS)} "
                                                  f"(got {method!r})")
    _whole(sample_seed, "--uncertainty-seed", 0)
    if design == ref:
        raise ConfigError("--vs", f"DESIGN and REF are both '{design}': give the reference "
                                  "to explain DESIGN against (e.g. --vs baseline)")
    arms = resolve_designs([ref, design], community, (), steps)
    ref_scn, design_scn = arms[0].scenario, arms[1].scenario
    players = players_of(ref_scn, design_scn)
    game = game_of(players)
    exact = attribution.MAX_EXACT if max_exact is None else max_exact
    m = DEFAULT_PERMUTATIONS if permutations is None else _whole(permutations,
                                                                "--permutations", 2)
    coalitions = attribution.needed_coalitions(game, max_exact=exact, permutations=m, seed=0)
    mechs = (applied_mechanisms(ref_scn, design_scn) if mechanisms is True
             else [] if mechanisms is False
             else applied_mechanisms(ref_scn, design_scn, list(mechanisms)))
    variants, where = build_variants(ref_scn, design_scn, players, coalitions, mechs)
    params = uncertainties([v.scenario for v in variants])
    steps_ = int(ref_scn.run.steps)
    check_resources(len(variants), len(seed_list), steps_, ref_scn.community.n_households, 1,
                    n_sets=uncertainty, arms="variants")
    found = provenance(posterior, [u.path for u in params]) if posterior is not None else None
    sets = parameter_sets(params, uncertainty, sample_seed, method,
                          found["dir"] if found else None)
    from sim.experiments.comparison import WINDOW, averaged_months, study_campaign_months

    excluded = study_campaign_months([v.scenario for v in variants], steps_, sets)
    study = Study(ref_key=ref, design_key=design, ref=ref_scn, design=design_scn,
                  players=players, game=game, coalitions=coalitions, mechanisms=mechs,
                  variants=variants, where=where, uncertain=params, param_sets=sets,
                  seeds=seed_list, months=averaged_months(steps_, WINDOW, excluded),
                  method=method, sample_seed=sample_seed, outcomes=names, max_exact=exact,
                  permutations=m, posterior=found)
    return study


def study_plan(study: Study) -> Plan:
    """The runs: every variant × every parameter set × every seed (paired).

    In a mechanism's switched-off variants, the switch's values replace the parameter set's
    values of the same paths, so a prior never switches a mechanism back on.
    """
    from sim.experiments.sampling import crossed_plan

    plan = crossed_plan([{VARIANT: v.key} for v in study.variants], study.param_sets,
                        study.seeds, index=PARAM_SET)
    by_sample: dict[int, dict[str, Any]] = {}
    for sample in plan.samples:
        overrides = study.variants[sample["group"]].overrides
        kept = {k: v for k, v in overrides.items() if k in sample["params"]}
        if kept:
            sample["params"] = {**sample["params"], **kept}
        by_sample[sample["sample"]] = sample["params"]
    for run in plan.runs:
        run["params"] = by_sample[run["sample"]]
    return plan


def study_job(study: Study, out: str | Path) -> Job:
    """The :class:`~sim.experiments.executors.Job`: groups are the variants' scenarios."""
    from sim.experiments.executors import Job, fingerprint

    groups = tuple(v.scenario.to_dict() for v in study.variants)
    ranges = tuple(u.path for u in study.uncertain)
    kinds = tuple((u.path, "int" if u.integer else "float") for u in study.uncertain)
    return Job(key=fingerprint(COMMAND, groups, ranges, study.steps), out=os.path.abspath(out),
               steps=study.steps, groups=groups, ranges=ranges,
               params=((VARIANT, "str"), (PARAM_SET, "int"), *kinds), uncertain=True)


def spec_of(study: Study) -> dict[str, Any]:
    """The arguments that decide the runs (``--resume`` refuses others)."""
    return {"design": study.design_key, "vs": study.ref_key,
            "community": study.ref.community.name, "steps": study.steps,
            "uncertainty": len(study.param_sets), "method": study.method,
            "uncertainty_seed": study.sample_seed, "seeds": list(study.seeds),
            "mechanisms": [m.name for m in study.mechanisms],
            "outcomes": list(study.outcomes),
            "shapley": ("exact" if len(study.players) <= study.max_exact
                        else f"{study.permutations} sampled orderings"),
            **({"posterior": study.posterior} if study.posterior else {})}


def study_manifest(study: Study, plan: Plan, runs: Sequence[dict[str, Any]], *,
                   command: str, lang: str) -> dict[str, Any]:
    """The manifest: the sweep format, with what the explanation is made of."""
    from sim.experiments.storage import stored_manifest

    params = [{"name": VARIANT, "role": "levers", "low": None, "high": None,
               "values": [v.key for v in study.variants], "integer": False, "kind": "str"},
              {"name": PARAM_SET, "role": "uncertainty", "low": 0,
               "high": len(study.param_sets) - 1, "values": None, "integer": True,
               "kind": "int"}]
    params += [{"name": u.path, "role": "uncertainty", "low": u.low, "high": u.high,
                "values": None, "integer": u.integer, "kind": "int" if u.integer else "float"}
               for u in study.uncertain]
    c = study.ref.community
    return stored_manifest(
        COMMAND, name=f"explain-{study.design.design.name}-vs-{study.ref.design.name}",
        spec=spec_of(study), steps=study.steps, outcome_months=len(study.months),
        params=params, plan=plan, runs=runs, base_config=study.ref.to_dict(),
        group_configs=[v.scenario.to_dict() for v in study.variants], reproduce=REPRODUCE,
        command_line=command,
        community={"name": c.name, "label_zh": c.label_zh, "label_en": c.label_en,
                   "households": c.n_households, "compounds": c.n_compounds},
        explain={
            "players": [{"name": p.name, "kind": p.kind, "label_zh": p.label("zh"),
                         "label_en": p.label("en")} for p in study.players],
            "needs": {k: sorted(v) for k, v in study.game.needs.items()},
            "coalitions": [coalition_key(study.players, c) for c in study.coalitions],
            "mechanisms": [{"name": m.name, "switch": dict(m.switch)} for m in study.mechanisms],
            "roles": {v.key: [list(r) for r in v.roles] for v in study.variants},
            "uncertainty": {"n": len(study.param_sets), "method": study.method,
                            "seed": study.sample_seed,
                            "parameters": [u.as_dict() for u in study.uncertain],
                            "held": _held(study),
                            **({"posterior": study.posterior} if study.posterior else {})},
            "months": list(study.months), "outcomes": list(study.outcomes),
            "tolerance": TOLERANCE},
        report={"lang": lang}, files=[])


# --------------------------------------------------------------------------- directory


def explain_output() -> Output:
    """What ``sim explain`` writes, for the checks of ``--force``."""
    from sim.output import Output

    return Output(COMMAND, OWN_FILES)


def _manifest_command(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data.get("command") if isinstance(data, dict) else None


def prepare_outdir(out: Path, *, resume: bool, force: bool) -> str:
    """Check that an explanation may write to ``out``: ``"new"``, ``"resume"`` or ``"replace"``.

    A new or empty directory is checked as every command's (:func:`sim.output.check_outdir`);
    an existing one must be an earlier explanation (its manifest says ``explain``), resumed
    with ``--resume`` or replaced with ``--force`` if it holds only an explanation's files.

    Raises:
        ConfigError: (field ``--out``, ``--force`` or ``--resume``).
    """
    from sim.experiments import storage
    from sim.output import check_outdir, listed

    if resume and force:
        raise ConfigError("--force", "cannot be combined with --resume: --resume finishes "
                                     "the explanation in DIR, --force replaces it")
    storage.check_path_length(out)
    if not out.is_dir() or not any(out.iterdir()):
        check_outdir(out, False, output=explain_output())
        return "new"
    owner = _manifest_command(out / MANIFEST)
    if owner != COMMAND:
        what = f"the output of 'sim {owner}'" if owner else "not an explanation"
        raise ConfigError("--out", f"{out} is {what} (no {MANIFEST} of 'sim explain'); "
                                   "choose another directory")
    if resume:
        return "resume"
    if not force:
        raise ConfigError("--out", f"{out} already holds an explanation; pass --resume to "
                                   "finish it, --force to replace it, or choose another "
                                   "directory")
    foreign = storage.own_files(out, explain_output())[1]
    if foreign:
        raise ConfigError("--out", f"{out} holds files 'sim explain' does not write "
                                   f"({listed(foreign)}); --force replaces only its own "
                                   "files, so move them elsewhere or choose another directory")
    return "replace"


def _create(out: Path, mode: str) -> None:
    """Create ``out/runs`` (deleting an earlier explanation's own files to replace it)."""
    from sim.experiments import storage

    try:
        if mode == "replace":
            storage.remove_own_files(out, explain_output())
    except OSError as exc:
        raise ConfigError("--out", f"cannot replace {out}: {exc.strerror or exc}") from None
    storage.create_outdir(out, "new")


# --------------------------------------------------------------------------- running


def run_study(study: Study, out: str | Path, *, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False, force: bool = False,
              progress: bool = True, lang: str = "zh", command: str = "",
              report: bool = True) -> Path:
    """Run an explanation's runs into ``out`` by the sweep engine, then write its outputs.

    Finished runs are kept if the explanation stops (a kill, Ctrl-C, a full disk): the same
    command with ``--resume`` runs only the missing ones (the arguments and what the designs
    resolve to are checked against the manifest).

    Returns:
        ``out``.
    """
    from sim.experiments import storage
    from sim.experiments.executors import Executor, fingerprint_runs

    target = Path(out)
    mode = prepare_outdir(target, resume=resume, force=force)
    plan = study_plan(study)
    job = study_job(study, target)
    runs = fingerprint_runs(job, plan.runs)
    manifest = study_manifest(study, plan, runs, command=command, lang=lang)
    if mode == "resume":
        recorded = _read_manifest(target)
        check_resume(recorded, manifest)
        manifest = recorded
    with Executor(workers, scheduler) as executor:
        _create(target, mode)
        if mode != "resume":
            storage.write_manifest(target, manifest)
        todo = storage.pending(target, runs, study.steps + 1)
        try:
            executor.run(job, todo, progress=progress, total=len(runs),
                         desc=TEXT[lang]["bar"])
        except KeyboardInterrupt:
            raise ConfigError("interrupted", f"stopped by Ctrl-C; finished runs are kept in "
                                             f"{target}: continue with the same command and "
                                             "--resume") from None
        if manifest.get("finished") is None:
            storage.mark_finished(target, manifest)
    if report:
        write_outputs(target, study, lang)
    return target


def check_resume(recorded: dict[str, Any], new: dict[str, Any]) -> None:
    """Refuse to resume with other arguments, or with designs that now resolve otherwise.

    The arguments that decide the runs (:func:`spec_of`) must be those recorded, and every
    run's resolved scenario must have the fingerprint recorded
    (:func:`sim.experiments.storage.changed_runs`): a design or community file edited since
    would mix old and new data.

    Raises:
        ConfigError: (field ``--resume``) naming the first difference.
    """
    from sim.experiments import storage

    old_spec, new_spec = recorded.get("spec"), json.loads(json.dumps(new["spec"]))
    if not isinstance(old_spec, dict) or old_spec != new_spec:
        keys = [k for k in new_spec if not isinstance(old_spec, dict)
                or old_spec.get(k) != new_spec[k]]
        raise ConfigError("--resume", f"the explanation's arguments differ from those "
                                      f"recorded in {MANIFEST} ({', '.join(keys) or 'spec'}); "
                                      "resume only with the same command line, or choose a "
                                      "new --out (or --force to start over)")
    if len(recorded.get("runs", [])) != len(new["runs"]):
        raise ConfigError("--resume", f"the runs differ from those recorded in {MANIFEST}; "
                                      "--force to start over, or choose a new --out")
    changed = storage.changed_runs(recorded, new)
    if changed:
        raise ConfigError("--resume", f"the inputs of run {changed[0]} changed since the "
                                      f"explanation started ({len(changed)} of "
                                      f"{len(new['runs'])} runs; a design or community preset "
                                      "or file was edited); resuming would mix old and new "
                                      "data: --force to start over, or choose a new --out")


def _read_manifest(out: Path) -> dict[str, Any]:
    path = out / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise ConfigError("--resume", f"cannot read {path}; start again with --force") from None
    if not isinstance(data, dict) or data.get("command") != COMMAND:
        raise ConfigError("--resume", f"{path} is not an explanation's manifest")
    return data


# --------------------------------------------------------------------------- analysis


def outcome_cube(out: Path, study: Study) -> dict[str, np.ndarray]:
    """Each outcome as an array variant × parameter set × seed of the runs' window means."""
    import numpy as np

    from sim.experiments.analyze import read_parts
    from sim.experiments.comparison import window_means
    from sim.experiments.storage import check_parts
    from sim.metrics import COLUMNS

    manifest = _read_manifest(out)
    files, missing = check_parts(out, manifest)
    if missing:
        raise ConfigError("--resume", f"{len(missing)} of {len(manifest['runs'])} runs have no "
                                      f"part file in {out}; finish them with --resume")
    import pyarrow.dataset as ds

    columns = [VARIANT, PARAM_SET, "seed", "month", *COLUMNS]
    months = ds.field("month").isin(list(study.months))  # only the months averaged are read
    frame = (read_parts(files, columns=columns, filter=months).to_pandas()
             .rename(columns={VARIANT: "design"}))
    means = window_means(frame, study.steps, months=study.months)
    index = {v.key: i for i, v in enumerate(study.variants)}
    seeds = {s: j for j, s in enumerate(study.seeds)}
    stray = sorted(set(means["design"]) - set(index))
    if stray or set(means["seed"]) - set(seeds):
        raise ConfigError(str(out), f"its runs are not those of this explanation (variant "
                                    f"{stray[0] if stray else '?'}); run it again with --force")
    shape = (len(study.variants), len(study.param_sets), len(study.seeds))
    cube = {}
    for outcome in study.outcomes:
        values = np.full(shape, np.nan)
        values[means["design"].map(index).to_numpy(), means[PARAM_SET].to_numpy(int),
               means["seed"].map(seeds).to_numpy()] = means[outcome].to_numpy(float)
        cube[outcome] = values
    return cube


@dataclass
class OutcomeAnswer:
    """The attribution of one outcome.

    Attributes:
        outcome: The model column.
        ref: REF's value per parameter set and seed.
        design: DESIGN's value per parameter set and seed.
        attribution: Knock-out, knock-in and Shapley values of the players.
        mechanisms: Per mechanism, total effect minus the effect with it off.
        gap: Largest |Σ Shapley − total| over parameter sets and seeds.
    """

    outcome: str
    ref: np.ndarray
    design: np.ndarray
    attribution: Attribution
    mechanisms: dict[str, np.ndarray]
    gap: float


def answers(study: Study, cube: dict[str, np.ndarray]) -> list[OutcomeAnswer]:
    """Attribute each outcome (knock-out, knock-in, Shapley; mechanisms)."""
    from sim.experiments.attribution import attribute

    out = []
    for outcome in study.outcomes:
        values = cube[outcome]

        def v(c: Coalition, values: np.ndarray = values) -> np.ndarray:
            return values[study.where[("coalition", coalition_key(study.players, c))]]

        res = attribute(study.game, v, max_exact=study.max_exact,
                        permutations=study.permutations, seed=0)
        total = res.total
        mechs = {}
        for m in study.mechanisms:
            off = (values[study.where[("off", m.name, "design")]]
                   - values[study.where[("off", m.name, "ref")]])
            mechs[m.name] = total - off
        out.append(OutcomeAnswer(outcome, v(frozenset()), v(frozenset(study.game.players)),
                                 res, mechs, res.efficiency_gap()))
    return out


SUMMARY_FIELDS = ("value", "params_low", "params_high", "seeds_low", "seeds_high")
"""For each answer (knock_out, knock_in, shapley, total): its mean over parameter sets and
seeds, the 2.5 and 97.5 % percentiles over parameter sets of its per-set mean, and the 95 %
interval of the mean from seed noise alone."""

ATTRIBUTION_COLUMNS = ("outcome", "kind", "player", "label",
                       *(f"{a}{'' if f == 'value' else '_' + f}"
                         for a in ("knock_out", "knock_in", "shapley", "total")
                         for f in SUMMARY_FIELDS),
                       "shapley_mc_error", "n_params", "n_seeds")
"""Columns of ``attribution.csv``."""


def summary(x: np.ndarray) -> dict[str, float]:
    """Mean, spread over parameter sets, seed-noise interval of values per set × seed."""
    import numpy as np

    from sim.experiments.intervals import percentile_spread, seed_interval

    a = np.asarray(x, dtype=float)
    low, high = percentile_spread(a.mean(axis=1))
    s_low, s_high = seed_interval(a)
    return dict(zip(SUMMARY_FIELDS, (float(a.mean()), low, high, s_low, s_high), strict=True))


def attribution_table(study: Study, results: Sequence[OutcomeAnswer],
                      lang: str = "zh") -> pd.DataFrame:
    """The table of ``attribution.csv``: one row per outcome × player or mechanism.

    Institution rows (kind ``added``, ``removed``, ``changed``, ``other``) have knock-out,
    knock-in and Shapley value; mechanism rows (kind ``mechanism``) have the design's total
    effect minus the effect with the mechanism off in ``knock_out`` (knock-in and Shapley
    empty). Every row repeats the total effect.
    """
    import math

    import numpy as np
    import pandas as pd

    nan = dict.fromkeys(SUMMARY_FIELDS, math.nan)
    rows = []
    for res in results:
        a = res.attribution
        total = summary(a.total)
        for p in study.players:
            row: dict[str, Any] = {"outcome": res.outcome, "kind": p.kind, "player": p.name,
                                   "label": p.label(lang)}
            for name, values in (("knock_out", a.knock_out[p.name]),
                                 ("knock_in", a.knock_in[p.name]),
                                 ("shapley", a.shapley[p.name])):
                _put(row, name, summary(values))
            _put(row, "total", total)
            row["shapley_mc_error"] = float(np.sqrt(np.mean(np.asarray(a.error[p.name]) ** 2)))
            rows.append(row)
        for m in study.mechanisms:
            row = {"outcome": res.outcome, "kind": "mechanism", "player": m.name,
                   "label": m.label(lang)}
            _put(row, "knock_out", summary(res.mechanisms[m.name]))
            _put(row, "knock_in", nan)
            _put(row, "shapley", nan)
            _put(row, "total", total)
            row["shapley_mc_error"] = math.nan
            rows.append(row)
    table = pd.DataFrame(rows, columns=list(ATTRIBUTION_COLUMNS[:-2]))
    table["n_params"] = len(study.param_sets)
    table["n_seeds"] = len(study.seeds)
    return table


def _put(row: dict[str, Any], name: str, values: dict[str, float]) -> None:
    for f, x in values.items():
        row[name if f == "value" else f"{name}_{f}"] = x


# --------------------------------------------------------------------------- outputs


def _fmt(x: float, digits: int = 3, sign: bool = False) -> str:
    import math

    if not math.isfinite(x):
        return "—"
    text = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    return "0.000"[:digits + 2] if text.lstrip("+-") == f"{0:.{digits}f}" else text


def digits_of(outcome: str) -> int:
    """Decimals for an outcome's numbers: shares 3, others (counts, yuan per month) 2."""
    from sim.metrics import COLUMNS

    return 3 if COLUMNS[outcome].unit == "share" else 2


def outcome_label(outcome: str, lang: str) -> str:
    """The outcome's name in ``lang``."""
    from sim.metrics import label

    return label(outcome, lang)


def reading(study: Study, res: OutcomeAnswer, lang: str) -> str:
    """A plain-language paragraph from the numbers of one outcome."""
    import numpy as np

    t = TEXT[lang]
    d = digits_of(res.outcome)
    total = summary(res.attribution.total)
    parts = [t["reading_total"].format(
        design=_design_label(study, lang), outcome=outcome_label(res.outcome, lang),
        direction=t["up"] if total["value"] >= 0 else t["down"],
        total=_fmt(abs(total["value"]), d),
        low=_fmt(total["params_low"], d, True), high=_fmt(total["params_high"], d, True),
        ref=_fmt(float(np.mean(res.ref)), d), value=_fmt(float(np.mean(res.design)), d))]
    shap = sorted(((p, summary(res.attribution.shapley[p.name])) for p in study.players),
                  key=lambda item: -abs(item[1]["value"]))
    scale = max(abs(total["value"]), 1e-12)
    main = [(p, s) for p, s in shap if abs(s["value"]) >= 0.1 * scale][:3]
    if main and abs(total["value"]) > 0:
        listed = t["sep"].join(t["reading_item" if s["value"] * total["value"] > 0
                                 else "reading_against"].format(
            player=p.label(lang), value=_fmt(s["value"], d, True),
            share=f"{100 * s['value'] / total['value']:.0f}",
            low=_fmt(s["params_low"], d, True), high=_fmt(s["params_high"], d, True))
            for p, s in main)
        parts.append(t["reading_main"].format(items=listed))
    small = [p.label(lang) for p, s in shap if abs(s["value"]) < 0.05 * scale]
    if small:
        parts.append(t["reading_small"].format(items=t["sep"].join(small)))
    mechs = sorted(((m, summary(res.mechanisms[m.name])) for m in study.mechanisms),
                   key=lambda item: -abs(item[1]["value"]))
    for key, same in (("reading_mechanisms", True), ("reading_mech_against", False)):
        chosen = [(m, s) for m, s in mechs if abs(s["value"]) >= 0.1 * scale
                  and (s["value"] * total["value"] > 0) == same][:2]
        if chosen:
            parts.append(t[key].format(items=t["sep"].join(
                t["reading_mechanism"].format(mechanism=m.label(lang),
                                              value=_fmt(s["value"], d, True))
                for m, s in chosen)))
    parts.append(t["reading_check"].format(gap=f"{res.gap:.1e}", tol=f"{TOLERANCE:.0e}"))
    return "".join(parts)


def _design_label(study: Study, lang: str) -> str:
    d = study.design.design
    return (d.label_zh if lang == "zh" else d.label_en) or d.name


def _ref_label(study: Study, lang: str) -> str:
    r = study.ref.design
    return (r.label_zh if lang == "zh" else r.label_en) or r.name


def waterfall(study: Study, res: OutcomeAnswer, lang: str, path: Path) -> Path:
    """The waterfall of one outcome: REF → each Shapley value → DESIGN, with intervals.

    Each player's bar starts where the one before ended; its whisker is the 2.5–97.5 %
    spread of its Shapley value over parameter sets.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    t = TEXT[lang]
    names = [_short(t["ref_bar"], lang), *(_short(p.label(lang), lang) for p in study.players),
             _short(t["design_bar"], lang)]
    if lang == "zh" or not all(name.isascii() for name in names):
        from sim.fonts import use_cjk_font

        use_cjk_font()
    start = float(np.mean(res.ref))
    steps = [summary(res.attribution.shapley[p.name]) for p in study.players]
    # An off-screen figure: never pyplot's global backend (a notebook keeps its inline one).
    fig = Figure(figsize=(max(6.0, 1.0 * len(names) + 2), 4.4), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.bar(0, start, color="#8c8c8c")
    level = start
    ends = [start]  # every bar's and whisker's end, for the limits
    for i, s in enumerate(steps, start=1):
        colour = "#2e7d32" if s["value"] >= 0 else "#c62828"
        ax.bar(i, s["value"], bottom=level, color=colour)
        low, high = s["params_low"] - s["value"], s["params_high"] - s["value"]
        if np.isfinite(low) and np.isfinite(high):
            ends += [level + s["params_low"], level + s["params_high"]]
            ax.errorbar(i, level + s["value"], yerr=[[max(-low, 0)], [max(high, 0)]],
                        color="#333333", capsize=3, lw=1)
        ax.plot([i - 0.6, i + 0.4], [level, level], color="#999999", lw=0.6, ls=":")
        level += s["value"]
    end = float(np.mean(res.design))
    ax.bar(len(names) - 1, end, color="#1565c0")
    ax.set_xticks(range(len(names)))
    # Upright and wrapped to a bar's width: rotated multi-line labels of neighbouring bars
    # run into each other once there are more than a few players.
    ax.set_xticklabels(names, fontsize=8)
    ax.set_ylabel(outcome_label(res.outcome, lang))
    from sim.plots import wrap_label

    title = t["waterfall_title"].format(outcome=outcome_label(res.outcome, lang),
                                        design=_design_label(study, lang),
                                        ref=_ref_label(study, lang))
    # Wrapped to the figure's width (design names are long), never cut at the edge.
    ax.set_title(wrap_label(title, int(fig.get_figwidth() * 13)), fontsize=10)
    ends += [end, *(start + sum(s["value"] for s in steps[:k]) for k in range(len(steps)))]
    span = max(max(ends) - min(ends), 1e-9)
    ax.set_ylim(max(min(ends) - 0.1 * span, 0.0 if min(ends) >= 0 else -np.inf),
                max(ends) + 0.1 * span)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def _short(text: str, lang: str, width: int = 12) -> str:
    from sim.plots import wrap_label

    return wrap_label(text, width if lang == "en" else 7)


def write_outputs(out: Path, study: Study, lang: str = "zh") -> list[Path]:
    """Write ``attribution.csv``, the waterfalls and ``explain.html`` from the stored runs."""
    from sim.experiments.compare_report import FigureFile, _figure, render
    from sim.experiments.storage import atomic_write_text

    results = answers(study, outcome_cube(out, study))
    table = attribution_table(study, results, lang)
    atomic_write_text(out / ATTRIBUTION, table.to_csv(index=False))
    figures = []
    for res in results:
        path = waterfall(study, res, lang, out / FIGURES / f"waterfall-{res.outcome}.png")
        figures.append(FigureFile(path, path.read_bytes(),
                                  TEXT[lang]["waterfall_caption"].format(
                                      outcome=outcome_label(res.outcome, lang)), res.outcome))
    context = html_context(study, results, table, lang)
    context["figures"] = [_figure(f) for f in figures]
    atomic_write_text(out / HTML, render(context, "explain.html.j2"))
    return [out / ATTRIBUTION, *(f.path for f in figures), out / HTML]


def html_context(study: Study, results: Sequence[OutcomeAnswer], table: pd.DataFrame,
                 lang: str) -> dict[str, Any]:
    """What ``explain.html.j2`` lays out: texts, readings, tables (numbers formatted here)."""
    from sim.posterior import describe

    t = TEXT[lang]
    sections = []
    for res in results:
        d = digits_of(res.outcome)
        rows = []
        for _, r in table[table["outcome"] == res.outcome].iterrows():
            mech = r["kind"] == "mechanism"
            rows.append({
                "label": r["label"], "kind": t[f"kindname_{r['kind']}"],
                "knock_out": _fmt(r["knock_out"], d, True),
                "knock_out_range": _range(r["knock_out_params_low"], r["knock_out_params_high"],
                                          d),
                "knock_in": "" if mech else _fmt(r["knock_in"], d, True),
                "shapley": "" if mech else _fmt(r["shapley"], d, True),
                "shapley_range": "" if mech else _range(r["shapley_params_low"],
                                                        r["shapley_params_high"], d),
                "shapley_seeds": "" if mech else _range(r["shapley_seeds_low"],
                                                        r["shapley_seeds_high"], d),
                "mechanism": mech})
        total = summary(res.attribution.total)
        sections.append({"title": outcome_label(res.outcome, lang),
                         "reading": reading(study, res, lang), "rows": rows,
                         "total": _fmt(total["value"], d, True),
                         "total_range": _range(total["params_low"], total["params_high"], d),
                         "total_seeds": _range(total["seeds_low"], total["seeds_high"], d),
                         "gap": f"{res.gap:.1e}"})
    c = study.ref.community
    return {
        "html_lang": "zh-CN" if lang == "zh" else "en", "text": t,
        "title": t["title"].format(design=_design_label(study, lang),
                                   ref=_ref_label(study, lang)),
        "subtitle": t["subtitle"].format(
            community=(c.label_zh if lang == "zh" else c.label_en) or c.name,
            n=len(study.param_sets), k=len(study.seeds), runs=study.n_runs,
            coalitions=len(study.coalitions), months=f"{study.months[0]}–{study.months[-1]}"
            if study.months else "—"),
        "method": [t["method_players"], t["method_shapley"].format(tol=f"{TOLERANCE:.0e}"),
                   t["method_exact"] if len(study.players) <= study.max_exact
                   else t["method_sampled"].format(m=study.permutations),
                   t["method_mechanisms"], t["method_intervals"].format(
                       n=len(study.param_sets), k=len(study.seeds), method=study.method),
                   *([describe(study.posterior, lang)] if study.posterior else []),
                   *_held_lines(study, lang)],
        "players": [{"label": p.label(lang), "kind": t[f"kindname_{p.kind}"],
                     "needs": ", ".join(study.game.needs.get(p.name, ()))}
                    for p in study.players],
        "mechanisms": [{"label": m.label(lang), "what": m.what(lang),
                        "switch": ", ".join(f"{k}={json.dumps(v)}" for k, v in m.switch.items())}
                       for m in study.mechanisms],
        "sections": sections,
    }


def _held(study: Study) -> dict[str, list[str]]:
    """The reference's and the design's levers among the uncertain paths (manifest, report)."""
    from sim.priors import held_by_design

    return held_by_design({study.ref_key: study.ref, study.design_key: study.design},
                          [u.path for u in study.uncertain])


def _held_lines(study: Study, lang: str) -> list[str]:
    """One sentence per compared design that holds uncertain paths as its levers."""
    labels = {study.ref_key: _ref_label(study, lang), study.design_key: _design_label(study, lang)}
    return [TEXT[lang]["method_held"].format(design=labels[key], params=", ".join(levers))
            for key, levers in _held(study).items() if levers]


def _range(low: float, high: float, digits: int) -> str:
    import math

    if not (math.isfinite(low) and math.isfinite(high)):
        return "—"
    return f"[{_fmt(low, digits, True)}, {_fmt(high, digits, True)}]"


# --------------------------------------------------------------------------- command


def command_line(args: argparse.Namespace) -> str:
    """A ``sim explain`` command line that reproduces the explanation (without ``--workers``)."""
    parts = ["sim", "explain", args.design, "--vs", args.vs]
    if args.community is not None:
        parts += ["--community", args.community]
    if args.steps is not None:
        parts += ["--steps", str(args.steps)]
    parts += ["--uncertainty", str(args.uncertainty), "--seeds", str(args.seeds),
              "--uncertainty-method", args.uncertainty_method]
    if args.uncertainty_seed:
        parts += ["--uncertainty-seed", str(args.uncertainty_seed)]
    if args.posterior is not None:
        parts += ["--posterior", args.posterior]
    if args.no_mechanisms:
        parts.append("--no-mechanisms")
    if args.permutations != DEFAULT_PERMUTATIONS:
        parts += ["--permutations", str(args.permutations)]
    parts += ["--outcomes", ",".join(args.outcomes), "--lang", args.lang]
    if args.out is not None:
        parts += ["--out", str(args.out)]
    return shlex.join(parts)


def default_out(study: Study) -> Path:
    """``out/explain-<design>-vs-<ref>-<community>``."""
    import re

    name = f"explain-{study.design.design.name}-vs-{study.ref.design.name}-" \
           f"{study.ref.community.name}"
    return Path("out") / (re.sub(r"[^\w.-]+", "_", name).strip("._") or "explain")


def explain_command(args: argparse.Namespace) -> int:
    """Run ``sim explain``: check every input, run, write the outputs, print the check."""
    import time

    if args.workers is not None and args.workers < 1:
        raise ConfigError("--workers", f"must be at least 1 (got {args.workers})")
    if args.workers is not None and args.scheduler is not None:
        raise ConfigError("--workers", "cannot be combined with --scheduler: the cluster's "
                                       "workers run the explanation")
    if args.seeds < 1:
        raise ConfigError("--seeds", f"must be at least 1 (got {args.seeds})")
    args.outcomes = [o for item in args.outcomes for o in item.split(",")]
    study = build_study(args.design, args.vs, community=args.community, steps=args.steps,
                        uncertainty=args.uncertainty, seeds=list(range(args.seeds)),
                        method=args.uncertainty_method, sample_seed=args.uncertainty_seed,
                        mechanisms=not args.no_mechanisms, outcomes=args.outcomes,
                        permutations=args.permutations, posterior=args.posterior)
    if args.lang == "zh":
        from sim.fonts import use_cjk_font

        use_cjk_font()  # fail before the runs, not after them
    out = Path(args.out) if args.out is not None else default_out(study)
    began = time.monotonic()
    run_study(study, out, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
              force=args.force, progress=not args.quiet, lang=args.lang,
              command=command_line(args))
    if args.quiet:
        print(out)
        return 0
    t = TEXT[args.lang]
    took = time.monotonic() - began
    print(t["runs"].format(runs=study.n_runs, coalitions=len(study.coalitions),
                           mechanisms=len(study.mechanisms), n=len(study.param_sets),
                           k=len(study.seeds), seconds=f"{took:.0f}"))
    import pandas as pd

    table = pd.read_csv(out / ATTRIBUTION)
    for outcome in study.outcomes:
        rows = table[(table["outcome"] == outcome) & (table["kind"] != "mechanism")]
        total = float(rows["total"].iloc[0])
        print(t["check"].format(outcome=outcome_label(outcome, args.lang),
                                total=_fmt(total, digits_of(outcome), True),
                                sum=_fmt(float(rows["shapley"].sum()), digits_of(outcome), True),
                                tol=f"{TOLERANCE:.0e}"))
    sep = "、" if args.lang == "zh" else ", "
    print(t["wrote"].format(out=out, files=sep.join(OUTPUT_FILES)))
    return 0


DESCRIPTION = """\
Explain why DESIGN differs from REF: attribute its effect to institutions and mechanisms.
解释治理模式 DESIGN 相对参照 REF 的效果从何而来：归因于各个机构与机制。

Every subset of the institutions in which DESIGN and REF differ (closed under their
prerequisites) runs with the same N parameter sets drawn from the priors and the same K
seeds; attribution.csv gives each institution's knock-out, knock-in and Shapley value, and
each mechanism's contribution, with intervals over parameter sets and seed noise.
两者不同的机构的每个子集（满足前置条件）都用同样的 N 组参数和 K 个种子运行；
attribution.csv 给出每个机构的剔除效应、单独加入效应与 Shapley 值，以及每个机制的贡献。
"""

EPILOG = """\
how the numbers are made / 计算方法:
  players: institutions of DESIGN that REF lacks (added), of REF that DESIGN lacks
  (removed), of both with other parameters (changed), and every other differing setting
  as one player (other). The empty subset is REF, the full one DESIGN, exactly.
  knock-out  = v(DESIGN) − v(DESIGN without i and what needs i)
  knock-in   = v(REF with i and what i needs) − v(REF)
  Shapley    = i's marginal contribution averaged over the orderings in which every
               prerequisite comes first (Faigle & Kern 1992); exact up to 8 players,
               --permutations sampled orderings above (their Monte-Carlo error in
               shapley_mc_error).
  mechanism  = total effect − (DESIGN − REF with the mechanism off in both)
  Each run's outcome is its mean over the last 24 months that are no campaign month.
  Intervals: *_params_low/high = 2.5–97.5 % over parameter sets; *_seeds_low/high =
  95 % interval of the mean from seed noise alone. The Shapley values add up to the
  total effect in every parameter set and seed (checked to 1e-9, printed).
  剔除效应、加入效应、Shapley 值（考虑前置条件）与机制贡献；区间分别反映参数不确定性与随机种子。

examples / 示例:
  sim explain nanan_131 --vs baseline --community generic_old_compound
  sim explain nanan_131 --vs baseline --community heping_road --lang en --out out/why131
  sim explain nanan_131 --vs baseline --uncertainty 8 --seeds 2 --no-mechanisms

outputs in DIR / 输出文件:
  explain.html        the explanation: readings, tables, waterfalls (self-contained) / 解释报告
  attribution.csv     one row per outcome × institution or mechanism / 归因表
  figures/*.png       a waterfall per outcome: REF → each Shapley value → DESIGN / 瀑布图
  manifest.json       players, prerequisites, coalitions, mechanisms, parameter sets, runs
  runs/part-*.parquet one file per run (variant × parameter set × seed) / 每次运行一个文件

--resume and --scheduler / 断点续算与集群:
  every run is written as it ends; a killed explanation continues with the same command and
  --resume; --scheduler ADDRESS runs on a Dask cluster with the same results.

exit status / 退出码: 0 done; 2 invalid input, reported on one line
  'sim: error: FIELD: message' with nothing written.
"""


def add_command(subparsers: Any) -> None:
    """Add ``sim explain``."""
    from sim.cli_base import HelpFormatter, add_executor_options, add_output_options

    parser = subparsers.add_parser(
        "explain", help="why a design works: attribution to institutions and mechanisms / "
                        "解释治理模式为何有效",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=HelpFormatter,
        allow_abbrev=False)
    parser.add_argument("design", metavar="DESIGN",
                        help="the design to explain: a design YAML file or preset. 待解释的模式")
    parser.add_argument("--vs", metavar="REF", required=True,
                        help="the reference it is compared with (e.g. baseline). 参照模式")
    parser.add_argument("--community", metavar="NAME",
                        help="community for both designs: a preset or community file "
                             "(default: the designs' own, which must agree). 社区")
    parser.add_argument("--steps", metavar="N", type=int,
                        help="months per run (default: the designs' run.steps, 120). 模拟月数")
    parser.add_argument("--uncertainty", metavar="N", type=int, default=DEFAULT_UNCERTAINTY,
                        help="parameter sets drawn from the priors, the same for every subset "
                             f"(default: {DEFAULT_UNCERTAINTY}). 参数组数")
    parser.add_argument("--seeds", metavar="K", type=int, default=DEFAULT_SEEDS,
                        help=f"seeds 0..K-1 per parameter set (default: {DEFAULT_SEEDS}). 种子数")
    parser.add_argument("--uncertainty-method", choices=("sobol", "lhs"), default="sobol",
                        help="how the parameter sets are drawn: scrambled Sobol' or Latin "
                             "hypercube (default: sobol). 抽样方法")
    parser.add_argument("--uncertainty-seed", metavar="S", type=int, default=0,
                        help="seed of the parameter sets (default: 0). 参数抽样种子")
    parser.add_argument("--posterior", metavar="DIR",
                        help="draw the parameters that the 'sim calibrate' in DIR calibrated "
                             "from its posterior (resampled by weight), the others from their "
                             "priors; the report says which (default: the priors alone). "
                             "从校准后验抽取已校准参数")
    parser.add_argument("--permutations", metavar="M", type=int, default=DEFAULT_PERMUTATIONS,
                        help="orderings sampled for the Shapley values when more than 8 "
                             "institutions differ (each adds up to one subset per institution "
                             f"to run) (default: {DEFAULT_PERMUTATIONS}). 抽样排列数")
    parser.add_argument("--no-mechanisms", action="store_true",
                        help="do not run the mechanism switches (default: run them). 不做机制归因")
    parser.add_argument("--outcomes", metavar="NAME[,NAME…]", nargs="+",
                        default=list(DEFAULT_OUTCOMES),
                        help="outcomes to explain (default: condition petitions "
                             "self_funded_share). 指标")
    add_executor_options(
        parser, resume_help="finish the explanation in DIR after it was killed (default: "
                            "off). 继续被中断的解释")
    add_output_options(parser, "out/explain-<design>-vs-<ref>-<community>",
                       force_help="replace DIR if it is an earlier explanation holding only "
                                  "its files (default: off). 仅覆盖旧的解释结果")
    parser.set_defaults(handler=explain_command)
