"""The replicate axis: several built runs of one scenario joined into one model, and split again.

A sweep, a comparison or an attribution is many runs of small communities, and a small
community's month is ~1,350 numpy calls whose cost does not depend on its size (decisions
§62). Advancing R runs together in one model pays those calls once for all R. :func:`merge`
takes R runs *built* one by one (each with its own seed, exactly as ``CompoundModel(scn,
rng=seed)`` builds it: building is 2 % of a run) and lays their state one run after another
— households run by run, compounds run by run, open matters in the runs' order — in one
:class:`~sim.model.CompoundModel` whose ``runs`` (:class:`sim.runs.Runs`) holds the runs'
generators. Stepping it is ``CompoundModel.step``, the same code as one run: there is no
second engine. :func:`split` then hands back one :class:`RunResult` per run, with the run's
own monthly data.

**A run's data do not depend on the runs it is merged with.** Every draw made while stepping
names its run (:mod:`sim.runs`); every value the run alone computes over its whole community
is computed over the run's slice (:func:`sim.metrics.community_metrics`, the elections' mean
public spirit); per-compound and per-household work is elementwise; and every index is
offset (compound, building, unit and household ids, matter ids). ``tests/test_replicates.py``
checks this bit for bit: each run of a merged batch gives exactly the data of the run alone,
for every design whose institutions can be merged, on every community preset.

**What is merged is declared.** Each state object's fields are listed here with the axis they
have (:data:`FIELDS`: per household, per compound, an id to offset, a value every run shares);
each institution class declares its own fields in ``replicate`` (``None``: it cannot be merged
yet, and the batch runs its runs one after another instead). A field that is not declared
stops the merge with :class:`~sim.runs.RunAxisError` naming it, so a field added later cannot
be merged by accident.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import pandas as pd
import scipy.sparse as sp

from sim.runs import RunAxisError, Runs

if TYPE_CHECKING:
    from sim.config import Scenario
    from sim.model import CompoundModel

# ---------------------------------------------------------------------------- field kinds

HOUSEHOLD = "household"
"""One entry per household on axis 0: joined run after run."""
HOUSEHOLD_1 = "household:1"
"""One entry per household on axis 1 (``selfgov.members``)."""
COMPOUND = "compound"
"""One entry per compound on axis 0."""
COMPOUND_1 = "compound:1"
"""One entry per compound on axis 1 (``(types, compounds)``, ``(months, compounds)``)."""
MATTER = "matter"
"""One entry per open matter: joined run after run."""
COMPOUND_ID = "compound id"
"""Compound indices (of households, matters): offset by the compounds of the runs before."""
HOUSEHOLD_ID = "household id"
"""Household indices or positions: offset by the households of the runs before."""
BUILDING_ID = "building id"
"""Building ids: offset by the buildings of the runs before."""
UNIT_ID = "unit id"
"""Stairwell-unit ids: offset by the units of the runs before."""
MATTER_ID = "matter id"
"""Matter ids (−1: none): offset by the ids the runs before have issued."""
HOUSEHOLDS = "households"
"""The number of households: summed."""
COMPOUNDS = "compounds"
"""The number of compounds: summed."""
SAME = "same"
"""A value every run has alike (a config section, a month, a constant): checked, kept."""
ANY = "any"
"""A flag that only lets work be skipped where it would change nothing: true if any run's is."""
RESET = "reset"
"""A cache: dropped (``None``), recomputed on first use from the merged state."""
OWN = "own"
"""Joined by the object's own rule in this module (named in its docstring)."""
RUN = "run"
"""One value per run (an array of shape ``(runs,)``, one entry in a single run): joined."""
RECORDS = "records"
"""A list of records (one per event: a campaign, a vote), empty in a run not yet stepped."""
NESTED = "nested"
"""An object (or ``None``) whose class declares its own fields in ``replicate``."""
LEDGER = "ledger"
"""A :class:`sim.ledger.Ledger` with one entry per run (a community's own fund): joined."""

