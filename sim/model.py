"""CompoundModel: one community of compounds, month by month.

Each month (one Mesa step), in this order:

0. the ledger closes last month's flows; coordination efficiency is updated
   from the bodies present;
1. new matters arrive (more where condition is poor or rules are broken);
2. institutions act before decisions (``before_decisions``);
3. every household decides whether to contribute, comply, volunteer,
   participate and petition — one vectorised logit update with face pressure;
4. fees are collected; firms pay overhead, small matters and upkeep; where no
   firm serves, the residents' committee spends the cleaning fee on upkeep;
5. institutions act after decisions (government handling, campaigns…);
6. households fix some of their private matters;
7. condition decays and is restored by this month's upkeep and volunteering;
8. grievance, satisfaction, trust, dependence, reputation and mobilisation
   are updated; firms with sustained low collection exit;
9. institutions act at month end; the ledger is checked; data are collected.
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.experimental.scenarios import Scenario as MesaScenario

from sim import behaviour, firm, kernels, turnover
from sim.bodies import sync as sync_bodies
from sim.compounds import Compounds
from sim.config import Scenario, load_config
from sim.errors import ConfigError
from sim.institutions.government import Government
from sim.institutions.registry import build as build_institutions
from sim.ledger import Ledger
from sim.matters import MatterBook
from sim.metrics import (
    COLUMNS,
    MODEL_REPORTERS,
    community_table,
    compound_metrics,
    compute_metrics,
)
from sim.network import Network, build_network, expected_ties, from_networkx, to_networkx
from sim.population import Population, build_layout, create_agents, layout_for_graph
from sim.runs import Runs
from sim.seeding import SeedLike, make_rng
from sim.selfgov import SelfGovernance
from sim.versions import package_version, versions


class CompoundModel(mesa.Model):
    """A community (社区) of residential compounds (小区) under one governance design.

    Args:
        scenario: A :class:`~sim.config.Scenario`, a path or preset name, a
            mapping, or ``None`` for the default scenario (baseline design on
            ``generic_old_compound``). Mesa's own ``Scenario`` (passed by
            SolaraViz on reset) counts as ``None`` apart from its ``rng``.
        rng: Seed of the model's single generator: an int, a numpy Generator
            or None (a seed is drawn). The seed used is ``model.seed``.
        network: Optional networkx graph to use instead of the layout-based
            network; nodes are households in ``list(network.nodes)`` order.
        **fields: Scenario fields as keyword arguments, for Mesa's
            ``batch_run`` and SolaraViz: ``design="baseline"``,
            ``community="heping_road"``, nested fields with a double
            underscore such as ``behaviour__noise=0.2``.
        simulator: Optional Mesa discrete-event simulator to set up with this model.

    Attributes:
        config: The resolved :class:`~sim.config.Scenario`.
        seed: The integer seed actually used.
        population: Household state arrays.
        compounds: Compound state arrays.
        ledger: Money accounts per compound.
        matters: Open and resolved matters.
        selfgov: Bodies, coordination and residents' projects per compound.
        network: The neighbour network (sparse).
        runs: The runs this model advances (one, for a model built here) and their
            generators; every draw made while stepping goes through it (:mod:`sim.runs`).
        government: The Government agent.
        firms: The PropertyFirm agents serving now.
        institutions: Institutions of the design, in the order of
            :data:`sim.institutions.registry.INSTITUTIONS` (which agrees with every phase's).
        phases: Per phase (:data:`sim.institutions.base.PHASES`), the institutions that act
            in it, in the order of :data:`sim.schedule.PHASE_ORDER`.
        rule: Constants of the decision rule, derived once at set-up
            (:class:`~sim.behaviour.RuleConstants`).
        datacollector: Mesa DataCollector with one column per output.
    """

    def __init__(self, scenario: Scenario | str | dict[str, Any] | MesaScenario | None = None,
                 *, rng: SeedLike = None, network: nx.Graph | None = None,
                 simulator: Any = None, **fields: Any) -> None:
        if isinstance(scenario, MesaScenario):
            # SolaraViz's reset passes Mesa's own Scenario; our fields come as keywords.
            if rng is None:
                rng = scenario.rng
            scenario = None
        config = _as_scenario(scenario)
        if fields:
            config = config.override(fields)
        if network is not None:
            if not isinstance(network, nx.Graph):
                raise ConfigError("network", "must be a networkx graph whose nodes are "
                                             "households")
            if network.number_of_nodes() == 0:
                raise ConfigError("network", "the graph has no nodes; give a graph with one "
                                             "node per household")
        check_memory(estimate_memory(config, graph=network))  # before anything is allocated
        kernels.require()  # numba: a one-line error if it is missing, before any work
        if rng is None:
            rng = config.run.seed
        generator, seed = make_rng(rng)
        super().__init__(rng=seed)
        self.rng = generator  # the one generator every draw uses
        self.seed = seed
        self.config = config
        self.changed = True
        self._rates: dict[str, np.ndarray] | None = None
        self._rate_table = np.zeros((0, 5))  # the rates above as columns, action order
        self.firm_exits = 0
        self.firm_entries = 0
        self.firms: list[firm.PropertyFirm] = []

        if network is not None:
            layout, groups = layout_for_graph(network, config.community, self.rng)
            self.network: Network = from_networkx(network, layout)
        else:
            layout, groups = build_layout(config.community, self.rng)
            self.network = build_network(layout, config.community.network, self.rng)
        self.layout = layout
        self.population = Population(config, layout, groups, self.rng)
        self.n_compounds = int(groups.size)
        # Every draw made while stepping names its run (sim.runs); a model built here is one run.
        self.runs = Runs.single(self.rng, self.population.n, self.n_compounds)
        self.compounds = Compounds(config.community, config.economy, self.population, groups)
        self.ledger = Ledger(self.n_compounds)
        self.matters = MatterBook(config.matters, self.n_compounds)
        self._open_initial_matters()
        self.selfgov = SelfGovernance(self)

        self._households_created = False  # Resident agents are created on first use
        self.government = Government(self)
        for c in np.flatnonzero(self.compounds.firm_present):
            firm.PropertyFirm(self, int(c))
        self.institutions, self.phases = build_institutions(self)
        self.run_phase("setup")
        sync_bodies(self)  # members chosen, Body agents created (sim.bodies)
        self.selfgov.update_efficiency(self)

        # The decision rule's constants, once the institutions have set visibility up.
        self.rule = behaviour.RuleConstants.derive(self)
        if simulator is not None:  # Mesa's discrete-event simulators drive step()
            simulator.setup(self)
        self.datacollector = mesa.DataCollector(model_reporters=dict(MODEL_REPORTERS))
        self._compound_records: list[dict[str, np.ndarray]] = []
        self._refresh_metrics()
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ agents

    @property
    def agents(self):  # type: ignore[override]
        """All agents; household agents are created on first access.

        The monthly update works on arrays and never needs the household
        agents, so they are made only when someone asks for them through
        Mesa's agent APIs (``agents``, ``agents_by_type``) — a cascade on a
        given graph then costs no more than the arrays it needs.
        """
        self._create_household_agents()
        return super().agents

    @property
    def agents_by_type(self):  # type: ignore[override]
        """Agents by class; household agents are created on first access."""
        self._create_household_agents()
        return super().agents_by_type

    def _create_household_agents(self) -> None:
        if not self._households_created:
            self._households_created = True
            create_agents(self)

    # ------------------------------------------------------------------ stepping

    def step(self) -> None:
        """Advance the community by one month."""
        self._rates = None
        self.ledger.new_month()
        turnover.move(self)  # households move out, newcomers move in (sim.turnover)
        self.selfgov.update_efficiency(self)
        self.matters.arrive(self)
        self.run_phase("before_decisions")
        behaviour.decide(self)
        self._rates = None  # actions changed
        firm.collect_and_serve(self)
        self.run_phase("after_decisions")
        self._fix_private_matters()
        rates = self.compound_rates()
        self.compounds.volunteer_upkeep += (rates["volunteer_rate"] * self.compounds.households
                                            * self.config.economy.volunteer_value)
        self.compounds.update_condition(1.0 - rates["compliance_rate"])
        self._update_beliefs()
        firm.exits(self)
        self.run_phase("month_end")
        sync_bodies(self)  # bodies formed or dissolved this month: elections, Body agents
        self.ledger.check()
        self._refresh_metrics()
        self._collect()

    def _collect(self) -> None:
        """Record this month's values in Mesa's collector.

        Runs merged on a replicate axis (:mod:`sim.replicates`) keep this month's values of
        every run in ``run_tables`` instead; :func:`sim.replicates.split` hands each run
        its own, in the collector it was built with.
        """
        if self.runs.n == 1:
            self.datacollector.collect(self)

    def run_phase(self, phase: str) -> None:
        """Let the design's institutions act in ``phase``, in the order of :mod:`sim.schedule`."""
        for inst in self.phases[phase]:
            getattr(inst, phase)(self)

    def run(self, steps: int | None = None, *, progress: bool = False,
            until_stable: bool = False) -> CompoundModel:
        """Run for ``steps`` months (default: the scenario's ``run.steps``).

        Args:
            steps: Months to run; must be ≥ 0.
            progress: Show a progress bar.
            until_stable: Stop early once no household changed any action in a
                month (useful for threshold cascades at zero noise).

        Returns:
            The model itself, for chaining.
        """
        steps = self.config.run.steps if steps is None else steps
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
            raise ConfigError("steps", f"must be a whole number ≥ 0 (got {steps!r})")
        if self.steps + steps > self.config.run.steps:  # longer than checked when built
            check_memory(estimate_memory(self.config, steps=self.steps + int(steps),
                                         households=self.population.n))
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=int(steps), unit="month", desc=self.config.name, leave=False)
        try:
            for _ in range(int(steps)):
                self.step()
                if bar is not None:
                    bar.update(1)
                if until_stable and not self.changed:
                    break
        finally:
            if bar is not None:
                bar.close()
        return self

    # ------------------------------------------------------------------ updates

    def compound_rates(self) -> dict[str, np.ndarray]:
        """This month's action and petition rates per compound (shares of households).

        Also holds the counts ``violations`` and ``petitions`` (households).
        """
        if self._rates is None:
            pop = self.population
            sums = self.compounds.total(pop.decisions)
            shares = sums / self.compounds.rate_divisor
            names = ("contribution_rate", "compliance_rate", "volunteer_rate",
                     "participation_rate", "petition_rate")
            self._rate_table = shares
            self._rates = {name: shares[:, j] for j, name in enumerate(names)}
            self._rates["violations"] = self.compounds.households - sums[:, 1]
            self._rates["petitions"] = sums[:, 4]
        return self._rates

    def _open_initial_matters(self) -> None:
        """Open the matters each group lists in ``open_matters`` (e.g. broken lights)."""
        book = self.matters
        for g_idx, group in enumerate(self.config.community.groups):
            for name in group.open_matters:
                if name not in book.type_names:
                    raise ConfigError(f"community.groups.{g_idx}.open_matters",
                                      f"unknown matter type '{name}' (allowed: "
                                      f"{', '.join(book.type_names)})")
                comps = np.flatnonzero(self.compounds.group == g_idx)
                first = self.compounds.members[self.compounds.first_household[comps]]
                scope = self.config.matters.types[book.type_index(name)].scope
                pop = self.population
                targets = {"compound": comps, "building": pop.building[first],
                           "unit": pop.unit[first], "household": first}[scope]
                book.add(comps, np.full(comps.size, book.type_index(name)), targets, 0)

    def _fix_private_matters(self) -> None:
        """Households fix their own private matters at their own cost."""
        book = self.matters
        if book.n_open == 0:
            return
        private = book.category == book.category_index("private")
        rate = self.config.matters.private_fix_rate + self.selfgov.private_fix_bonus[book.compound]
        fix = private & (self.runs.random(self.runs.of(book.compound)) < rate)
        book.resolve(fix, self.steps, "household")

    def _update_beliefs(self) -> None:
        """Grievance, satisfaction, trust, dependence, reputation, mobilisation.

        Updates that cannot change anything this month (no open matters and no
        grievance; no government money; nobody mobilised) are skipped. After grievance,
        satisfaction, trust and dependence move in one compiled pass
        (:func:`sim.kernels.update_beliefs`), then reputation
        (:func:`sim.behaviour.update_reputation`).
        """
        pop, cfg = self.population, self.config
        mat, learn = cfg.matters, cfg.behaviour.learning
        has_grievance = bool(self.matters.n_open or pop.grievance.any())
        if has_grievance:
            touching = self.matters.touching(self)
            pressure = 1.0 - kernels.exp(-touching / 3.0)
            growth = mat.grievance_rate * pressure * (1.0 - pop.grievance)
            decay = mat.grievance_decay + self.selfgov.grievance_relief[pop.compound]
            pop.grievance = np.clip(pop.grievance + growth - decay * pop.grievance, 0.0, 1.0)
        gov_share = self.ledger.government_share()
        seen = ~np.isnan(gov_share)
        pop.satisfaction = np.empty(pop.n)
        kernels.update_beliefs(
            pop.compound, self.compounds.condition, pop.grievance, has_grievance,
            pop.trust, learn.trust, pop.dependence, gov_share, seen, learn.dependence,
            pop.satisfaction)
        behaviour.update_reputation(self)  # seen record, then gossip along ties
        if self.compounds.mobilised:
            pop.mobilisation *= 1.0 - learn.mobilisation_decay

    def _refresh_metrics(self) -> None:
        if self.institutions:  # they may have changed actions since the decisions
            self._rates = None
        if self.runs.n == 1:
            self.current_metrics, self.current_compound_metrics = compute_metrics(self)
        else:  # runs merged on a replicate axis (sim.replicates): each run's own values
            per = self.current_compound_metrics = compound_metrics(self)
            self.run_tables.append(community_table(self, per, self.runs.n))
        self.compound_rates()
        # The four action rates, as a new (compounds, 4) array.
        self.compounds.last_rates = np.ascontiguousarray(self._rate_table[:, :4])
        self._compound_records.append(self.current_compound_metrics)

    # ------------------------------------------------------------------ outputs

    def compound_dataframe(self) -> pd.DataFrame:
        """Per-compound values: one row per month and compound."""
        return compound_frame(self._compound_records, self.compounds.group, self.config)

    def graph(self) -> nx.Graph:
        """The neighbour network as a networkx graph (built on request)."""
        return to_networkx(self.network, self.layout)

    def metadata(self) -> dict[str, Any]:
        """Seed, resolved config and versions, for ``run.json``."""
        return run_metadata(self.seed, self.steps, self.population.n, self.n_compounds,
                            self.config)


