"""The institution contract (issue 10, item 4): declared writes and reads, the schedule table.

Every institution declares, per phase, the shared fields it reads and writes
(:mod:`sim.institutions.base`). Here every design runs on a small community with every
institution's phase wrapped: the shared state (every public attribute of the model's state
objects — arrays by a hash of their bytes, scalars by value — the generator's state, the
firms, the other institutions' public attributes) is fingerprinted before the phase and after
it, and a field that changed without being declared in the phase's ``writes`` fails the test.
A deliberately wrong declaration shows that the check can fail. Reads are checked the same
way, by tracing every attribute read of the state objects while a phase runs.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pytest

import sim
from sim import behaviour, firm, schedule
from sim.config import preset_names
from sim.institutions.base import LAYOUT, PHASES, Access, Contract, Institution, expand
from sim.institutions.registry import INSTITUTIONS, REGISTRY, make_registry
from sim.matters import MatterBook
from sim.model import CompoundModel

SKIP_MODEL = {"model", "params", "unique_id", "pos"}
"""Attributes that are references or identities, not state."""


def fingerprint(value: Any) -> Any:
    """A comparable stand-in for a value: arrays by dtype, shape and a hash of their bytes."""
    if isinstance(value, np.ndarray):
        digest = hashlib.sha1(np.ascontiguousarray(value).tobytes()).hexdigest()
        return ("array", value.dtype.str, value.shape, digest)
    if isinstance(value, list | tuple):
        return tuple(fingerprint(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, fingerprint(v)) for k, v in value.items())
    return repr(value)


def _public(prefix: str, obj: Any, out: dict[str, Any]) -> None:
    for attr, value in vars(obj).items():
        if attr.startswith("_") or attr in SKIP_MODEL:
            continue
        if attr == "bodies" and isinstance(value, dict):  # one field per body
            for body, flags in value.items():
                out[f"{prefix}.bodies.{body}"] = fingerprint(flags)
            continue
        if hasattr(value, "model_dump") or callable(value):  # frozen config, methods
            continue
        out[f"{prefix}.{attr}"] = fingerprint(value)


def shared_state(model: Any, institutions: Any = ()) -> dict[str, Any]:
    """Every shared field of ``model`` by name (see :mod:`sim.institutions.base`)."""
    out: dict[str, Any] = {}
    for name in ("population", "compounds", "selfgov", "matters", "ledger", "government"):
        _public(name, getattr(model, name), out)
    out["matters.log"] = repr(len(model.matters._log))  # what resolved_in reads
    for agent in model.firms:  # per firm; a firm that comes or goes is `model.firms`
        for attr, value in vars(agent).items():
            if not attr.startswith("_") and attr not in SKIP_MODEL:
                out[f"firms.{attr}@{agent.unique_id}"] = fingerprint(value)
    out["model.rng"] = repr(model.rng.bit_generator.state)
    out["model.firms"] = tuple((a.unique_id, a.compound) for a in model.firms)
    for attr in ("firm_entries", "firm_exits", "changed"):
        out[f"model.{attr}"] = repr(getattr(model, attr))
    for inst in institutions:
        _public(inst.name, inst, out)
    return out


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """Fields whose value differs; a firm's attribute counts only if the firm was there before."""
    out = set()
    for key in before.keys() & after.keys():
        if before[key] != after[key]:
            out.add(key.partition("@")[0])
    for key in before.keys() ^ after.keys():
        if "@" not in key:
            out.add(key)
    return out


