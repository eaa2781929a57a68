"""Overrides that name a preset and then a field inside it, in one call."""

from __future__ import annotations

import sim


def test_preset_then_field_in_one_override():
    scn = sim.load_config("configs/designs/baseline.yaml").override(
        {"community": "heping_road", "community.groups.0.count": 3})
    assert scn.community.name == "heping_road"
    assert scn.community.groups[0].count == 3
    assert scn.community.groups[1].count == 83  # the rest of the preset is kept


def test_design_preset_then_parameter_in_one_override():
    scn = sim.load_config("configs/designs/baseline.yaml").override(
        {"design": "nanan_131", "design.institutions.owners_committee.price_saving": 0.2})
    assert scn.design.name == "nanan_131"
    assert scn.design.institutions["owners_committee"]["price_saving"] == 0.2
    assert "covenant" in scn.design.institutions
