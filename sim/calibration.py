"""Calibration: which parameter values make the model give what was observed (ABC-SMC).

A targets file (:mod:`sim.targets`) lists observed figures, each with its stated
uncertainty and the community × design run it applies to. This module fits the uncertain
parameters' priors (:mod:`sim.priors`) to those figures by approximate Bayesian computation
with pyabc's sequential Monte Carlo (ABC-SMC), and checks the fit:

- **priors**: the schema's uniform priors, ``RV("uniform", low, high - low)``; a whole-number
  parameter is a discrete uniform on its whole numbers (``RV("randint", low, high + 1)``,
  moved by pyabc's ``DiscreteJumpTransition``);
- **the model of a particle** (:class:`Simulator`): every community × design pair that the
  fitted targets cover is run with the particle's values (:func:`sim.priors.apply`) for
  ``seeds_per_particle`` seeds, and each target's *simulated value* is its mean over those
  seeds. The seeds are drawn from the particle itself (:func:`particle_seeds`: a
  :class:`numpy.random.SeedSequence` of the calibration's seed and the particle's values),
  so a particle always gives the same answer and two particles get independent noise;
- **the distance** (:func:`distance`): each target's miss (0 inside its band, else how far
  outside, :func:`sim.targets.evaluate`'s rule) divided by its *scale*, the half-width of
  what was stated (an interval's ``(high − low) / 2``, a value's ``tolerance``); a target
  that states no width (an open end, a zero-width interval, a bare value) gets
  :data:`RELATIVE_SCALE` × the magnitude of its figure. The distance is the root mean square
  of these over the fitted targets, so 1 means "missed by one stated half-width on average";
- **ABC-SMC**: generation 0 is a sample of the prior (every particle accepted, epsilon ∞),
  every later generation's epsilon is the weighted median of the previous one's distances
  (pyabc's ``MedianEpsilon``), until ``generations`` generations or ``min_epsilon``. The
  history is pyabc's SQLite database ``DIR/history.db``; each generation is run by a fresh
  ``ABCSMC.load`` of it, so a calibration that is killed continues with ``--resume`` from
  its last complete generation by the very path every generation takes. Particles run on
  local processes (``MulticoreEvalParallelSampler``) or a Dask cluster
  (``DaskDistributedSampler``), the same code otherwise;
- **checks** (:func:`finish`): the posterior (``posterior.parquet``, every generation's
  particles and weights), per-generation diagnostics (epsilon, acceptance rate, effective
  sample size), the identifiability table (posterior 90 % width over the prior's 90 %
  width), posterior predictive checks of every target (fitted and held out) from
  :data:`PPC_DRAWS` posterior draws, figures and a zh/en HTML page.

Only the particles' model seeds are reproducible: pyabc's worker processes draw their
proposals from their own generators, so two calibrations of the same inputs give two samples
of (nearly) the same posterior, not the same particles. ``sim calibrate`` is
:mod:`sim.calibrate_cli`; :mod:`sim.posterior` draws parameter sets from a stored posterior.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.posterior import COMMAND, MANIFEST, POSTERIOR, draw
from sim.posterior import typed as _typed
from sim.text import section
from sim.versions import package_version, versions

if TYPE_CHECKING:
    from sim.config import Scenario
    from sim.priors import Uncertainty
    from sim.targets import Target

TEXT: dict[str, dict[str, str]] = section("calibration")
"""Messages, figure labels and the page's text, by language."""


DEFAULT_POPULATION = 100
DEFAULT_GENERATIONS = 5
DEFAULT_SEEDS_PER_PARTICLE = 2
DEFAULT_MIN_EPSILON = 0.0
DEFAULT_SEED = 0

DEFAULT_PARAM_PREFIXES = ("behaviour.weights.", "behaviour.base.")
"""Default ``--params``: the household decision rule's weights and intercepts.

They act in every run of every design, so every target bears on them; an institution's
parameters act only under its designs, and the economy's and matters' mostly set inputs
that the targets do not observe. The identifiability table says which the targets do
constrain; ``--params`` fits any other priors.
"""

RELATIVE_SCALE = 0.1
"""Scale of a target that states no width, as a share of the magnitude of its figure."""

NAN_PENALTY = 10.0
"""A target without a simulated value (no matter of its type opened) counts as missed by
this many scales: worse than any plausible miss, never preferred."""

PPC_DRAWS = 50
"""Parameter sets drawn from the posterior for the predictive checks."""

PPC_LEVEL = 0.9
"""Level of the predictive interval and of the identifiability widths."""

DB = "history.db"
DIAGNOSTICS = "diagnostics.csv"
IDENTIFIABILITY = "identifiability.csv"
PPC = "ppc.csv"
HOLDOUT = "holdout.csv"
HTML = "calibration.html"
FIGURES = "figures"
FIGURE_FILES = ("diagnostics.png", "marginals.png", "pairs.png", "ppc.png")
OUTPUT_FILES = (HTML, POSTERIOR, DIAGNOSTICS, IDENTIFIABILITY, PPC, HOLDOUT, f"{FIGURES}/",
                DB, MANIFEST)
"""What a calibration writes into ``DIR``."""

RESUMABLE = ("generations", "min_epsilon")
"""Options a ``--resume`` may change (to go on for more generations, or stop sooner)."""

CONSTRAINED = 0.5
WEAKLY = 0.8
"""Identifiability reading: a ratio below 0.5 is *constrained*, below 0.8 *weakly*."""

WIDE_SHARE = 0.1
"""A target met with fewer predictive runs than this inside its band is met only because the
prediction is wide (it is not contradicted, not reproduced); the reading names it."""

KERNEL_SCALING = 3.0
"""Scaling of the multivariate normal proposal kernel's covariance (pyabc's default 1).

With ten parameters and ~100 particles pyabc's default kernel lets a few particles take
the weight (on configs/targets/seeds.yaml, 60 particles, one seed each: effective sample
size 1.5 and 4 of 60 in generations 2 and 3); three times the covariance kept it at 30 of 60
with the same acceptance rate and epsilon. A wider kernel proposes further from the
accepted particles, so the importance weights (prior over proposal density) vary less."""

LOW_ESS = 20
"""Below this effective sample size the last generation's widths are rough (few particles
carry the weight), and the page says so."""


# --------------------------------------------------------------------------- the problem