# Fields of the model's state objects, by object. An institution declares its own fields in
# its class attribute ``replicate`` with the same kinds (and ``INSTITUTION`` for another
# institution it refers to, ``RECENT`` for a RecentRates buffer).
FIELDS: dict[str, dict[str, str]] = {
    "population": {
        "n": HOUSEHOLDS, "compound": COMPOUND_ID, "building": BUILDING_ID, "unit": UNIT_ID,
        "arrived": HOUSEHOLD_ID,
        **{name: HOUSEHOLD for name in (
            "group", "tenure", "party", "registered", "ability", "cost_per_yuan",
            "public_spirit", "face_sensitivity", "threshold", "trust", "dependence",
            "grievance", "reputation", "mobilisation", "satisfaction", "committed",
            "decisions")},
    },
    "compounds": {
        "economy": SAME, "n": COMPOUNDS, "first_household": HOUSEHOLD_ID,
        "members": HOUSEHOLD_ID, "_compound": COMPOUND_ID, "_contiguous": OWN,
        "mobilised": ANY, "extra_due": OWN, "contribution_history": COMPOUND_1,
        **{name: COMPOUND for name in (
            "group", "households", "households_float", "rate_divisor", "condition",
            "firm_present", "firm_loss_months", "firm_cost_factor", "firm_patience_bonus",
            "upkeep", "volunteer_upkeep", "visibility_bonus", "public_weight", "last_rates",
            "norm")},
    },
    "ledger": {
        "n": COMPOUNDS, "_window": COMPOUND_1, "_month": SAME, "_closed": RESET,
        "_changes": OWN, "_window_cache": RESET,
        **{name: COMPOUND for name in (
            "total_in", "total_out", "balance", "shortfall", "month_in", "month_out")},
    },
    "matters": {
        "cfg": SAME, "n_compounds": COMPOUNDS, "type_names": SAME, "_type_category": SAME,
        "_type_scope": SAME, "_type_cost": SAME, "_type_rate": SAME, "_violation_driven": SAME,
        "rate_factor": COMPOUND_1, "grace": COMPOUND, "_next_id": OWN, "_scopes": RESET,
        "_scope_table": RESET, "ids": MATTER_ID, "compound": COMPOUND_ID, "target": OWN,
        "resolved_this_month": COMPOUND, "_log": OWN,
        **{name: MATTER for name in ("in_project", "kind", "category", "scope", "cost",
                                     "opened")},
    },
    "selfgov": {
        "n": COMPOUNDS, "bodies": OWN, "_efficiency_state": RESET, "project": MATTER_ID,
        "approved": MATTER_ID, "paid": HOUSEHOLD, "rules": COMPOUND_1,
        "government_handles_small": SAME, "big_speedup": SAME, "members": HOUSEHOLD_1,
        "elected_at": COMPOUND_1, "agents": OWN, "_agents_state": OWN,
        "_next_election": OWN, "_agent_flags": OWN,
        **{name: COMPOUND for name in (
            "hub", "one_shoulder", "efficiency", "project_cost", "project_collected",
            "project_share", "project_start", "project_funders", "project_reward",
            "misuse_pending", "misused_total", "misuse_detected", "projects_done",
            "grievance_relief", "private_fix_bonus", "deterrence", "matching_share",
            "cobuilding_share", "completed", "misuse_factor", "quality")},
    },
}
"""The replicate axis of every field of the model's state objects (see the kinds above)."""

INSTITUTION = "institution"
"""An institution field that refers to another institution of the design (or ``None``)."""
RECENT = "recent"
"""A :class:`sim.institutions.government.RecentRates` buffer (rates per compound on axis 2)."""


@dataclass
class _Offsets:
    """What the runs before a run hold, so that its indices can be moved past theirs."""

    households: int = 0
    compounds: int = 0
    buildings: int = 0
    units: int = 0
    matters: int = 0

    def of(self, kind: str) -> int:
        return {HOUSEHOLD_ID: self.households, COMPOUND_ID: self.compounds,
                BUILDING_ID: self.buildings, UNIT_ID: self.units}[kind]


def _offsets(models: Sequence[CompoundModel]) -> list[_Offsets]:
    out, now = [], _Offsets()
    for model in models:
        out.append(_Offsets(now.households, now.compounds, now.buildings, now.units,
                            now.matters))
        pop = model.population
        now = _Offsets(now.households + pop.n, now.compounds + model.n_compounds,
                       now.buildings + (int(pop.building.max()) + 1 if pop.n else 0),
                       now.units + (int(pop.unit.max()) + 1 if pop.n else 0),
                       now.matters + model.matters._next_id)
    return out


def _same(values: list[Any], where: str) -> Any:
    first = values[0]
    for value in values[1:]:
        equal = (np.array_equal(first, value) if isinstance(first, np.ndarray)
                 else value is first or value == first)
        if not equal:
            raise RunAxisError(f"{where} differs between the runs; runs merged on a replicate "
                               "axis must share their scenario")
    return first


