"""Shared fixtures: small, fast scenarios."""

from __future__ import annotations

import pytest

import sim


@pytest.fixture(scope="session")
def threshold_scenario() -> sim.Scenario:
    """The linear-threshold preset."""
    return sim.load_config("configs/presets/threshold.yaml")


@pytest.fixture(scope="session")
def baseline_small() -> sim.Scenario:
    """Baseline design on the generic old compound (200 households)."""
    return sim.load_config("configs/designs/baseline.yaml")