def compound_frame(records: list[dict[str, np.ndarray]], groups: np.ndarray,
                   config: Scenario) -> pd.DataFrame:
    """One row per month and compound, from each month's per-compound values.

    One function for a model alone and for a run of a merged batch
    (:class:`sim.replicates.RunResult`).

    Args:
        records: Per month, each column's values, one per compound.
        groups: Each compound's group (an index into ``config.community.groups``).
        config: The scenario, for the groups' names.
    """
    months, n = len(records), groups.size
    data: dict[str, Any] = {
        "month": np.repeat(np.arange(months), n),
        "compound": np.tile(np.arange(n), months),
        "group": np.tile([config.community.groups[g].name for g in groups], months),
    }
    for name in COLUMNS:
        data[name] = np.concatenate([rec[name] for rec in records])
    return pd.DataFrame(data)


def run_metadata(seed: int | None, steps: int, households: int, compounds: int,
                 config: Scenario) -> dict[str, Any]:
    """What ``run.json`` and a part file record of a run: seed, sizes, resolved config, versions.

    One function for a model alone and for a run of a merged batch
    (:class:`sim.replicates.RunResult`), so both record the same fields.
    """
    return {
        "seed": seed,
        "steps": steps,
        "households": households,
        "compounds": compounds,
        "config": config.to_dict(),
        "versions": versions(),
        "package_version": package_version(),
    }