def _join(kind: str, values: list[Any], offsets: list[_Offsets], where: str) -> Any:
    """Join one field's values of the runs by its kind (not :data:`OWN`)."""
    if kind in (HOUSEHOLD, COMPOUND, MATTER):
        return np.concatenate(values)
    if kind in (HOUSEHOLD_1, COMPOUND_1):
        return np.concatenate(values, axis=1)
    if kind in (HOUSEHOLD_ID, COMPOUND_ID, BUILDING_ID, UNIT_ID):
        return np.concatenate([v + o.of(kind) for v, o in zip(values, offsets, strict=True)])
    if kind == MATTER_ID:
        return np.concatenate([np.where(v >= 0, v + o.matters, v)
                               for v, o in zip(values, offsets, strict=True)])
    if kind == RUN:
        return np.concatenate([np.asarray(v).reshape(-1) for v in values])
    if kind == RECORDS:
        if any(values):
            raise RunAxisError(f"{where}: records of a run already stepped")
        return []
    if kind == NESTED:
        if all(v is None for v in values):
            return None
        declared = type(values[0]).replicate
        return merge_fields(values, declared, offsets, where)
    if kind == LEDGER:
        return _merge_ledger(values, offsets, where)
    if kind in (HOUSEHOLDS, COMPOUNDS):
        return int(sum(values))
    if kind == SAME:
        return _same(values, where)
    if kind == ANY:
        return bool(any(values))
    if kind == RESET:
        return None
    raise RunAxisError(f"{where}: unknown replicate kind {kind!r}")


def merge_fields(parts: Sequence[Any], fields: Mapping[str, str], offsets: list[_Offsets],
                 where: str, own: Mapping[str, Callable[[list[Any]], Any]] | None = None,
                 skip: tuple[str, ...] = ()) -> Any:
    """A new object of ``parts[0]``'s class whose fields join the parts' by their kinds.

    Args:
        parts: The runs' objects, in run order.
        fields: Each field's kind; every field of the objects must be named.
        offsets: What the runs before each run hold.
        where: The object's name, for errors.
        own: For fields of kind :data:`OWN`, the function that joins their values.
        skip: Fields set by the caller afterwards.

    Raises:
        RunAxisError: For a field with no declared kind, or one whose runs differ where they
            must not.
    """
    own = own or {}
    obj = object.__new__(type(parts[0]))
    for name in vars(parts[0]):
        if name in skip:
            continue
        if name not in fields:
            raise RunAxisError(f"{where}.{name} has no declared replicate axis "
                               "(sim.replicates.FIELDS or the institution's `replicate`)")
        values = [vars(p)[name] for p in parts]
        kind = fields[name]
        if kind == OWN:
            if name not in own:
                raise RunAxisError(f"{where}.{name}: no rule joins it")
            value = own[name](values)
        else:
            value = _join(kind, values, offsets, f"{where}.{name}")
        object.__setattr__(obj, name, value)
    return obj


# ---------------------------------------------------------------------------- objects


def _merge_population(models: Sequence[CompoundModel], offsets: list[_Offsets]) -> Any:
    return merge_fields([m.population for m in models], FIELDS["population"], offsets,
                        "population")


def _merge_compounds(models: Sequence[CompoundModel], offsets: list[_Offsets]) -> Any:
    def extra_due(values: list[Any]) -> np.ndarray | None:
        # None asks nothing of anyone: the same as zeros (fee + 0.0 is the fee exactly).
        if all(v is None for v in values):
            return None
        return np.concatenate([np.zeros(m.population.n) if v is None else v
                               for v, m in zip(values, models, strict=True)])

    def contiguous(values: list[Any]) -> bool:
        if not all(values):
            raise RunAxisError("compounds: a run whose compounds' households are not "
                               "contiguous (a given network) cannot be merged")
        return True

    return merge_fields([m.compounds for m in models], FIELDS["compounds"], offsets,
                        "compounds", own={"extra_due": extra_due, "_contiguous": contiguous})


def _merge_ledger(ledgers: Sequence[Any], offsets: list[_Offsets], where: str) -> Any:
    return merge_fields(list(ledgers), FIELDS["ledger"], offsets, where,
                        own={"_changes": lambda values: 0})


