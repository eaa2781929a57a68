"""Parameter sets drawn from a stored posterior, in the format of :func:`sim.priors.sample`.

``sim calibrate`` (:mod:`sim.calibration`) leaves in its directory ``posterior.parquet``
(every generation's particles with their weights) and ``manifest.json`` (which parameters,
which are whole numbers). :func:`sample_posterior` resamples the last generation by weight,
with a seeded generator, and returns one mapping ``path → value`` per set — what
:func:`sim.priors.sample` returns for the prior — so a study that draws its parameter sets
from the prior can draw them from a calibrated posterior instead
(``sim compare/explain/discover --posterior DIR``) and pass them to :func:`sim.priors.apply`
unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sim.errors import ConfigError

FIELD = "--posterior"
"""The option these errors name."""


def _read(directory: Path) -> tuple[Any, list[dict[str, Any]]]:
    """The posterior's frame and the manifest's parameters, refusing anything else."""
    import pandas as pd

    from sim.calibration import COMMAND, MANIFEST, POSTERIOR

    if not directory.is_dir():
        raise ConfigError(FIELD, f"{directory}: no such directory; give the --out of a "
                                 "finished 'sim calibrate'")
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("command") != COMMAND:
        raise ConfigError(FIELD, f"{directory} holds no calibration (no manifest.json of "
                                 "'sim calibrate')")
    if manifest.get("finished") is None or not (directory / POSTERIOR).is_file():
        raise ConfigError(FIELD, f"the calibration in {directory} is not finished; finish it "
                                 "with 'sim calibrate … --resume'")
    params = manifest.get("spec", {}).get("params", [])
    frame = pd.read_parquet(directory / POSTERIOR)
    missing = [p["path"] for p in params if p["path"] not in frame.columns]
    if missing or not params:
        raise ConfigError(FIELD, f"{directory / POSTERIOR} lacks the parameters its manifest "
                                 f"names ({', '.join(missing) or 'none named'})")
    return frame, params


def parameters(directory: str | Path) -> list[str]:
    """The dotted paths a stored posterior covers, in the calibration's order."""
    _, params = _read(Path(directory))
    return [p["path"] for p in params]


def sample_posterior(directory: str | Path, n: int, seed: int) -> list[dict[str, float | int]]:
    """Draw ``n`` parameter sets from the posterior stored in ``directory``.

    Args:
        directory: The output directory of a finished ``sim calibrate``.
        n: Number of parameter sets, ≥ 1.
        seed: Seed of the resampling: the same seed gives the same sets.

    Returns:
        One mapping ``path → value`` per set, as :func:`sim.priors.sample` returns (whole
        numbers as ``int``), resampled with replacement by weight from the last generation.

    Raises:
        ConfigError: (field ``--posterior``) for a directory that holds no finished
            calibration, or ``n`` < 1.
    """
    from sim.calibration import draw
    from sim.priors import Uncertainty

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError("--uncertainty", f"must be a whole number ≥ 1 (got {n!r})")
    frame, params = _read(Path(directory))
    found = [Uncertainty(path=p["path"], low=p["low"], high=p["high"], default=p["default"],
                         integer=p["integer"], source=p.get("source", "assumption"),
                         institution=p.get("institution", ""), unit=p.get("unit", "—"))
             for p in params]
    return draw(frame, found, n, seed)