@dataclass(frozen=True)
class Entry:
    """One target on one community × design pair: what is compared, how far is far.

    Attributes:
        target: The target.
        community: The community preset.
        design: The design preset.
        fitted: Whether the calibration fits it (else it is held out).
    """

    target: Target
    community: str
    design: str
    fitted: bool

    @property
    def key(self) -> str:
        """The summary statistic's name: ``target@community/design``."""
        return f"{self.target.name}@{self.community}/{self.design}"

    @property
    def pair(self) -> tuple[str, str]:
        """``(community, design)``."""
        return self.community, self.design

    @property
    def scale(self) -> float:
        """What one unit of distance is, in the target's unit (:func:`target_scale`)."""
        return target_scale(self.target)


def target_scale(target: Target) -> float:
    """The scale of a target's miss: the half-width of what was stated.

    ``(high − low) / 2`` for a closed interval wider than a point, ``tolerance`` for a value
    with one; otherwise (an open end, a point, a bare value) :data:`RELATIVE_SCALE` × the
    magnitude of the figure's finite end (1 in its unit if that is 0).
    """
    low, high = target.bounds
    if math.isfinite(low) and math.isfinite(high) and high > low:
        return (high - low) / 2
    if target.tolerance:
        return float(target.tolerance)
    ends = [abs(x) for x in (low, high) if math.isfinite(x)]
    magnitude = max(ends) if ends else 0.0
    return RELATIVE_SCALE * magnitude if magnitude > 0 else 1.0


def miss(target: Target, simulated: float) -> float:
    """How far ``simulated`` is outside the target's band, in scales (0 inside)."""
    if simulated is None or math.isnan(simulated):
        return NAN_PENALTY
    low, high = target.bounds
    return max(low - simulated, simulated - high, 0.0) / target_scale(target)


@dataclass(frozen=True)
class Problem:
    """Everything a calibration needs, validated.

    Attributes:
        source: The targets file as given.
        entries: Every target × pair, fitted and held out, in file order.
        params: The uncertain parameters fitted.
        scenarios: The resolved scenario of each pair (with the run length it needs).
        seeds_per_particle: Model seeds per particle.
        seed: The calibration's seed (of the particles' seeds and of the predictive draws).
        digest: A hash of the targets file's content.
    """

    source: str
    entries: tuple[Entry, ...]
    params: tuple[Uncertainty, ...]
    scenarios: Mapping[tuple[str, str], Scenario]
    seeds_per_particle: int
    seed: int
    digest: str = ""

    @property
    def fitted(self) -> tuple[Entry, ...]:
        """The entries the distance uses."""
        return tuple(e for e in self.entries if e.fitted)

    @property
    def held_out(self) -> tuple[Entry, ...]:
        """The entries only checked."""
        return tuple(e for e in self.entries if not e.fitted)

    def spec(self) -> dict[str, Any]:
        """The inputs as plain data: what ``--resume`` must find unchanged."""
        return {"targets": self.source, "targets_sha256": self.digest,
                "fitted": [e.key for e in self.fitted],
                "held_out": [e.key for e in self.held_out],
                "params": [u.as_dict() for u in self.params],
                "steps": {f"{c}/{d}": s.run.steps for (c, d), s in self.scenarios.items()},
                "seeds_per_particle": self.seeds_per_particle, "seed": self.seed}


def _check_names(option: str, names: Sequence[str], kind: str, what: str) -> None:
    """Refuse a name that is not a shipped preset (with the nearest one)."""
    from sim.config import preset_names
    from sim.strict import unknown_name

    shipped = preset_names(kind)
    for name in names:
        if name not in shipped:
            raise ConfigError(option, unknown_name(name, shipped, what))


def default_params(scenarios: Sequence[Scenario]) -> list[str]:
    """The paths :data:`DEFAULT_PARAM_PREFIXES` selects among the priors that apply."""
    from sim.priors import uncertainties

    return [u.path for u in uncertainties(scenarios)
            if u.path.startswith(DEFAULT_PARAM_PREFIXES)]


def build_problem(targets: str | Path | Sequence[str | Path], *, designs: Sequence[str] = (),
                  communities: Sequence[str] = (), params: Sequence[str] | None = None,
                  hold_out: Sequence[str] | None = None, months: int | None = None,
                  seeds_per_particle: int = DEFAULT_SEEDS_PER_PARTICLE,
                  seed: int = DEFAULT_SEED) -> Problem:
    """Read the targets and options into a :class:`Problem`, refusing bad input.

    Args:
        targets: A targets file (:func:`sim.targets.load_targets`), or several, whose
            targets are fitted together (their names must differ: seeds' figures and the
            plausible ranges, say).
        designs: Keep the targets' pairs with these designs (none: all).
        communities: Keep the targets' pairs with these communities (none: all).
        params: Paths of priors to fit (none: :func:`default_params`).
        hold_out: Target names to hold out; the others are fitted. ``None``: the file's own
            split (``kind: calibration`` fitted, ``kind: validation`` held out).
        months: Run length of every pair (none: what its targets' windows need,
            :func:`sim.targets.steps_needed`).
        seeds_per_particle: Model seeds per particle, ≥ 1.
        seed: The calibration's seed.

    Raises:
        ConfigError: One line naming the option: a missing or invalid targets file, an
            unknown design, community, prior or held-out name, a target name in two files,
            nothing left to fit, a run too short for a target's window.
    """
    from sim.config import load_config
    from sim.priors import uncertainties
    from sim.strict import unknown_name
    from sim.targets import load_targets, steps_needed

    paths = [Path(targets)] if isinstance(targets, (str, Path)) else [Path(t) for t in targets]
    if not paths:
        raise ConfigError("TARGETS", "give at least one targets YAML file such as "
                                     "configs/targets/seeds.yaml")
    for path in paths:
        if not path.is_file():
            raise ConfigError("TARGETS", f"{path}: no such file; give a targets YAML file "
                                         "such as configs/targets/seeds.yaml")
    source = " + ".join(str(path) for path in paths)
    read: dict[str, Path] = {}
    spec_targets = []
    for path in paths:
        for t in load_targets(path).targets:
            if t.name in read:
                raise ConfigError("TARGETS", f"target {t.name!r} is in both {read[t.name]} and "
                                             f"{path}; a target is given once")
            read[t.name] = path
            spec_targets.append(t)
    _check_names("--design", designs, "designs", "design")
    _check_names("--community", communities, "communities", "community")
    if isinstance(seeds_per_particle, bool) or seeds_per_particle < 1:
        raise ConfigError("--seeds-per-particle", f"must be a whole number ≥ 1 "
                                                  f"(got {seeds_per_particle})")
    if months is not None and months < 1:
        raise ConfigError("--months", f"must be a whole number ≥ 1 (got {months})")
    names = [t.name for t in spec_targets]
    for name in hold_out or ():
        if name not in names:
            raise ConfigError("--hold-out", unknown_name(name, names, "target"))
    entries = []
    for t in spec_targets:
        fitted = t.kind == "calibration" if hold_out is None else t.name not in hold_out
        for c in t.communities:
            for d in t.designs:
                if (not communities or c in communities) and (not designs or d in designs):
                    entries.append(Entry(t, c, d, fitted))
    if not entries:
        covered = sorted({f"{c}/{d}" for t in spec_targets for c in t.communities
                          for d in t.designs})
        raise ConfigError("--design" if designs else "--community",
                          f"no target of {source} applies to these designs and communities "
                          f"(the file covers: {', '.join(covered)})")
    if not any(e.fitted for e in entries):
        raise ConfigError("--hold-out", "leaves no target to fit; hold out fewer targets")
    scenarios: dict[tuple[str, str], Scenario] = {}
    for pair in dict.fromkeys(e.pair for e in entries):
        base = load_config({"community": pair[0], "design": pair[1]})
        here = [e.target for e in entries if e.pair == pair]
        steps = steps_needed(here, base.run.steps) if months is None else months
        for e in entries:
            if e.pair == pair and e.target.months is not None and e.target.months[1] > steps:
                raise ConfigError("--months", f"{steps} months end before target "
                                              f"{e.target.name}'s window ({e.target.months[1]})"
                                              f"; run at least {e.target.months[1]} months")
        scenarios[pair] = base.override({"run.steps": steps})
    fitted_scenarios = [scenarios[e.pair] for e in entries if e.fitted]
    chosen = list(params) if params else default_params(fitted_scenarios)
    try:
        found = uncertainties(fitted_scenarios, only=chosen)
    except ConfigError as exc:
        raise ConfigError("--params", exc.message) from None
    if not found:
        raise ConfigError("--params", "no prior applies to the fitted targets' designs")
    # one file: the hash of its bytes (as before several were allowed, so that a stored
    # calibration still resumes); several: the hash of their hashes, in the order given
    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path in paths]
    digest = (digests[0] if len(digests) == 1
              else hashlib.sha256(" ".join(digests).encode()).hexdigest())
    return Problem(source, tuple(entries), found, scenarios, seeds_per_particle, seed,
                   digest)