class Breaches:
    """Wraps every institution's phases; records undeclared writes as ``name.phase: field``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.found: set[str] = set()
        self.calls = 0
        for cls in INSTITUTIONS:
            for phase in cls.phases():
                monkeypatch.setattr(cls, phase, self._wrap(getattr(cls, phase), phase))

    def _wrap(self, hook: Any, phase: str) -> Any:
        def checked(inst: Institution[Any], model: CompoundModel) -> None:
            others = [i for i in model.institutions if i is not inst] if hasattr(
                model, "institutions") else []
            before = shared_state(model, others)
            hook(inst, model)
            after = shared_state(model, others)
            declared = expand(type(inst).contract[phase].writes)
            self.calls += 1
            for field in changed_fields(before, after) - declared:
                self.found.add(f"{inst.name}.{phase}: {field}")
        return checked


ALL = {"name": "all", "institutions": {name: {} for name in REGISTRY}}
"""Every institution at once (with the committee formed endogenously in a second case)."""

CASES = [*preset_names("designs"), "all", "all_endogenous"]


def design_of(case: str) -> Any:
    """A preset design's name, or the design of every institution."""
    if case == "all":
        return ALL
    if case == "all_endogenous":
        return {"name": "all", "institutions": {
            **ALL["institutions"], "owners_committee": {"formation": "endogenous"},
            "renovation_campaign": {"allocation": "competition"}}}
    return case


@pytest.mark.parametrize("case", CASES)
def test_no_institution_writes_a_field_it_did_not_declare(case, monkeypatch):
    """Every design on a small community (two seeds, 60 months: campaigns included)."""
    breaches = Breaches(monkeypatch)
    for community in ("generic_old_compound", "yimin_compound"):
        for seed in (1, 2):
            CompoundModel(design=design_of(case), community=community, rng=seed).run(60)
    assert breaches.calls > 0
    assert not breaches.found, "undeclared writes:\n" + "\n".join(sorted(breaches.found))


def test_the_check_fails_on_a_wrong_declaration(monkeypatch):
    """The party branch lengthens matters' grace at setup; hide that and the check fails."""
    from sim.institutions.party import PartyBranch

    right = PartyBranch.contract.setup
    assert right is not None and "matters.grace" in right.writes
    wrong = Contract(setup=Access(reads=right.reads,
                                  writes=tuple(f for f in right.writes if f != "matters.grace")),
                     before_decisions=PartyBranch.contract.before_decisions)
    monkeypatch.setattr(PartyBranch, "contract", wrong)
    breaches = Breaches(monkeypatch)
    CompoundModel(design="nanan_131", community="generic_old_compound", rng=1).run(1)
    assert breaches.found == {"party_branch.setup: matters.grace"}


def test_the_check_sees_a_write_through_a_helper(monkeypatch):
    """A write made by a helper the hook calls (mobilise → trust) is seen too."""
    from sim.institutions.triage import ThreeAffairsTriage

    right = ThreeAffairsTriage.contract.before_decisions
    assert right is not None
    wrong = Contract(setup=ThreeAffairsTriage.contract.setup, before_decisions=Access(
        reads=right.reads, writes=tuple(f for f in right.writes if f != "population.trust")))
    monkeypatch.setattr(ThreeAffairsTriage, "contract", wrong)
    breaches = Breaches(monkeypatch)
    CompoundModel(design="nanan_131", community="generic_old_compound", rng=1).run(2)
    assert "three_affairs_triage.before_decisions: population.trust" in breaches.found


def test_every_declared_field_exists():
    """A misspelt field in a contract fails: every name is a field some model has."""
    known: set[str] = set()
    for case in ("all", "all_endogenous"):
        model = CompoundModel(design=design_of(case), community="heping_road", rng=1)
        known |= {key.partition("@")[0] for key in shared_state(model, model.institutions)}
    for cls in INSTITUTIONS:
        for phase, access in cls.contract.items():
            unknown = expand((*access.reads, *access.writes)) - known
            assert not unknown, f"{cls.name}.{phase}: unknown fields {sorted(unknown)}"


def test_the_schedule_table_and_the_hooks_agree():
    for phase in PHASES:
        assert [c.name for c in INSTITUTIONS if phase in c.contract] == sorted(
            schedule.PHASE_ORDER[phase], key=[c.name for c in INSTITUTIONS].index)
    assert [s.key for s in schedule.MONTH if s.phase] == list(PHASES[1:])


