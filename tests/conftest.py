"""Shared fixtures: small, fast scenarios."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.quotes import check_documents

ROOT = Path(__file__).resolve().parents[1]
"""The repository root."""


def document_says(document: str, *quotes: tuple[str, Sequence[float]]) -> None:
    """Check that a document still says what a pattern test measured.

    Each quote is ``(phrase, values)``: a phrase of ``document`` (a path under the repository
    root: README.md, docs/ODD.md, docs/mechanisms.md, a lesson's ``.py``) with its figures in
    braces, and the test's value for each (:func:`sim.quotes.check_documents`), so a figure
    that the model no longer gives, or a document rewritten without the test, fails the test.
    """
    check_documents([(document, phrase, values) for phrase, values in quotes], ROOT)


@pytest.fixture(scope="session")
def threshold_scenario() -> sim.Scenario:
    """The linear-threshold preset."""
    return sim.load_config("configs/presets/threshold.yaml")


@pytest.fixture(scope="session")
def baseline_small() -> sim.Scenario:
    """Baseline design on the generic old compound (200 households)."""
    return sim.load_config("configs/designs/baseline.yaml")


SEEDS = tuple(range(20))
"""Seeds of the statistical pattern tests: the seed is the unit of replication."""

_RUNS: dict[tuple, list] = {}


class Tracked:
    """A finished run plus household-level facts the monthly frames do not keep.

    Attributes:
        model: The model after its run.
        petitioned_early: Households that petitioned in months 1–36.
        participation_later: Months each household took part in deliberation, months 37–72.
    """

    def __init__(self, model: sim.CompoundModel, steps: int) -> None:
        n = model.population.n
        self.petitioned_early = np.zeros(n, dtype=bool)
        self.participation_later = np.zeros(n)
        for month in range(1, steps + 1):
            model.step()
            if month <= 36:
                self.petitioned_early |= model.population.petition
            elif month <= 72:
                self.participation_later += model.population.acts[:, 3]
        self.model = model


def tracked_runs(design: str, community: str = "heping_road", steps: int = 120,
                 changes: dict | None = None) -> list[Tracked]:
    """Runs of a design on a community over :data:`SEEDS`, cached for the session."""
    key = (design, community, steps, tuple(sorted((changes or {}).items())))
    if key not in _RUNS:
        scn = sim.load_config(f"configs/designs/{design}.yaml").override(
            {"community": community, **(changes or {})})
        _RUNS[key] = [Tracked(sim.CompoundModel(scn, rng=seed), steps) for seed in SEEDS]
    return _RUNS[key]