# --------------------------------------------------------------------------- the model


def particle_seeds(values: Mapping[str, float], seed: int, k: int) -> list[int]:
    """``k`` model seeds drawn from a particle's own values and the calibration's seed.

    The values are hashed in path order, so the same particle always runs the same seeds
    and different particles run independent ones.
    """
    data = json.dumps({p: float(values[p]) for p in sorted(values)}, sort_keys=True)
    words = np.frombuffer(hashlib.sha256(data.encode()).digest(), dtype=np.uint32)
    state = np.random.SeedSequence([int(seed), *map(int, words)]).generate_state(k)
    return [int(s) for s in state]


@dataclass
class Simulator:
    """Runs a particle: every pair of some entries, ``k`` seeds, each target's values.

    A plain picklable object, so that pyabc's worker processes and Dask workers can run it.
    """

    problem: Problem
    entries: tuple[Entry, ...]
    _history: dict[tuple[str, str], bool] = field(default_factory=dict)

    def runs(self, values: Mapping[str, Any]) -> list[dict[str, float]]:
        """Each seed's simulated value of every entry: one mapping ``key → value`` per seed."""
        from sim.model import CompoundModel
        from sim.priors import apply
        from sim.targets import evaluate, run_recorded

        typed = _typed(self.problem.params, values)
        seeds = particle_seeds(typed, self.problem.seed, self.problem.seeds_per_particle)
        out: list[dict[str, float]] = [{} for _ in seeds]
        for pair in dict.fromkeys(e.pair for e in self.entries):
            here = [e for e in self.entries if e.pair == pair]
            scn = apply(self.problem.scenarios[pair], typed)
            for i, s in enumerate(seeds):
                model = CompoundModel(scn, rng=s)
                table = evaluate([e.target for e in here],
                                 run_recorded(model, scn.run.steps))
                got = dict(zip(table["target"], table["simulated"], strict=True))
                for e in here:
                    out[i][e.key] = float(got[e.target.name])
        return out

    def __call__(self, parameter: Mapping[str, Any]) -> dict[str, float]:
        """The model pyabc runs: each entry's value, the mean over the particle's seeds."""
        runs = self.runs(parameter)
        stats = {}
        for e in self.entries:
            vals = np.array([r[e.key] for r in runs], dtype=float)
            stats[e.key] = float(np.nanmean(vals)) if np.isfinite(vals).any() else math.nan
        return stats


@dataclass(frozen=True)
class Distance:
    """pyabc's distance: the root mean square of the fitted entries' misses in scales."""

    entries: tuple[Entry, ...]

    def __call__(self, x: Mapping[str, float], x_0: Mapping[str, float]) -> float:
        """``sqrt(mean_i miss_i²)``; ``x_0`` is not used (the targets hold the figures)."""
        return distance(self.entries, x)


def distance(entries: Sequence[Entry], simulated: Mapping[str, float]) -> float:
    """The calibration's distance of simulated values from the entries' figures."""
    misses = [miss(e.target, simulated[e.key]) for e in entries]
    return float(math.sqrt(sum(m * m for m in misses) / len(misses)))


def prior(params: Sequence[Uncertainty]) -> Any:
    """The priors as a ``pyabc.Distribution`` (uniform; discrete uniform for integers)."""
    import pyabc

    return pyabc.Distribution(**{
        u.path: (pyabc.RV("randint", int(u.low), int(u.high) + 1) if u.integer
                 else pyabc.RV("uniform", u.low, u.high - u.low)) for u in params})


def transition(params: Sequence[Uncertainty]) -> Any:
    """The proposal: a normal kernel (:data:`KERNEL_SCALING`), a discrete jump for integers."""
    import pyabc

    continuous = tuple(u.path for u in params if not u.integer)
    integers = [u for u in params if u.integer]
    if not integers:
        return pyabc.MultivariateNormalTransition(scaling=KERNEL_SCALING)
    mapping: dict[Any, Any] = {
        u.path: pyabc.DiscreteJumpTransition(domain=np.arange(int(u.low), int(u.high) + 1))
        for u in integers}
    if continuous:
        mapping[continuous] = pyabc.MultivariateNormalTransition(scaling=KERNEL_SCALING)
    return pyabc.AggregatedTransition(mapping)