# --------------------------------------------------------------------------- memory

BYTES_PER_HOUSEHOLD = 600
"""Peak bytes per household while a model is built and stepped, network apart.

Measured with tracemalloc (issue 9): about 180 bytes while the arrays are
built, 450 resident and 200 more of temporaries during a month.
"""
BYTES_PER_CANDIDATE_PAIR = 32
"""Bytes per pair of households of one stairwell unit while its ties are drawn."""
BYTES_PER_TIE = 96
"""Bytes per neighbour tie: drawn pairs, their symmetric copies and the sparse matrix."""
BYTES_PER_MATTER = 100
"""Bytes per matter over a run: its open arrays, then its entry in the resolution log."""
BYTES_PER_COMPOUND_MONTH = 8 * 24
"""Bytes of the per-compound records kept each month (one float per column)."""


@dataclass(frozen=True)
class MemoryNeed:
    """Estimated peak memory of a run, by the field that drives each part.

    Attributes:
        parts: ``(field, bytes, what)`` per part: the households of each compound
            group with their ties, the matters of each type, the per-compound
            records; ``what`` says in words what is counted.
    """

    parts: tuple[tuple[str, float, str], ...]

    @property
    def total(self) -> float:
        """Bytes of all parts."""
        return float(sum(part[1] for part in self.parts))