def test_the_registry_refuses_an_institution_missing_from_the_schedule():
    class Extra(Institution[sim.institutions.Params]):
        name = "extra"
        contract = Contract(month_end=Access())

        def month_end(self, model: CompoundModel) -> None:
            """Do nothing."""

    with pytest.raises(TypeError, match=r"extra is missing from sim\.schedule\.PHASE_ORDER"):
        make_registry((*INSTITUTIONS, Extra), schedule.PHASE_ORDER)
    order = {**schedule.PHASE_ORDER, "month_end": (*schedule.PHASE_ORDER["month_end"], "gone")}
    with pytest.raises(TypeError, match="unknown or repeated"):
        make_registry(INSTITUTIONS, order)
    swapped = {**schedule.PHASE_ORDER, "month_end": ("deliberation_council", "cobuilding_council",
                                                    *schedule.PHASE_ORDER["month_end"][2:])}
    with pytest.raises(TypeError, match="not in the order of the registry"):
        make_registry(INSTITUTIONS, swapped)


def test_model_institutions_are_in_an_order_right_for_every_phase():
    model = CompoundModel(design=design_of("all"), community="generic_old_compound", rng=1)
    for phase in PHASES:
        assert [i for i in model.institutions if phase in type(i).contract] == list(
            model.phases[phase])


def test_a_class_whose_hooks_and_contract_disagree_is_refused():
    with pytest.raises(TypeError, match="acts in setup but its contract does not declare it"):
        class Silent(Institution[sim.institutions.Params]):
            name = "silent"

            def setup(self, model: CompoundModel) -> None:
                """Act without saying so."""

    with pytest.raises(TypeError, match="declares month_end in its contract but does not act"):
        class Idle(Institution[sim.institutions.Params]):
            name = "idle"
            contract = Contract(month_end=Access())


def test_phases_run_in_the_order_of_the_table():
    model = CompoundModel(design=design_of("all"), community="generic_old_compound", rng=1)
    seen: list[str] = []
    for phase in PHASES[1:]:
        for inst in model.phases[phase]:
            hook = getattr(inst, phase)
            setattr(inst, phase, lambda m, hook=hook, name=inst.name, phase=phase: (
                seen.append(f"{phase}:{name}"), hook(m))[1])
    model.step()
    assert seen == [f"{phase}:{name}" for phase in PHASES[1:]
                    for name in schedule.PHASE_ORDER[phase]]


def test_step_runs_the_month_in_the_order_of_the_table(monkeypatch):
    """The engine's own steps and the phases come in :data:`sim.schedule.MONTH` order."""
    model = CompoundModel(design="nanan_131", community="generic_old_compound", rng=1)
    seen: list[str] = []

    def record(owner: Any, attr: str, key: str) -> None:
        original = getattr(owner, attr)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            seen.append(key)
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, attr, wrapper)

    record(model.ledger, "new_month", "new_month")
    record(MatterBook, "arrive", "matters_arrive")
    record(behaviour, "decide", "decide")
    record(firm, "collect_and_serve", "collect_and_serve")
    record(model, "_fix_private_matters", "fix_private_matters")
    record(model.compounds, "update_condition", "condition")
    record(model, "_update_beliefs", "beliefs")
    record(firm, "exits", "firm_exits")
    record(model.ledger, "check", "close")
    phases = model.run_phase
    monkeypatch.setattr(model, "run_phase", lambda phase: (seen.append(phase), phases(phase)))
    model.step()
    assert seen == [s.key for s in schedule.MONTH]


STATE = ("population", "compounds", "selfgov", "matters", "ledger", "government")
"""The model's state objects whose attribute reads are traced."""

PRIVATE_READS = {"matters._log": "matters.log"}
"""Private attributes that stand for a shared field (what ``resolved_in`` reads)."""


