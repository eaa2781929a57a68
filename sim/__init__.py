"""Compound-governance simulator (小区治理仿真): collective action in Chinese residential compounds.

The public API::

    import sim
    scn = sim.load_config("configs/designs/baseline.yaml")
    scn = scn.override({"community": "heping_road", "behaviour.noise": 0.2})
    model = sim.CompoundModel(scn, rng=42)
    model.run(120)
    df = model.datacollector.get_model_vars_dataframe()
"""

from sim.config import Scenario, load_config
from sim.errors import ConfigError
from sim.experiments.analyze import load_results
from sim.metrics import COLUMNS
from sim.model import CompoundModel
from sim.population import PartyMember, Resident
from sim.versions import package_version

__all__ = [
    "COLUMNS",
    "CompoundModel",
    "ConfigError",
    "PartyMember",
    "Resident",
    "Scenario",
    "load_config",
    "load_results",
    "package_version",
]
__version__ = package_version()