def estimate_memory(scn: Scenario, *, graph: nx.Graph | None = None, steps: int | None = None,
                    households: int | None = None) -> MemoryNeed:
    """Estimate the memory a run of ``scn`` needs, from sizes alone (no allocation).

    Counts households × :data:`BYTES_PER_HOUSEHOLD`; for the layout-based
    network the pairs drawn in each stairwell unit and the expected ties
    (:func:`sim.network.expected_ties`); the matters arriving over the run at
    the groups' initial condition (a matter stays in memory, open or logged);
    and the per-compound monthly records. The arithmetic is a few operations
    per group and matter type, so the check costs nothing measurable.

    Args:
        scn: The scenario.
        graph: The user's network, if any: its nodes are the households (its
            edges are already in memory, and ours take less).
        steps: Months to count (default ``run.steps``).
        households: Households of a model already built (default: from the
            community or the graph).

    Returns:
        The estimate, by part.
    """
    community, mat = scn.community, scn.matters
    steps = scn.run.steps if steps is None else steps
    parts: list[tuple[str, float, str]] = []
    if graph is not None or households is not None:
        n = graph.number_of_nodes() if graph is not None else int(households or 0)
        parts.append(("network" if graph is not None else "community",
                      float(n) * BYTES_PER_HOUSEHOLD, f"{n:,} households"))
    else:
        for g_idx, g in enumerate(community.groups):
            units = g.buildings * g.units_per_building
            pairs, ties = expected_ties(g.households, units, g.floating_share, community.network)
            n = g.count * g.households
            need = g.count * (g.households * BYTES_PER_HOUSEHOLD + pairs * BYTES_PER_CANDIDATE_PAIR
                              + ties * BYTES_PER_TIE)
            largest = -(-g.households // units)
            parts.append((f"community.groups.{g_idx}.households", float(need),
                          f"{g.count:,} compound{'s' * (g.count != 1)} × {g.households:,} "
                          f"households = {n:,} "
                          f"households with about {g.count * ties:,.0f} neighbour ties, "
                          f"stairwell units of up to {largest:,} households"))
    if mat.arrival_scale > 0:
        for t_idx, t in enumerate(mat.types):
            base = 0.0
            for g in community.groups:
                factor = 1.0 if t.violation_driven else max(
                    0.0, 1.0 + mat.condition_sensitivity * (0.5 - g.condition))
                base += g.count * g.households * factor
            matters = mat.arrival_scale * t.rate / 100.0 * base * steps
            parts.append((f"matters.types.{t_idx}.rate", matters * BYTES_PER_MATTER,
                          f"about {matters:,.0f} '{t.name}' matters over {steps:,} months"))
    compounds = community.n_compounds if graph is None else 1
    parts.append(("run.steps", float(compounds) * (steps + 1) * BYTES_PER_COMPOUND_MONTH,
                  f"{compounds:,} compounds × {steps:,} months of per-compound records"))
    return MemoryNeed(tuple(parts))


_MEMORY_HINTS = {
    "community": "use fewer households, or more buildings or units per building so that "
                 "stairwell units are smaller",
    "network": "use a smaller graph",
    "matters": "lower the rate, matters.arrival_scale or run.steps",
    "run": "run fewer months or fewer compounds",
}


def memory_limit() -> float:
    """Bytes of memory a run may use: the machine's physical memory, or a smaller cgroup limit.

    Returns ``inf`` where neither can be read (the check is then skipped).
    """
    limit = math.inf
    with contextlib.suppress(ValueError, OSError, AttributeError):
        limit = float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    with contextlib.suppress(OSError):  # a container's limit (cgroup v2); "max" means none
        text = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if text.isdigit():
            limit = min(limit, float(text))
    return limit


def check_memory(need: MemoryNeed, limit: float | None = None) -> None:
    """Refuse a run whose estimated memory exceeds the limit, naming the main field.

    Args:
        need: The estimate (:func:`estimate_memory`).
        limit: Bytes allowed (default :func:`memory_limit`).

    Raises:
        ConfigError: Naming the field of the largest part, with the estimate,
            what it counts, the limit and what to lower.
    """
    limit = memory_limit() if limit is None else limit
    if need.total <= limit:
        return
    field, _, what = max(need.parts, key=lambda part: part[1])
    hint = _MEMORY_HINTS[field.split(".")[0]]
    raise ConfigError(field, f"the run needs about {need.total / 1e9:,.1f} GB of memory "
                             f"(mostly {what}), more than the {limit / 1e9:,.1f} GB of this "
                             f"machine; {hint}")


def _as_scenario(scenario: Scenario | str | dict[str, Any] | None) -> Scenario:
    """Accept a Scenario, a path or preset name, a mapping, or None (defaults)."""
    if isinstance(scenario, Scenario):
        return scenario
    if scenario is None:
        return load_config({})
    return load_config(scenario)