def _epsilon() -> Any:
    """Median epsilon; generation 0 accepts the whole prior sample (no calibration sample)."""
    import pyabc

    class PriorFirstMedianEpsilon(pyabc.MedianEpsilon):
        """``MedianEpsilon`` with ε₀ = ∞, and ε_t from the stored generation t − 1."""

        def requires_calibration(self) -> bool:
            return False

        def initialize(self, t: int, get_weighted_distances: Any, get_all_records: Any,
                       max_nr_populations: int, acceptor_config: dict[str, Any]) -> None:
            if t == 0:
                self._look_up = {0: math.inf}
            else:
                self._update(t, get_weighted_distances())

    return PriorFirstMedianEpsilon()


def quiet_pyabc() -> None:
    """Silence pyabc's own logging (the command prints its own progress)."""
    for name in ("ABC", "Sampler", "Epsilon", "Distance", "Acceptor", "Transitions",
                 "History", "Population", "Redis", "Dask"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith(("ABC", "pyabc")):
            logging.getLogger(name).setLevel(logging.WARNING)


def _sampler(workers: int | None, client: Any, bar: bool = False) -> Any:
    """The sampler: a Dask cluster's, else local processes (one: in this process).

    With ``bar``, pyabc's own bar of the generation's accepted particles (erased when done).
    """
    import pyabc

    if client is not None:
        sampler = pyabc.sampler.DaskDistributedSampler(dask_client=client)
    elif (workers or os.cpu_count() or 1) == 1:
        sampler = pyabc.sampler.SingleCoreSampler()
    else:
        sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers or os.cpu_count())
    sampler.show_progress = bar
    return sampler


def db_url(out: Path) -> str:
    """The SQLAlchemy address of the history database in ``out``."""
    return f"sqlite:///{Path(os.path.abspath(out)) / DB}"


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Generation:
    """What one generation gave, for the progress line."""

    t: int
    epsilon: float
    acceptance: float
    ess: float
    samples: int
    seconds: float


LAST_GENERATION_SQL = "SELECT MAX(t) FROM populations WHERE abc_smc_id = 1"
"""pyabc's ``History.max_t`` for the first (only) calibration of a database, as SQL."""


def generations_done(out: Path) -> int:
    """Complete generations stored in ``out``'s history (0 without one).

    Read with :mod:`sqlite3` in read-only mode, not through ``pyabc.History``: opening a
    History creates pyabc's tables where they are missing, and a reader doing so while a
    running calibration creates them makes that calibration fail ("table models already
    exists" — it happened to the resume test, which polls this while the calibration runs).
    """
    db = out / DB
    if not db.is_file():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro",
                                                uri=True)) as con:
            row = con.execute(LAST_GENERATION_SQL).fetchone()
    except sqlite3.Error:  # tables not written yet, or a database killed before they were
        return 0
    max_t = row[0] if row else None
    return 0 if max_t is None or max_t < 0 else int(max_t) + 1


def _ess(weights: np.ndarray) -> float:
    """Kish's effective sample size of normalised weights."""
    from pyabc.weighted_statistics import effective_sample_size

    return float(effective_sample_size(np.asarray(weights, dtype=float)))


def run_abc(problem: Problem, out: Path, *, population: int, generations: int,
            min_epsilon: float, workers: int | None = None, client: Any = None,
            on_generation: Callable[[Generation], None] | None = None,
            bar: bool = False) -> int:
    """Run ABC-SMC generation by generation into ``out/history.db``; return the count.

    Continues from the generations already stored (a ``--resume``); each generation is a
    fresh ``ABCSMC`` loaded from the database, so a resumed run and a fresh one take the
    same path. Stops after ``generations`` generations, or once a generation's epsilon is
    ≤ ``min_epsilon``.
    """
    import pyabc
    from pyabc.weighted_statistics import effective_sample_size  # noqa: F401 (imported early)

    quiet_pyabc()
    simulator = Simulator(problem, problem.fitted)
    done = generations_done(out)
    if not done:  # killed before its first generation was stored: start it again
        for name in (DB, f"{DB}-journal"):
            (out / name).unlink(missing_ok=True)
    if done:
        history = pyabc.History(db_url(out), _id=1)
        last = history.get_all_populations()
        if float(last["epsilon"].iloc[-1]) <= min_epsilon:
            return done
    while done < generations:
        abc = pyabc.ABCSMC(simulator, prior(problem.params), Distance(problem.fitted),
                           population_size=population, transitions=transition(problem.params),
                           eps=_epsilon(), sampler=_sampler(workers, client, bar))
        started = time.monotonic()
        if client is None and (workers or os.cpu_count() or 1) == 1:
            np.random.seed(problem.seed + done)  # one process: the same particles again
        if done == 0:
            abc.new(db_url(out), {e.key: 0.0 for e in problem.fitted})
        else:
            abc.load(db_url(out), 1)
        history = abc.run(max_nr_populations=1, minimum_epsilon=min_epsilon)
        pops = history.get_all_populations()
        row = pops[pops["t"] == history.max_t].iloc[0]
        _, w = history.get_distribution(m=0, t=history.max_t)
        gen = Generation(int(row["t"]), float(row["epsilon"]),
                         float(row["particles"]) / float(row["samples"]), _ess(w),
                         int(row["samples"]), time.monotonic() - started)
        done = gen.t + 1
        if on_generation is not None:
            on_generation(gen)
        if gen.epsilon <= min_epsilon:
            break
    return done


# --------------------------------------------------------------------------- the answers


