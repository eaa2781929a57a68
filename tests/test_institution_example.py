"""The example institution in ``sim.institutions.base``'s docstring works as the docstring says.

A newcomer adds an institution by reading one base class and one example; this test takes the
example's code from the docstring, defines it as a module, follows the three steps the
docstring lists (registry, schedule table, design) and runs it, with the contract check of
``tests/test_institution_contract.py`` watching.
"""

from __future__ import annotations

import sys
import textwrap
import types

import numpy as np

import sim.institutions.base as base
from sim import schedule
from sim.institutions import registry
from sim.model import CompoundModel
from tests.test_institution_contract import Breaches


def example_module() -> types.ModuleType:
    """The docstring's example, defined as the module ``notice_board``."""
    doc = base.__doc__ or ""
    code = doc.split("Writing a new institution", 1)[1].split("::\n", 1)[1]
    code = code.split("\nThen (1)", 1)[0]
    module = types.ModuleType("notice_board")
    sys.modules["notice_board"] = module
    exec(compile(textwrap.dedent(code), "notice_board.py", "exec"), module.__dict__)
    return module


def test_the_example_is_a_typed_institution():
    module = example_module()
    cls = module.NoticeBoard
    assert issubclass(cls, base.Institution)
    assert cls.phases() == ("setup",)
    assert cls.Params is module.NoticeBoardParams


def test_the_example_runs_after_the_three_steps(monkeypatch):
    cls = example_module().NoticeBoard
    # (1) the registry, (2) the schedule table: after the rolls, which also raise visibility.
    monkeypatch.setitem(registry.REGISTRY, cls.name, cls)
    setup = schedule.PHASE_ORDER["setup"]
    at = setup.index("online_tools") + 1
    monkeypatch.setitem(schedule.PHASE_ORDER, "setup", (*setup[:at], cls.name, *setup[at:]))
    breaches = Breaches(monkeypatch)
    monkeypatch.setattr(cls, "setup", breaches._wrap(cls.setup, "setup"))
    # (3) a design that uses it.
    design = {"name": "board", "institutions": {"notice_board": {"visibility": 0.25},
                                                 "government_service": {}}}
    model = CompoundModel(design=design, community="generic_old_compound", rng=1)
    model.run(3)
    assert [inst.name for inst in model.phases["setup"]] == ["notice_board"]
    assert np.allclose(model.compounds.visibility_bonus[:, 0], 0.25)
    assert not breaches.found
    bad = {**design, "institutions": {"notice_board": {"visibility": 2}}}
    try:
        CompoundModel(design=bad, community="generic_old_compound", rng=1)
    except ValueError as exc:
        assert str(exc) == ("design.institutions.notice_board.visibility: input should be "
                            "less than or equal to 1 (got 2)")
    else:
        raise AssertionError("an out-of-range parameter was accepted")