class Reads:
    """Records, per ``name.phase``, the shared fields a phase reads and did not declare.

    While a phase runs, the model's state objects (and the other institutions) are given a
    subclass of their own class whose ``__getattribute__`` records every attribute read —
    also the reads made inside their methods. Every shared field counts but the layout
    (:data:`sim.institutions.base.LAYOUT`) and the config, which everyone reads.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: dict[tuple[type[Institution[Any]], str, str], set[str]] = {}
        self.log: set[str] | None = None
        for cls in INSTITUTIONS:
            for phase in cls.phases():
                monkeypatch.setattr(cls, phase, self._wrap(getattr(cls, phase), phase))

    def _recording(self, obj: Any, prefix: str) -> None:
        reads = self

        class Recording(type(obj)):  # type: ignore[misc]
            def __getattribute__(self, attr: str) -> Any:
                value = object.__getattribute__(self, attr)
                if reads.log is not None and not callable(value):
                    field = f"{prefix}.{attr}"
                    reads.log.add(PRIVATE_READS.get(field, field))
                return value

        obj.__class__ = Recording

    def _wrap(self, hook: Any, phase: str) -> Any:
        def traced(inst: Institution[Any], model: CompoundModel) -> None:
            outer, self.log = self.log, set()
            objects = [(getattr(model, name), name) for name in STATE] + [
                (other, other.name) for other in getattr(model, "institutions", ())
                if other is not inst]
            classes = [type(obj) for obj, _ in objects]
            for obj, prefix in objects:
                self._recording(obj, prefix)
            try:
                hook(inst, model)
            finally:
                for (obj, _), cls in zip(objects, classes, strict=True):
                    obj.__class__ = cls
                seen, self.log = self.log, outer
                if outer is not None:
                    outer |= seen
            self.seen.setdefault((type(inst), inst.name, phase), set()).update(seen)
        return traced

    def undeclared(self, fields: set[str]) -> set[str]:
        """``name.phase: field`` for each read of a shared field the phase did not declare.

        Args:
            fields: The shared fields (:func:`shared_state`'s names).
        """
        found = set()
        mutable = {f.partition("@")[0] for f in fields} - LAYOUT
        for (cls, name, phase), seen in self.seen.items():
            access = cls.contract[phase]
            declared = expand((*access.reads, *access.writes))
            bodies = any(f.startswith("selfgov.bodies.") for f in declared)
            for field in seen:
                if field == "selfgov.bodies" and not bodies:
                    found.add(f"{name}.{phase}: selfgov.bodies.<some body>")
                elif field in mutable - declared and not field.startswith(name + "."):
                    found.add(f"{name}.{phase}: {field}")
        return found


@pytest.mark.parametrize("case", CASES)
def test_no_institution_reads_a_changing_field_it_did_not_declare(case, monkeypatch):
    """Reads are declared too (a field written by an institution counts as changing)."""
    reads = Reads(monkeypatch)
    model = CompoundModel(design=design_of(case), community="yimin_compound", rng=1)
    model.run(60)
    found = reads.undeclared(set(shared_state(model, model.institutions)))
    assert not found, "undeclared reads:\n" + "\n".join(sorted(found))


def test_the_read_check_fails_on_a_wrong_declaration(monkeypatch):
    """The council meets as often as coordination allows; hide that read and the check fails."""
    from sim.institutions.committees import DeliberationCouncil

    right = DeliberationCouncil.contract
    assert right.after_decisions is not None
    after = Access(reads=tuple(f for f in right.after_decisions.reads
                               if f != "selfgov.efficiency"),
                   writes=right.after_decisions.writes)
    monkeypatch.setattr(DeliberationCouncil, "contract", Contract(
        setup=right.setup, after_decisions=after, month_end=right.month_end))
    reads = Reads(monkeypatch)
    model = CompoundModel(design="nanan_131", community="yimin_compound", rng=1)
    model.run(3)
    found = reads.undeclared(set(shared_state(model, model.institutions)))
    assert found == {"deliberation_council.after_decisions: selfgov.efficiency"}


def test_the_layout_does_not_change_during_a_run():
    # newcomers redraw traits between phases (sim.turnover); institutions never change them
    model = CompoundModel(design=design_of("all"), community="heping_road", rng=1,
                          turnover={"owner": 0.0, "renter": 0.0, "floating": 0.0})
    start = shared_state(model, model.institutions)
    model.run(30)
    assert not changed_fields(start, shared_state(model, model.institutions)) & LAYOUT
    assert set(start) >= LAYOUT