def posterior_frame(out: Path, params: Sequence[Uncertainty]) -> pd.DataFrame:
    """Every generation's particles: generation, particle, weight, distance, values."""
    import pyabc

    history = pyabc.History(db_url(out), _id=1)
    frames = []
    for t in range(int(history.max_t) + 1):
        values, w = history.get_distribution(m=0, t=t)
        dist = history.get_weighted_distances(t=t)
        frame = pd.DataFrame({"generation": t, "particle": np.arange(len(w)),
                              "weight": np.asarray(w, dtype=float),
                              "distance": dist["distance"].to_numpy(float)})
        for u in params:
            col = values[u.path].to_numpy(float)
            frame[u.path] = np.rint(col).astype(int) if u.integer else col
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def diagnostics_frame(out: Path, posterior: pd.DataFrame) -> pd.DataFrame:
    """Per generation: epsilon, particles, simulations, acceptance rate, ESS."""
    import pyabc

    pops = pyabc.History(db_url(out), _id=1).get_all_populations()
    pops = pops[pops["t"] >= 0].sort_values("t")
    ess = posterior.groupby("generation")["weight"].apply(lambda w: _ess(w.to_numpy()))
    return pd.DataFrame({
        "generation": pops["t"].astype(int).to_numpy(),
        "epsilon": pops["epsilon"].astype(float).to_numpy(),
        "particles": pops["particles"].astype(int).to_numpy(),
        "simulations": pops["samples"].astype(int).to_numpy(),
        "acceptance_rate": (pops["particles"] / pops["samples"]).astype(float).to_numpy(),
        "ess": ess.reindex(pops["t"].astype(int)).to_numpy(float),
        "wall_seconds": pops["wall_time"].astype(float).to_numpy()
        if "wall_time" in pops else np.nan,
    })


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of weighted values (pyabc's rule)."""
    from pyabc.weighted_statistics import weighted_quantile as wq

    return float(wq(np.asarray(values, float), np.asarray(weights, float), alpha=q))


def identifiability(posterior: pd.DataFrame, params: Sequence[Uncertainty]) -> pd.DataFrame:
    """Per parameter: prior and final posterior 90 % widths, their ratio, the median.

    A uniform prior's central 90 % is 0.9 × its width, so an unconstrained parameter has a
    ratio near 1; a ratio below :data:`CONSTRAINED` reads *constrained*, below
    :data:`WEAKLY` *weakly constrained*.
    """
    last = posterior[posterior["generation"] == posterior["generation"].max()]
    w = last["weight"].to_numpy(float)
    tail = (1 - PPC_LEVEL) / 2
    rows = []
    for u in params:
        x = last[u.path].to_numpy(float)
        lo, hi = weighted_quantile(x, w, tail), weighted_quantile(x, w, 1 - tail)
        width = u.high - u.low + (1 if u.integer else 0)
        prior90 = PPC_LEVEL * width
        ratio = (hi - lo) / prior90
        reading = ("constrained" if ratio < CONSTRAINED else
                   "weakly" if ratio < WEAKLY else "not")
        rows.append({"parameter": u.path, "default": u.default, "prior_low": u.low,
                     "prior_high": u.high, "prior_width": u.high - u.low,
                     "prior_width90": prior90, "posterior_low": lo, "posterior_high": hi,
                     "posterior_width90": hi - lo, "ratio": ratio,
                     "posterior_median": weighted_quantile(x, w, 0.5),
                     "reading": reading, "source": u.source})
    return pd.DataFrame(rows)


def _map(fn: Callable[[Any], Any], items: Sequence[Any], workers: int | None,
         client: Any) -> list[Any]:
    """``[fn(x) for x in items]`` on a Dask cluster, local processes or here."""
    if client is not None:
        return list(client.gather(client.map(fn, items, pure=False)))
    n = min(workers or os.cpu_count() or 1, len(items))
    if n <= 1:
        return [fn(x) for x in items]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(n) as pool:
        return list(pool.map(fn, items))


def predictive(problem: Problem, sets: Sequence[Mapping[str, Any]], *,
               workers: int | None = None, client: Any = None) -> pd.DataFrame:
    """Posterior predictive check of every entry, fitted and held out.

    Each parameter set runs every pair with its own seeds (:func:`particle_seeds`); each run
    is one draw of what the model predicts for a figure observed once, so the predictive
    interval holds parameter and seed uncertainty. ``inside`` is whether the target's band
    meets the central 90 % predictive interval (the figure is among what the calibrated
    model predicts); ``share_inside`` is the share of predictive runs inside the band.
    """
    sim = Simulator(problem, problem.entries)
    results = _map(sim.runs, list(sets), workers, client)
    tail = (1 - PPC_LEVEL) / 2
    rows = []
    for e in problem.entries:
        vals = np.array([r[e.key] for runs in results for r in runs], dtype=float)
        vals = vals[np.isfinite(vals)]
        low, high = e.target.bounds
        if len(vals):
            q_lo, q_med, q_hi = np.quantile(vals, [tail, 0.5, 1 - tail])
            inside: bool | None = bool(q_lo <= high and low <= q_hi)
            share = float(((vals >= low) & (vals <= high)).mean())
        else:
            q_lo = q_med = q_hi = share = math.nan
            inside = None
        rows.append({"target": e.target.name, "community": e.community, "design": e.design,
                     "role": "fitted" if e.fitted else "held_out", "kind": e.target.kind,
                     "quantity": e.target.quantity, "unit": e.target.unit,
                     "observed": e.target.observed(), "low": low, "high": high,
                     "predictive_median": q_med, "predictive_low": q_lo,
                     "predictive_high": q_hi, "share_inside": share, "inside": inside,
                     "runs": len(vals)})
    frame = pd.DataFrame(rows)
    frame["inside"] = frame["inside"].astype("boolean")
    return frame


# --------------------------------------------------------------------------- output dir


def _own_names() -> set[str]:
    return {HTML, POSTERIOR, DIAGNOSTICS, IDENTIFIABILITY, PPC, HOLDOUT, FIGURES, DB,
            MANIFEST, f"{DB}-journal"}


def recorded(out: Path) -> dict[str, Any] | None:
    """The manifest of a calibration in ``out``, or None."""
    path = out / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("command") == COMMAND else None


def prepare_out(out: Path, problem: Problem, settings: dict[str, Any], *, resume: bool,
                force: bool) -> dict[str, Any] | None:
    """Check ``out`` before anything runs; return the recorded manifest on ``--resume``.

    ``out`` must be new or empty; with ``--force``, hold only an earlier calibration's files
    (they are removed); with ``--resume``, hold a calibration of the same inputs (the
    generations and ``--min-epsilon`` may differ).

    Raises:
        ConfigError: (``--out``, ``--force`` or ``--resume``) when it may not.
    """
    from sim.output import listed

    if force and resume:
        raise ConfigError("--force", "cannot be combined with --resume: --resume continues "
                                     "the calibration in DIR, --force replaces it")
    if out.exists() and not out.is_dir():
        raise ConfigError("--out", f"{out} is a file; give a directory")
    empty = not out.exists() or not any(out.iterdir())
    if resume:
        data = recorded(out)
        if data is None or not (out / DB).is_file():
            raise ConfigError("--resume", f"{out} holds no calibration to continue; leave "
                                          "--resume out")
        new = problem.spec()
        old = data.get("spec", {})
        for key in new:
            if old.get(key) != new[key]:
                raise ConfigError("--resume", f"the calibration in {out} was started with "
                                              f"another {key}; rerun it with the same inputs "
                                              "or choose another --out")
        for key in ("population",):
            if data.get("settings", {}).get(key) != settings[key]:
                raise ConfigError("--resume", f"the calibration in {out} was started with "
                                              f"--{key} {data['settings'].get(key)}; rerun "
                                              "with the same")
        return data
    if empty:
        return None
    other = sorted(p.name for p in out.iterdir() if p.name not in _own_names())
    if other or recorded(out) is None:
        raise ConfigError("--out", f"{out} holds files that 'sim calibrate' does not write "
                                   f"({listed(other or ['…'])}); choose another directory")
    if not force:
        raise ConfigError("--out", f"{out} already holds a calibration; pass --resume to "
                                   "continue it, --force to replace it, or choose another "
                                   "directory")
    for p in out.iterdir():
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
    return None


def make_manifest(problem: Problem, settings: dict[str, Any], command: str,
                  generations: int, finished: bool, created: str | None = None
                  ) -> dict[str, Any]:
    """``manifest.json``: the command, inputs, resolved configs, versions, progress."""
    import datetime as dt

    from sim.experiments.storage import git_commit

    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return {
        "command": COMMAND, "command_line": command, "seed": problem.seed,
        "spec": problem.spec(), "settings": settings,
        "distance": {"rule": "sqrt(mean((miss / scale)^2)) over the fitted targets",
                     "relative_scale": RELATIVE_SCALE, "nan_penalty": NAN_PENALTY,
                     "scales": {e.key: e.scale for e in problem.entries}},
        "configs": {f"{c}/{d}": s.to_dict() for (c, d), s in problem.scenarios.items()},
        "generations": generations, "package_version": package_version(),
        "versions": versions(("pyabc",)), "git_commit": git_commit(),
        "created": created or now, "updated": now, "finished": now if finished else None,
    }


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically (one line error if it cannot be written)."""
    from sim.experiments.storage import write_manifest as write

    write(out, manifest)


# --------------------------------------------------------------------------- figures


def _short(path: str) -> str:
    from sim.experiments.discovery import short_name

    return short_name(path)


def plot_diagnostics(diag: pd.DataFrame, lang: str, path: Path) -> Path:
    """Epsilon and acceptance rate per generation."""
    from sim.experiments.discovery import _figure, _font

    t = TEXT[lang]
    _font(lang)
    fig = _figure(6.4, 3.0)
    ax1, ax2 = fig.subplots(1, 2)
    eps = diag["epsilon"].replace(np.inf, np.nan)
    ax1.plot(diag["generation"], eps, marker="o")
    ax1.set_xlabel(t["fig_generation"])
    ax1.set_title(t["fig_epsilon"], fontsize=10)
    ax2.plot(diag["generation"], diag["acceptance_rate"], marker="o", color="#d62728")
    ax2.set_xlabel(t["fig_generation"])
    ax2.set_ylim(0, 1.05)
    ax2.set_title(t["fig_acceptance"], fontsize=10)
    fig.savefig(path, dpi=110)
    return path


def plot_marginals(posterior: pd.DataFrame, params: Sequence[Uncertainty], lang: str,
                   path: Path) -> Path:
    """Prior (flat line) against the final posterior (weighted histogram), per parameter."""
    from sim.experiments.discovery import _figure, _font

    t = TEXT[lang]
    _font(lang)
    n = len(params)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig = _figure(2.4 * cols + 0.4, 1.9 * rows + 0.5)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    last = posterior[posterior["generation"] == posterior["generation"].max()]
    for ax, u in zip(axes, params, strict=False):
        lo, hi = (u.low - 0.5, u.high + 0.5) if u.integer else (u.low, u.high)
        ax.hist(last[u.path], bins=12, range=(lo, hi), weights=last["weight"], density=True,
                color="#1f77b4", alpha=0.7, label=t["fig_posterior"])
        ax.plot([lo, hi], [1 / (hi - lo)] * 2, color="#888888", linestyle="--",
                label=t["fig_prior"])
        ax.axvline(u.default, color="#2ca02c", linewidth=1, label=t["fig_default"])
        ax.set_title(_short(u.path), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in axes[n:]:
        ax.set_visible(False)
    axes[0].legend(fontsize=6, loc="upper right")
    fig.suptitle(t["fig_marginals"], fontsize=10)
    fig.savefig(path, dpi=110)
    return path


def plot_pairs(posterior: pd.DataFrame, ident: pd.DataFrame, params: Sequence[Uncertainty],
               lang: str, path: Path, most: int = 4) -> Path:
    """Pairwise scatter of the final posterior's most constrained parameters."""
    from sim.experiments.discovery import _figure, _font

    t = TEXT[lang]
    _font(lang)
    names = list(ident.sort_values("ratio")["parameter"][:most])
    by_path = {u.path: u for u in params}
    last = posterior[posterior["generation"] == posterior["generation"].max()]
    k = len(names)
    fig = _figure(1.9 * k + 0.6, 1.9 * k + 0.6)
    axes = np.array(fig.subplots(k, k, squeeze=False))
    size = 4 + 60 * last["weight"].to_numpy(float) / max(last["weight"].max(), 1e-12)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i, j]
            ax.tick_params(labelsize=6)
            if i == j:
                ax.hist(last[a], bins=12, weights=last["weight"], color="#1f77b4", alpha=0.7)
                ax.set_xlim(by_path[a].low, by_path[a].high)
                ax.set_yticks([])
            elif i > j:
                ax.scatter(last[b], last[a], s=size, alpha=0.5, color="#1f77b4")
                ax.set_xlim(by_path[b].low, by_path[b].high)
                ax.set_ylim(by_path[a].low, by_path[a].high)
            else:
                ax.set_visible(False)
            if i == k - 1:
                ax.set_xlabel(_short(b), fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(_short(a), fontsize=7)
    fig.suptitle(t["fig_pairs"], fontsize=10)
    fig.savefig(path, dpi=110)
    return path


def plot_ppc(ppc: pd.DataFrame, lang: str, path: Path) -> Path:
    """Each target's band (grey) against its predictive median and 90 % interval."""
    from sim.experiments.discovery import _figure, _font

    t = TEXT[lang]
    _font(lang)
    n = len(ppc)
    fig = _figure(6.4, 0.75 * n + 0.9)
    axes = np.atleast_1d(fig.subplots(n, 1, squeeze=False)).ravel()
    for ax, r in zip(axes, ppc.itertuples(index=False), strict=True):
        finite = [x for x in (r.low, r.high, r.predictive_low, r.predictive_high)
                  if isinstance(x, float) and math.isfinite(x)]
        lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
        pad = (hi - lo) * 0.15 or abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
        band = (max(r.low, lo), min(r.high, hi))
        if band[0] == band[1]:
            ax.axvline(band[0], color="#888888", linewidth=3)
        else:
            ax.axvspan(*band, color="#cccccc")
        if math.isfinite(r.predictive_median):
            colour = "#1f77b4" if r.role == "fitted" else "#ff7f0e"
            ax.plot([r.predictive_low, r.predictive_high], [0, 0], color=colour, linewidth=3)
            ax.plot([r.predictive_median], [0], "o", color="black", markersize=4)
        ax.set_xlim(lo, hi)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
        role = t["role_" + r.role]
        ax.set_title(f"{r.target} · {r.design} · {r.community} ({role})", fontsize=7,
                     loc="left")
    fig.suptitle(t["fig_ppc"], fontsize=10)
    fig.savefig(path, dpi=110)
    return path


# --------------------------------------------------------------------------- the page


def _num(x: Any) -> str:
    """A number for people: four significant digits; ∞ and NaN as signs."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return "—"
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.4g}"


def reading(ident: pd.DataFrame, ppc: pd.DataFrame, diag: pd.DataFrame, lang: str) -> str:
    """The plain-language summary: how far the fit got, what it constrains, what it meets."""
    t = TEXT[lang]
    sep = "、" if lang == "zh" else ", "
    constrained = [_short(p) for p, r in zip(ident["parameter"], ident["reading"], strict=True)
                   if r == "constrained"]
    weakly = [_short(p) for p, r in zip(ident["parameter"], ident["reading"], strict=True)
              if r == "weakly"]
    fitted = ppc[ppc["role"] == "fitted"]
    held = ppc[ppc["role"] == "held_out"]
    met = fitted["inside"].fillna(False).astype(bool)
    parts = [t["read_run"].format(g=len(diag), eps=_num(diag["epsilon"].iloc[-1]),
                                  acc=f"{diag['acceptance_rate'].iloc[-1] * 100:.0f} %",
                                  n=int(diag["simulations"].sum()))]
    ess = float(diag["ess"].iloc[-1])
    if ess < LOW_ESS:
        parts.append(t["read_low_ess"].format(ess=f"{ess:.0f}",
                                              n=int(diag["particles"].iloc[-1])))
    parts.append(t["read_constrained"].format(names=sep.join(constrained))
                 if constrained else t["read_none_constrained"])
    if weakly:
        parts.append(t["read_weakly"].format(names=sep.join(weakly)))
    parts.append(t["read_fitted"].format(k=int(met.sum()), n=len(fitted),
                                         missed=sep.join(fitted.loc[~met.to_numpy(),
                                                                    "target"]) or "—"))
    inside = ppc["inside"].fillna(False).astype(bool).to_numpy()
    wide = ppc.loc[inside & (ppc["share_inside"] < WIDE_SHARE).to_numpy()]
    if len(wide):
        parts.append(t["read_wide"].format(
            share=f"{WIDE_SHARE:.0%}",
            names=sep.join(dict.fromkeys(wide["target"]))))
    if len(held):
        hit = held["inside"].fillna(False).astype(bool)
        parts.append(t["read_held"].format(k=int(hit.sum()), n=len(held),
                                           missed=sep.join(held.loc[~hit.to_numpy(),
                                                                    "target"]) or "—"))
    parts.append(t["read_caveat"])
    return " ".join(parts)


def page_context(problem: Problem, ident: pd.DataFrame, ppc: pd.DataFrame,
                 diag: pd.DataFrame, figures: Sequence[Path], settings: dict[str, Any],
                 lang: str, command: str) -> dict[str, Any]:
    """Everything ``calibration.html.j2`` shows, formatted in ``lang``."""
    import base64

    from markupsafe import Markup

    t = TEXT[lang]
    captions = (t["fig_diagnostics_caption"], t["fig_marginals_caption"],
                t["fig_pairs_caption"], t["fig_ppc_caption"])
    figs = [{"src": Markup("data:image/png;base64,"
                           + base64.b64encode(p.read_bytes()).decode("ascii")),
             "caption": c} for p, c in zip(figures, captions, strict=True)]

    def yes_no(v: Any) -> str:
        return "—" if v is pd.NA or v is None else (t["hit"] if bool(v) else t["miss"])

    def ppc_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
        return [{"target": r.target, "pair": f"{r.design} · {r.community}",
                 "observed": f"{r.observed} {r.unit}", "median": _num(r.predictive_median),
                 "interval": f"[{_num(r.predictive_low)}, {_num(r.predictive_high)}]",
                 "share": "—" if math.isnan(r.share_inside) else f"{r.share_inside:.0%}",
                 "verdict": yes_no(r.inside), "role": t["role_" + r.role]}
                for r in frame.itertuples(index=False)]

    params = [{"name": _short(r.parameter), "prior": f"{_num(r.prior_low)} – "
               f"{_num(r.prior_high)}", "default": _num(r.default),
               "posterior": f"{_num(r.posterior_low)} – {_num(r.posterior_high)}",
               "median": _num(r.posterior_median), "ratio": f"{r.ratio:.2f}",
               "reading": t["reading_" + r.reading]} for r in ident.itertuples(index=False)]
    gens = [{"t": int(r.generation), "eps": _num(r.epsilon), "acc": f"{r.acceptance_rate:.0%}",
             "ess": f"{r.ess:.0f}", "sims": int(r.simulations)}
            for r in diag.itertuples(index=False)]
    fitted = ", ".join(sorted({e.target.name for e in problem.fitted}))
    held = ", ".join(sorted({e.target.name for e in problem.held_out})) or "—"
    pairs = ", ".join(f"{d} · {c}" for c, d in problem.scenarios)
    question = [(t["q_targets"], problem.source), (t["q_fitted"], fitted),
                (t["q_held"], held), (t["q_pairs"], pairs),
                (t["q_params"], str(len(problem.params))),
                (t["q_budget"], t["q_budget_value"].format(**settings,
                                                           k=problem.seeds_per_particle)),
                (t["q_seed"], str(problem.seed))]
    method = [t["m_prior"], t["m_model"].format(k=problem.seeds_per_particle),
              t["m_distance"].format(rel=RELATIVE_SCALE, nan=NAN_PENALTY), t["m_smc"],
              t["m_ident"].format(c=CONSTRAINED, w=WEAKLY),
              t["m_ppc"].format(n=PPC_DRAWS, k=problem.seeds_per_particle), t["m_caveat"]]
    return {"html_lang": "zh-CN" if lang == "zh" else "en", "title": t["title"],
            "subtitle": t["subtitle"].format(source=problem.source), "text": t,
            "reading": reading(ident, ppc, diag, lang), "question": question,
            "params": params, "ppc": ppc_rows(ppc[ppc["role"] == "fitted"]),
            "holdout": ppc_rows(ppc[ppc["role"] == "held_out"]), "generations": gens,
            "figures": figs, "method": method, "command": command,
            "files": ", ".join(OUTPUT_FILES)}


def render_page(context: dict[str, Any]) -> str:
    """Render ``calibration.html.j2`` with the comparison report's Jinja2 environment."""
    from sim.experiments.compare_report import environment

    return environment().get_template("calibration.html.j2").render(**context)


# --------------------------------------------------------------------------- the whole


@dataclass(frozen=True)
class Result:
    """A finished calibration's tables (also written to ``DIR``)."""

    posterior: pd.DataFrame
    diagnostics: pd.DataFrame
    identifiability: pd.DataFrame
    ppc: pd.DataFrame
    reading: str


def finish(problem: Problem, out: Path, settings: dict[str, Any], *, lang: str,
           command: str, workers: int | None = None, client: Any = None) -> Result:
    """Write the answers of the stored history: tables, figures, page.

    Files are written into a hidden folder in ``out`` and moved into place, the page last
    but one and the manifest last, so an interrupted finish leaves the earlier files.
    """
    import tempfile

    from sim.output import write_parquet

    posterior = posterior_frame(out, problem.params)
    diag = diagnostics_frame(out, posterior)
    ident = identifiability(posterior, problem.params)
    sets = draw(posterior, problem.params, PPC_DRAWS, problem.seed)
    ppc = predictive(problem, sets, workers=workers, client=client)
    text = reading(ident, ppc, diag, lang)
    tmp = Path(tempfile.mkdtemp(prefix=".calibrate-tmp-", dir=out))
    try:
        write_parquet(posterior, tmp / POSTERIOR)
        diag.to_csv(tmp / DIAGNOSTICS, index=False)
        ident.to_csv(tmp / IDENTIFIABILITY, index=False)
        ppc.to_csv(tmp / PPC, index=False)
        ppc[ppc["role"] == "held_out"].to_csv(tmp / HOLDOUT, index=False)
        (tmp / FIGURES).mkdir()
        figs = [plot_diagnostics(diag, lang, tmp / FIGURES / FIGURE_FILES[0]),
                plot_marginals(posterior, problem.params, lang, tmp / FIGURES / FIGURE_FILES[1]),
                plot_pairs(posterior, ident, problem.params, lang,
                           tmp / FIGURES / FIGURE_FILES[2]),
                plot_ppc(ppc, lang, tmp / FIGURES / FIGURE_FILES[3])]
        context = page_context(problem, ident, ppc, diag, figs, settings, lang, command)
        (tmp / HTML).write_text(render_page(context), encoding="utf-8")
        for name in (POSTERIOR, DIAGNOSTICS, IDENTIFIABILITY, PPC, HOLDOUT, FIGURES, HTML):
            dest = out / name
            if dest.is_dir():
                shutil.rmtree(dest)
            os.replace(tmp / name, dest)
    except OSError as exc:
        from sim.output import refused_write

        raise refused_write(exc, out, "the calibration's history is kept; rerun with "
                                      "--resume to write its answers") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Result(posterior, diag, ident, ppc, text)


def calibrate(problem: Problem, out: str | Path, *, population: int = DEFAULT_POPULATION,
              generations: int = DEFAULT_GENERATIONS,
              min_epsilon: float = DEFAULT_MIN_EPSILON, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False, force: bool = False,
              lang: str = "zh", command: str = "",
              on_start: Callable[[], None] | None = None,
              on_generation: Callable[[Generation], None] | None = None,
              bar: bool = False) -> Result:
    """Calibrate ``problem`` into ``out`` and write every answer; see the module docstring.

    Args:
        problem: From :func:`build_problem`.
        out: The output directory.
        population: Particles per generation, ≥ 2.
        generations: Generations in all (a resumed calibration counts its stored ones).
        min_epsilon: Stop once a generation's epsilon is at most this (≥ 0).
        workers: Local worker processes (default: one per CPU; 1: in this process).
        scheduler: A Dask scheduler's address (``tcp://host:8786``) instead of local ones.
        resume: Continue the calibration stored in ``out``.
        force: Replace an earlier calibration in ``out``.
        lang: Language of the page and figures.
        command: The command line, for the manifest and the page.
        on_start: Called once every check has passed, before anything is written.
        on_generation: Called after every generation (progress).
        bar: Show pyabc's bar of each generation's accepted particles.

    Raises:
        ConfigError: For bad options or an output directory that may not be used.
    """
    out = Path(out)
    if isinstance(population, bool) or population < 2:
        raise ConfigError("--population", f"must be a whole number ≥ 2 (got {population})")
    if isinstance(generations, bool) or generations < 1:
        raise ConfigError("--generations", f"must be a whole number ≥ 1 (got {generations})")
    if not (math.isfinite(min_epsilon) and min_epsilon >= 0):
        raise ConfigError("--min-epsilon", f"must be a finite number ≥ 0 (got {min_epsilon})")
    if workers is not None and workers < 1:
        raise ConfigError("--workers", f"must be at least 1 (got {workers})")
    if workers is not None and scheduler is not None:
        raise ConfigError("--workers", "cannot be combined with --scheduler: the cluster's "
                                       "workers run the particles")
    settings = {"population": population, "generations": generations,
                "min_epsilon": min_epsilon}
    old = prepare_out(out, problem, settings, resume=resume, force=force)
    if on_start is not None:
        on_start()
    out.mkdir(parents=True, exist_ok=True)
    created = old.get("created") if old else None
    write_manifest(out, make_manifest(problem, settings, command, generations_done(out),
                                      False, created))
    client = None
    if scheduler is not None:
        from sim.experiments.executors import _connect

        client = _connect(scheduler, 20.0)  # the sweeps' rule: probe, connect, a worker
    try:
        def step(gen: Generation) -> None:
            write_manifest(out, make_manifest(problem, settings, command, gen.t + 1, False,
                                              created))
            if on_generation is not None:
                on_generation(gen)

        done = run_abc(problem, out, population=population, generations=generations,
                       min_epsilon=min_epsilon, workers=workers, client=client,
                       on_generation=step, bar=bar)
        result = finish(problem, out, settings, lang=lang, command=command,
                        workers=workers, client=client)
    finally:
        if client is not None:
            client.close()
    write_manifest(out, make_manifest(problem, settings, command, done, True, created))
    return result
