"""Experiments at scale: design comparisons, parameter sweeps and their analysis.

* :mod:`sim.experiments.compare` — ``sim compare``: designs × seeds on one community, with
  confidence intervals, figures and a self-contained HTML report.
* :mod:`sim.experiments.sweep` — ``sim sweep``: parameters declared by role (uncertainties,
  levers), sampled (full factorial, Latin hypercube, Sobol/Saltelli, Morris), run locally or
  on a Dask cluster, streamed to a Parquet dataset that can be resumed.
* :mod:`sim.experiments.analyze` — ``sim analyze`` and :func:`sim.load_results`.

Each command module exposes ``add_command(subparsers)``; :mod:`sim.cli` registers them.
"""