def _merge_matters(models: Sequence[CompoundModel], offsets: list[_Offsets]) -> Any:
    books = [m.matters for m in models]

    def target(values: list[Any]) -> np.ndarray:
        # A matter's target is a compound, building, unit or household id, by its scope.
        kinds = (COMPOUND_ID, BUILDING_ID, UNIT_ID, HOUSEHOLD_ID)
        return np.concatenate([
            v + np.array([o.of(k) for k in kinds], dtype=np.int64)[book.scope]
            for v, o, book in zip(values, offsets, books, strict=True)])

    def log(values: list[Any]) -> list[dict[str, np.ndarray]]:
        out = []
        for entries, o in zip(values, offsets, strict=True):
            for entry in entries:
                moved = dict(entry)
                moved["id"] = entry["id"] + o.matters
                moved["compound"] = entry["compound"] + o.compounds
                out.append(moved)
        return out

    return merge_fields(books, FIELDS["matters"], offsets, "matters", own={
        "target": target, "_log": log, "_next_id": lambda values: int(sum(values))})


def _merge_selfgov(models: Sequence[CompoundModel], offsets: list[_Offsets]) -> Any:
    def by_body(values: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
        return {name: np.concatenate([v[name] for v in values]) for name in values[0]}

    return merge_fields([m.selfgov for m in models], FIELDS["selfgov"], offsets, "selfgov",
                        own={"bodies": by_body, "_agent_flags": by_body,
                             "_next_election": min},
                        skip=("agents", "_agents_state"))


def _merge_network(models: Sequence[CompoundModel], offsets: list[_Offsets]) -> Any:
    from sim.network import Network

    nets = [m.network for m in models]
    for net in nets:
        extra = set(vars(net)) - {"adjacency", "degree", "unit_known", "inverse_degree",
                                  "isolated", "tie_rows", "wide"}
        if extra:
            raise RunAxisError(f"network.{sorted(extra)[0]} has no declared replicate axis")
    n = sum(m.population.n for m in models)
    indptr = [np.zeros(1, dtype=np.int64)]
    stored = 0
    for net in nets:
        indptr.append(net.adjacency.indptr[1:].astype(np.int64) + stored)
        stored += int(net.adjacency.indptr[-1])
    adjacency = sp.csr_array((
        np.concatenate([net.adjacency.data for net in nets]),
        np.concatenate([net.adjacency.indices.astype(np.int64) + o.households
                        for net, o in zip(nets, offsets, strict=True)]),
        np.concatenate(indptr)), shape=(n, n))
    return Network(adjacency, np.concatenate([net.degree for net in nets]),
                   np.concatenate([net.unit_known for net in nets]))


def _merge_layout(models: Sequence[CompoundModel], offsets: list[_Offsets]) -> Any:
    from sim.network import Layout

    layouts = [m.layout for m in models]
    return Layout(
        compound=np.concatenate([x.compound + o.compounds for x, o in zip(layouts, offsets,
                                                                          strict=True)]),
        building=np.concatenate([x.building + o.buildings for x, o in zip(layouts, offsets,
                                                                          strict=True)]),
        unit=np.concatenate([x.unit + o.units for x, o in zip(layouts, offsets, strict=True)]),
        floating=np.concatenate([x.floating for x in layouts]))


def _merge_institutions(merged: CompoundModel, models: Sequence[CompoundModel],
                        offsets: list[_Offsets]) -> None:
    from sim.institutions.government import RecentRates

    names = [[inst.name for inst in m.institutions] for m in models]
    _same(names, "the design's institutions")
    joined: dict[int, Any] = {}  # id of the first run's instance → merged instance
    for position, first in enumerate(models[0].institutions):
        parts = [m.institutions[position] for m in models]
        declared = type(first).replicate
        if declared is None:
            raise RunAxisError(f"{first.name} cannot yet be advanced with other runs "
                               "(it declares no replicate axis)")

        def recent(values: list[Any]) -> Any:
            _same([v.count for v in values], "RecentRates.count")
            buffer = object.__new__(RecentRates)
            buffer.months = values[0].months
            buffer.count = values[0].count
            buffer.data = np.concatenate([v.data for v in values], axis=2)
            return buffer

        fields = {"model": OWN, "params": SAME, **{
            name: (OWN if kind in (INSTITUTION, RECENT) else kind)
            for name, kind in declared.items()}}
        own: dict[str, Callable[[list[Any]], Any]] = {"model": lambda values: merged}
        for name, kind in declared.items():
            if kind == RECENT:
                own[name] = recent
            elif kind == INSTITUTION:
                own[name] = lambda values: values[0]  # resolved below, once all exist
        inst = merge_fields(parts, fields, offsets, first.name, own=own)
        joined[id(first)] = inst
    for first in models[0].institutions:
        inst = joined[id(first)]
        for name, kind in type(first).replicate.items():
            ref = vars(inst).get(name)
            if kind == INSTITUTION and ref is not None and ref is not False:
                setattr(inst, name, joined[id(ref)])
    merged.institutions = [joined[id(inst)] for inst in models[0].institutions]
    merged.phases = {phase: [joined[id(inst)] for inst in members]
                     for phase, members in models[0].phases.items()}


# ---------------------------------------------------------------------------- the model


class _NoGenerator:
    """Stands for ``model.rng`` in a merged model: every draw must name its run."""

    def __getattr__(self, name: str) -> Any:
        raise RunAxisError("a merged model has no generator of its own; draws go through "
                           "model.runs (sim.runs)")


def ready(models: Sequence[CompoundModel]) -> str | None:
    """Why these built runs cannot be merged, or ``None`` if they can."""
    for inst in models[0].institutions:
        if type(inst).replicate is None:
            return f"{inst.name} declares no replicate axis"
    return None


def merge(models: Sequence[CompoundModel]) -> CompoundModel:
    """Join freshly built runs of one scenario into one model that advances them together.

    Args:
        models: Two or more models built with their own seeds and not yet stepped.

    Returns:
        A model whose state is the runs' state one run after another and whose ``runs``
        holds their generators; step it with :meth:`~sim.model.CompoundModel.run`, then
        :func:`split` it.

    Raises:
        RunAxisError: If the runs cannot be merged (an institution that declares no
            replicate axis, runs of different scenarios, a run already stepped).
    """
    from sim.firm import PropertyFirm
    from sim.institutions.government import Government
    from sim.model import CompoundModel

    if len(models) < 2:
        raise RunAxisError("merge needs two runs or more")
    if any(m.steps for m in models):
        raise RunAxisError("only runs not yet stepped can be merged")
    why = ready(models)
    if why:
        raise RunAxisError(why)
    _same([m.config for m in models], "the scenario")
    _same([(m.population.n, m.n_compounds) for m in models],
          "the number of households and compounds")  # a given network may differ per run
    offsets = _offsets(models)
    merged = CompoundModel.__new__(CompoundModel)
    mesa.Model.__init__(merged, rng=models[0].seed)
    merged.rng = _NoGenerator()  # type: ignore[assignment]
    merged.seed = models[0].seed
    merged.config = models[0].config
    merged.changed = True
    merged._rates = None
    merged._rate_table = np.concatenate([m._rate_table for m in models])
    merged.firm_exits = np.zeros(len(models), dtype=np.int64)
    merged.firm_entries = np.zeros(len(models), dtype=np.int64)
    merged.firms = []
    merged.population = _merge_population(models, offsets)
    merged.n_compounds = int(sum(m.n_compounds for m in models))
    merged.runs = Runs([m.rng for m in models], [m.population.n for m in models],
                       [m.n_compounds for m in models])
    merged.network = _merge_network(models, offsets)
    merged.layout = _merge_layout(models, offsets)
    merged.compounds = _merge_compounds(models, offsets)
    merged.ledger = _merge_ledger([m.ledger for m in models], offsets, "ledger")
    merged.matters = _merge_matters(models, offsets)
    merged.selfgov = _merge_selfgov(models, offsets)
    merged._households_created = False
    merged.government = Government(merged)
    for model, o in zip(models, offsets, strict=True):
        for agent in model.firms:
            twin = PropertyFirm(merged, agent.compound + o.compounds, red=agent.red)
            twin.entered = agent.entered
    _merge_institutions(merged, models, offsets)
    _merge_bodies(merged, models, offsets)
    merged.rule = type(models[0].rule).derive(merged)
    merged.datacollector = None  # type: ignore[assignment]  # each run keeps its own
    merged.collectors = [m.datacollector for m in models]
    merged._compound_records = []
    merged.current_compound_metrics = {
        name: np.concatenate([m.current_compound_metrics[name] for m in models])
        for name in models[0].current_compound_metrics}
    merged.current_metrics = {}
    merged.run_tables = []  # each month's (runs, columns) community values
    merged.merged_from = [_Start(m.seed, m.population.n, m.n_compounds, m._compound_records,
                                 m.compounds.group) for m in models]
    return merged


def _merge_bodies(merged: CompoundModel, models: Sequence[CompoundModel],
                  offsets: list[_Offsets]) -> None:
    """The Body agents of every run, in the merged model (:mod:`sim.bodies`)."""
    from sim.bodies import Body, _state

    sg = merged.selfgov
    sg.agents = {}
    for model, o in zip(models, offsets, strict=True):
        for kind, c in model.selfgov.agents:
            sg.agents[kind, c + o.compounds] = Body(merged, kind, c + o.compounds)
    sg._agents_state = _state(merged)


# ---------------------------------------------------------------------------- results


@dataclass
class _Start:
    """What a run held when it was merged: its seed, sizes, month 0 and its compounds' groups."""

    seed: int
    households: int
    compounds: int
    records: list[dict[str, np.ndarray]]
    groups: np.ndarray


@dataclass
class _Households:
    n: int


@dataclass
class RunResult:
    """One run of a merged batch, as the outputs of a run read it.

    It has what :func:`sim.output.timeseries_frame` and the sweeps' part files read of a
    finished model: ``datacollector`` (the run's own, with one row per month),
    ``population.n``, ``n_compounds``, ``firm_entries``, ``firm_exits``, ``steps``,
    ``seed``, ``config``, :meth:`metadata` and :meth:`compound_dataframe`.
    """

    seed: int
    config: Scenario
    steps: int
    population: _Households
    n_compounds: int
    firm_entries: int
    firm_exits: int
    datacollector: mesa.DataCollector
    start_records: list[dict[str, np.ndarray]] = field(repr=False)
    """The run's per-compound values of the months before it was merged (month 0)."""
    merged_records: list[dict[str, np.ndarray]] = field(repr=False)
    """Every run's per-compound values of each merged month, shared by the batch's runs."""
    compounds: slice = field(repr=False)
    """The run's compounds among the merged model's."""
    groups: np.ndarray = field(repr=False)

    @property
    def records(self) -> list[dict[str, np.ndarray]]:
        """Per month, the run's per-compound values (sliced from the batch's on request)."""
        sl = self.compounds
        return list(self.start_records) + [{name: values[sl] for name, values in rec.items()}
                                           for rec in self.merged_records]

    def metadata(self) -> dict[str, Any]:
        """Seed, resolved config and versions, as ``CompoundModel.metadata`` gives them."""
        from sim.model import run_metadata

        return run_metadata(self.seed, self.steps, self.population.n, self.n_compounds,
                            self.config)

    def timeseries(self) -> pd.DataFrame:
        """The monthly community values (:func:`sim.output.timeseries_frame`)."""
        from sim.output import timeseries_frame

        return timeseries_frame(self)  # type: ignore[arg-type]

    def compound_dataframe(self) -> pd.DataFrame:
        """Per-compound values: one row per month and compound."""
        from sim.model import compound_frame

        return compound_frame(self.records, self.groups, self.config)


def split(merged: CompoundModel) -> list[RunResult]:
    """Each run of a merged model, with its own data (see :class:`RunResult`).

    Each run's collector gets the run's monthly values, exactly what Mesa's ``collect``
    would have stored for the run alone (one float per column and month); call it once,
    after stepping.
    """
    from sim.metrics import COLUMNS

    tables = merged.run_tables
    merged.run_tables = []
    if tables:
        values = np.stack(tables)  # (months, runs, columns)
        for r, collector in enumerate(merged.collectors):
            for j, name in enumerate(COLUMNS):
                collector.model_vars[name].extend(values[:, r, j].tolist())
    out = []
    records = list(merged._compound_records)  # the months stepped so far, shared by the runs
    for r, (start, sl, collector) in enumerate(zip(merged.merged_from,
                                                   merged.runs.compound_slices,
                                                   merged.collectors, strict=True)):
        out.append(RunResult(
            seed=start.seed, config=merged.config, steps=merged.steps,
            population=_Households(start.households), n_compounds=start.compounds,
            firm_entries=int(merged.firm_entries[r]), firm_exits=int(merged.firm_exits[r]),
            datacollector=collector, start_records=start.records, merged_records=records,
            compounds=sl, groups=start.groups))
    return out
