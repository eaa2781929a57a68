"""Fingerprint of model outputs, to check that a speed-up changed no result.

Runs every design on every community for a few seeds (60 months each) and the threshold
preset's cascade on the benchmark graph, and hashes what a user can read: the datacollector's
data frame, ``compound_dataframe()``, the matter log and the final household arrays. Two
revisions of the code give the same fingerprint file if and only if every hash agrees, i.e.
the outputs are bit-identical.

Usage::

    .venv/bin/python benchmarks/fingerprint.py out/fp_before.json
    .venv/bin/python benchmarks/fingerprint.py out/fp_after.json --compare out/fp_before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from harness import ROOT, ensure_project_importable

COMMUNITIES = ("heping_road", "yimin_compound", "generic_old_compound")
SEEDS = (1, 2, 3)
MONTHS = 60
POPULATION_ARRAYS = ("decisions", "trust", "dependence", "grievance", "reputation",
                     "mobilisation", "satisfaction")


def frame_hash(frame: pd.DataFrame) -> str:
    """Hash of a data frame's values, index and column names."""
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    digest.update(repr(list(frame.columns)).encode())
    return digest.hexdigest()[:20]


def array_hash(arrays: Sequence[np.ndarray]) -> str:
    """Hash of the bytes, dtypes and shapes of some arrays."""
    digest = hashlib.sha256()
    for arr in arrays:
        arr = np.ascontiguousarray(arr)
        digest.update(f"{arr.dtype}{arr.shape}".encode())
        digest.update(arr.tobytes())
    return digest.hexdigest()[:20]


def model_hashes(model: Any) -> dict[str, str]:
    """Hashes of everything a run reports."""
    pop = model.population
    return {
        "model_vars": frame_hash(model.datacollector.get_model_vars_dataframe()),
        "compounds": frame_hash(model.compound_dataframe()),
        "matter_log": frame_hash(model.matters.log_frame()),
        "population": array_hash([getattr(pop, name) for name in POPULATION_ARRAYS]),
        "steps": str(model.steps),
    }


def fingerprint() -> dict[str, dict[str, str]]:
    """Run every case and hash its outputs."""
    ensure_project_importable()
    import sim

    out: dict[str, dict[str, str]] = {}
    # Every design preset, found where the model finds them: a new preset is fingerprinted
    # without an edit here (cases are keyed by name, so --compare does not depend on order).
    for design in sim.config.preset_names("designs"):
        for community in COMMUNITIES:
            for seed in SEEDS:
                model = sim.CompoundModel(design=design, community=community, rng=seed)
                model.run(MONTHS)
                out[f"{design}/{community}/{seed}"] = model_hashes(model)
    preset = sim.load_config(str(ROOT / "configs" / "presets" / "threshold.yaml"))
    graph = nx.fast_gnp_random_graph(10_000, 4.0 / 9_999, seed=0)
    scn = preset.override({"behaviour.threshold": 0.18, "initial.committed": [0]})
    model = sim.CompoundModel(scn, rng=42, network=graph)
    model.run(200, until_stable=True)
    out["threshold/er10k"] = model_hashes(model)
    for seed in SEEDS:  # the preset on its own community, random committed household
        model = sim.CompoundModel(preset, rng=seed)
        model.run(60, until_stable=True)
        out[f"threshold/default/{seed}"] = model_hashes(model)
        noisy = sim.CompoundModel(preset.override({"behaviour.noise": 0.1}), rng=seed)
        noisy.run(24)
        out[f"threshold/noise0.1/{seed}"] = model_hashes(noisy)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Write the fingerprint; with ``--compare``, report every case that differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="JSON file to write")
    parser.add_argument("--compare", type=Path, help="earlier fingerprint to compare with")
    args = parser.parse_args(argv)
    result = fingerprint()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(f"{len(result)} cases written to {args.output}")
    if args.compare is None:
        return 0
    before = json.loads(args.compare.read_text())
    diff = sorted(k for k in before.keys() | result.keys() if before.get(k) != result.get(k))
    for key in diff:
        print(f"DIFFERS: {key}: {before.get(key)} -> {result.get(key)}")
    print("identical" if not diff else f"{len(diff)} cases differ")
    return 0 if not diff else 1


if __name__ == "__main__":
    sys.exit(main())
