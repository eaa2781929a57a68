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

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from sim.priors import Uncertainty

FIELD = "--posterior"
"""The option these errors name."""

COMMAND = "calibrate"
"""The command ``sim calibrate`` records in its ``manifest.json``."""
MANIFEST = "manifest.json"
POSTERIOR = "posterior.parquet"
"""The files of a calibration directory this module reads (written by :mod:`sim.calibration`)."""


def typed(params: Sequence[Uncertainty], values: Mapping[str, Any]) -> dict[str, float | int]:
    """A particle's values as plain numbers, whole numbers for integer parameters."""
    return {u.path: round(float(values[u.path])) if u.integer else float(values[u.path])
            for u in params}


def draw(posterior: pd.DataFrame, params: Sequence[Uncertainty], n: int, seed: int
         ) -> list[dict[str, float | int]]:
    """``n`` parameter sets resampled by weight from the last generation, seeded."""
    import numpy as np

    last = posterior[posterior["generation"] == posterior["generation"].max()]
    w = last["weight"].to_numpy(float)
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(last), size=n, replace=True, p=w / w.sum())
    return [typed(params, last.iloc[int(i)]) for i in rows]



def _read(directory: Path) -> tuple[Any, list[dict[str, Any]]]:
    """The posterior's frame and the manifest's parameters, refusing anything else."""
    import pandas as pd

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
    from sim.priors import Uncertainty

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError("--uncertainty", f"must be a whole number ≥ 1 (got {n!r})")
    frame, params = _read(Path(directory))
    found = [Uncertainty(path=p["path"], low=p["low"], high=p["high"], default=p["default"],
                         integer=p["integer"], source=p.get("source", "assumption"),
                         institution=p.get("institution", ""), unit=p.get("unit", "—"))
             for p in params]
    return draw(frame, found, n, seed)


def provenance(directory: str | Path, paths: Sequence[str]) -> dict[str, Any]:
    """What a study records of the posterior it draws from (its manifest's ``spec``).

    The directory (absolute), the SHA-256 of its ``posterior.parquet`` (so ``--resume``
    refuses a posterior that was recalibrated in place), the calibration's targets file,
    its digest and fitted targets (from the calibration's manifest), which of the study's
    uncertain ``paths`` are drawn from the posterior (``parameters``) and which calibrated
    parameters the study does not vary (``unused``: they stay at the designs' values,
    said in the report, never dropped silently).

    Raises:
        ConfigError: (field ``--posterior``) for a directory without a finished calibration,
            or a posterior that covers none of ``paths``.
    """
    where = Path(directory)
    calibrated = parameters(where)
    used = [p for p in calibrated if p in set(paths)]
    if not used:
        raise ConfigError(FIELD, f"the posterior in {where} calibrated "
                                 f"{', '.join(calibrated)}, none of which is uncertain here "
                                 f"(uncertain: {', '.join(paths) or 'none'})")
    digest = hashlib.sha256((where / POSTERIOR).read_bytes()).hexdigest()
    spec = json.loads((where / MANIFEST).read_text(encoding="utf-8")).get("spec", {})
    return {"dir": os.path.abspath(where), "posterior_sha256": digest,
            "targets": spec.get("targets"), "targets_sha256": spec.get("targets_sha256"),
            "fitted": list(spec.get("fitted", [])), "parameters": used,
            "unused": [p for p in calibrated if p not in used]}


def parameter_sets(params: Sequence[Uncertainty], n: int, seed: int, method: str = "sobol",
                   posterior: str | Path | None = None) -> list[dict[str, float | int]]:
    """The parameter sets of a study: the prior's, with the calibrated ones from a posterior.

    The one rule of ``sim compare/explain/discover --posterior``: draw ``n`` sets from the
    priors of ``params`` (:func:`sim.priors.sample`, as without a posterior), then, when
    ``posterior`` is given, overwrite in set ``k`` the values of the parameters it
    calibrated with the ``k``-th of :func:`sample_posterior` ``(posterior, n, seed)`` — so
    the calibrated parameters keep their joint posterior (correlations included) and the
    others their prior draws. Calibrated parameters the study does not vary are not added
    (:func:`provenance` lists them).

    Args:
        params: The study's uncertain parameters (:func:`sim.priors.uncertainties`).
        n: Number of parameter sets, ≥ 1.
        seed: Seed of the prior sequence and of the posterior resampling.
        method: ``"sobol"`` or ``"lhs"`` (:data:`sim.priors.METHODS`).
        posterior: The output directory of a finished ``sim calibrate``, or None.

    Raises:
        ConfigError: For a bad ``n`` or method, or (field ``--posterior``) a directory
            without a finished calibration or one that calibrated none of ``params``.
    """
    from sim.priors import sample

    sets = sample(params, n, seed=seed, method=method)  # type: ignore[arg-type]
    if posterior is None:
        return sets
    used = set(provenance(posterior, [u.path for u in params])["parameters"])
    drawn = sample_posterior(posterior, n, seed)
    return [{**prior, **{k: v for k, v in post.items() if k in used}}
            for prior, post in zip(sets, drawn, strict=True)]


def describe(record: Mapping[str, Any], lang: str) -> str:
    """One sentence for a report: which parameters came from the posterior of which targets."""
    from sim.text import section

    t = section("posterior")[lang]
    sep = "、" if lang == "zh" else ", "
    text = t["from_posterior"].format(
        params=sep.join(record.get("parameters", [])), targets=record.get("targets") or "?",
        fitted=sep.join(record.get("fitted", [])) or "—", dir=record.get("dir", ""),
        digest=str(record.get("posterior_sha256", ""))[:12])
    if record.get("unused"):
        text += t["unused"].format(params=sep.join(record["unused"]))
    return text
