"""Scenario discovery: the parameter region where a design fails (``sim discover``).

A comparison under parameter uncertainty (``sim compare --uncertainty N``) gives, per
parameter set, whether a design beats its reference. This module asks *where* it does not:
given ``x`` (one row per parameter set, one column per uncertain parameter) and ``y`` (True
for the case of interest, "the design fails"), it describes the failing region in two
library implementations, as scenario discovery does (Bryant & Lempert 2010; Kwakkel 2017):

- **PRIM**, the EMA Workbench's (:class:`ema_workbench.analysis.prim.Prim`): a box of
  parameter limits peeled from the whole prior space. Its *peeling trajectory* trades
  coverage (the share of all failing sets that lie in the box) against density (the share
  of the sets in the box that fail); the workbench gives, per box, its mass (the share of
  all sets inside) and the quasi-p value of each restricted limit (a one-sided binomial
  test of whether the limit raises density; Bryant & Lempert 2010). The box reported is
  chosen by a fixed rule: start from the densest box with coverage ≥ ``min_coverage``
  (0.5 unless the user says; :func:`choose_box`), then drop its restriction with the
  largest quasi-p, one at a time, while any has quasi-p ≥ ``alpha`` (0.05), with the
  workbench's ``drop_restriction`` (:func:`drop_insignificant`), as Bryant & Lempert
  advise: a limit that does not raise density significantly is noise the peeling picked
  up. A box none of whose limits is significant is kept whole and flagged.
- **CART**, scikit-learn's :class:`~sklearn.tree.DecisionTreeClassifier` (small depth,
  seeded, pruned by cost complexity so that no split leaves both sides with the same
  answer), as a second view: its rules as text and as JSON.

Nothing here runs the model: :mod:`sim.experiments.discover` builds ``x`` and ``y`` from a
stored comparison and writes the report. The workbench's import warning (it cannot find
ipyparallel) and its log messages are silenced (:func:`quiet`): the user sees our progress
bar and our messages, nothing of the libraries'.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.text import section

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MIN_COVERAGE = 0.5
"""Default least coverage of the chosen PRIM box."""

ALPHA = 0.05
"""A restricted limit is significant when its quasi-p value is below this."""

TREE_DEPTH = 3
"""Depth of the CART tree: three questions at most, a rule a reader can follow."""

TREE_CCP_ALPHA = 0.01
"""Cost-complexity pruning of the tree (scikit-learn's ``ccp_alpha``): splits that do not
lower the impurity by this much are pruned, so no split leaves both sides with one answer."""

MIN_SETS = 8
"""Fewest parameter sets discovery accepts: below that no box or split means anything."""

MIN_CASES = 3
"""Fewest sets on each side (failing, and not failing) discovery accepts: with fewer, no
limit can be significant (a box holding all of two cases among 32 sets has quasi-p above
0.05 unless it holds nothing else) and a box or a split would describe single points."""

BOXES_COLUMNS = ("box", "step", "dimension", "low", "high", "prior_low", "prior_high",
                 "qp_low", "qp_high", "qp", "significant", "coverage", "density", "mass")
"""Columns of ``boxes.csv``: one row per restricted dimension of the chosen box."""

TRAJECTORY_COLUMNS = ("step", "coverage", "density", "mass", "res_dim", "n", "k", "origin",
                      "chosen")
"""Columns of ``trajectory.csv``: one row per box of PRIM's peeling and pasting
(``origin`` ``peel``), then one per restriction dropped from the starting box
(``dropped``, :func:`drop_insignificant`); ``chosen`` marks the box reported."""

TEXT: dict[str, dict[str, str]] = section("discovery")
"""Readings, figure labels and messages by language."""


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence the EMA Workbench (its import warning and its logging) and scikit-learn.

    The workbench warns at import that ipyparallel is missing and logs every box it finds
    at INFO; pandas warns inside it. None of it is for our users.
    """
    logger = logging.getLogger("EMA")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
        logger.propagate = propagate


# --------------------------------------------------------------------------- results


@dataclass
class PrimResult:
    """PRIM's peeling trajectory and the box chosen on it.

    Attributes:
        trajectory: :data:`TRAJECTORY_COLUMNS`, one row per box of the trajectory.
        step: The chosen box's row in ``trajectory``.
        start: The row it was reached from by dropping insignificant limits (``step``
            itself when none was dropped).
        limits: :data:`BOXES_COLUMNS`, one row per restricted dimension of the chosen box.
        coverage: Share of all failing sets inside the chosen box.
        density: Share of the sets inside the chosen box that fail.
        mass: Share of all sets inside the chosen box.
        significant_only: Whether the chosen box's every limit has quasi-p < ``alpha``
            (False: the rule's fallback was used).
        min_coverage: The least coverage asked for.
        alpha: The significance level of the limits.
    """

    trajectory: pd.DataFrame
    step: int
    start: int
    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    significant_only: bool
    min_coverage: float
    alpha: float


@dataclass
class TreeResult:
    """The CART tree, as rules.

    Attributes:
        text: scikit-learn's ``export_text`` of the tree.
        nodes: The tree as nested JSON-ready mappings (:func:`tree_json`).
        root: ``(feature, threshold)`` of the first split, or None for a tree of one leaf.
        depth: The maximum depth asked for.
        seed: The tree's ``random_state``.
        accuracy: Share of the sets the tree classifies right (in sample).
    """

    text: str
    nodes: dict[str, Any]
    root: tuple[str, float] | None
    depth: int
    seed: int
    accuracy: float
    model: Any = field(repr=False, default=None)


@dataclass
class Discovery:
    """A scenario discovery: its data, PRIM's box and the CART tree.

    Attributes:
        x: The parameter sets (one column per uncertain parameter).
        y: Whether each set is a case of interest (the design fails).
        bounds: Each parameter's prior range ``(low, high)``.
        prim: PRIM's result.
        tree: The CART tree.
    """

    x: pd.DataFrame
    y: np.ndarray
    bounds: dict[str, tuple[float, float]]
    prim: PrimResult
    tree: TreeResult

    @property
    def cases(self) -> int:
        """Number of failing sets."""
        return int(self.y.sum())


# --------------------------------------------------------------------------- checks


def check_data(x: pd.DataFrame, y: Sequence[bool] | np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Check ``x`` and ``y`` and return them as PRIM takes them (floats, a bool array).

    Raises:
        ConfigError: (field ``x`` or ``y``) for no columns, a non-numeric or undefined
            value, lengths that differ, fewer than :data:`MIN_SETS` sets, or a ``y`` with
            fewer than :data:`MIN_CASES` True or False values (no region to find).
    """
    if not isinstance(x, pd.DataFrame) or x.shape[1] == 0:
        raise ConfigError("x", "needs one column per uncertain parameter (got none)")
    bad = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])
           or pd.api.types.is_bool_dtype(x[c])]
    if bad:
        raise ConfigError("x", f"column '{bad[0]}' is not numeric; every column must be a "
                               "parameter's values")
    values = x.astype(float).reset_index(drop=True)
    if not np.isfinite(values.to_numpy()).all():
        col = next(c for c in values.columns if not np.isfinite(values[c]).all())
        raise ConfigError("x", f"column '{col}' has a missing or infinite value")
    target = np.asarray(y)
    if target.ndim != 1 or target.size != len(values):
        raise ConfigError("y", f"needs one value per row of x ({len(values)}), got "
                               f"{target.size}")
    if target.dtype != bool:
        if not np.isin(target, (0, 1)).all():
            raise ConfigError("y", "must be True/False (the case of interest) for every set")
        target = target.astype(bool)
    if len(values) < MIN_SETS:
        raise ConfigError("x", f"needs at least {MIN_SETS} parameter sets (got "
                               f"{len(values)})")
    k = int(target.sum())
    if min(k, len(target) - k) < MIN_CASES:
        raise ConfigError("y", f"the case of interest holds in {k} of {len(target)} sets; "
                               f"at least {MIN_CASES} sets must hold it and {MIN_CASES} not, "
                               "or there is no region to find")
    return values, target


# --------------------------------------------------------------------------- PRIM


def run_prim(x: pd.DataFrame, y: np.ndarray) -> Any:
    """Run one PRIM box search of the EMA Workbench and return the box (its trajectory).

    Default settings of the workbench (lenient objective, peel and paste α = 0.05,
    least mass 0.05); only the first box is searched: the failing region's main part.
    """
    with quiet():
        from ema_workbench.analysis import prim

        return prim.Prim(x, y.copy()).find_box()


def _qp_pair(qp: Mapping[str, Sequence[float]], dim: str) -> tuple[float, float]:
    """The quasi-p values of a dimension's lower and upper limit (NaN where not restricted).

    The workbench gives -1 for a side that is not restricted.
    """
    pair = qp.get(dim, (-1.0, -1.0))
    return tuple(float("nan") if v is None or float(v) < 0 else float(v)  # type: ignore[return-value]
                 for v in pair)


def _worst_qp(qp: Mapping[str, Sequence[float]]) -> float:
    """The largest quasi-p value over a box's restricted limits (0 for a box without any)."""
    values = [v for d in qp for v in _qp_pair(qp, d) if not math.isnan(v)]
    return max(values, default=0.0)


def trajectory_frame(box: Any) -> pd.DataFrame:
    """The workbench's peeling trajectory as :data:`TRAJECTORY_COLUMNS` (``chosen`` False)."""
    t = box.peeling_trajectory
    out = pd.DataFrame({"step": t["id"].astype(int), "coverage": t["coverage"].astype(float),
                        "density": t["density"].astype(float), "mass": t["mass"].astype(float),
                        "res_dim": t["res_dim"].astype(int), "n": t["n"].astype(int),
                        "k": t["k"].astype(int), "chosen": False})
    return out.reset_index(drop=True)


def choose_box(trajectory: pd.DataFrame, *, min_coverage: float = MIN_COVERAGE) -> int:
    """The box to start from on the peeling trajectory: the densest with enough coverage.

    Among the boxes with coverage ≥ ``min_coverage`` (the first box, all of the space,
    always qualifies), the densest; ties go to fewer restricted dimensions, then to higher
    coverage, then to the earlier box.
    """
    cov = trajectory["coverage"].to_numpy(float)
    dens = trajectory["density"].to_numpy(float)
    dims = trajectory["res_dim"].to_numpy(int)
    eligible = [i for i in range(len(trajectory)) if cov[i] >= min_coverage - 1e-12]

    def rank(i: int) -> tuple[float, int, float, int]:
        return (round(dens[i], 12), -dims[i], round(cov[i], 12), -i)

    return max(eligible, key=rank)


def drop_insignificant(box: Any, step: int, *, alpha: float = ALPHA) -> tuple[int, bool]:
    """Drop, one at a time, the restriction of the box at ``step`` with the largest quasi-p.

    The workbench's own :meth:`PrimBox.drop_restriction` does it: each dropped restriction
    adds a box to the trajectory (its limits widened to the prior's on that dimension,
    its statistics and quasi-p values computed again). It stops when every remaining limit
    has quasi-p < ``alpha``. A box none of whose limits is significant is kept as it was
    (dropping all would leave the whole space), and flagged.

    Returns:
        The row of the box reached, and whether its every limit is significant.
    """
    box.select(step)
    current = step
    while True:
        qp = box.p_values[current]
        worst = {d: max((v for v in _qp_pair(qp, d) if not math.isnan(v)), default=0.0)
                 for d in qp}
        weak = {d: v for d, v in worst.items() if v >= alpha}
        if not weak:
            return current, True
        if len(weak) == len(worst):
            box.select(step)
            return step, False
        box.drop_restriction(max(weak, key=lambda d: (weak[d], d)))
        current = len(box.peeling_trajectory) - 1


def prim_result(x: pd.DataFrame, y: np.ndarray, bounds: Mapping[str, tuple[float, float]], *,
                min_coverage: float = MIN_COVERAGE, alpha: float = ALPHA) -> PrimResult:
    """Run PRIM, choose a box by the module's rule and tabulate its limits.

    The densest box with enough coverage (:func:`choose_box`), with its insignificant
    restrictions dropped (:func:`drop_insignificant`).

    Args:
        x: The parameter sets, checked (:func:`check_data`).
        y: The case of interest per set.
        bounds: Prior range of each parameter, shown beside the limits.
        min_coverage: Least coverage of the chosen box.
        alpha: Significance level of its limits.
    """
    box = run_prim(x, y)
    peeled = len(box.box_lims)
    start = choose_box(trajectory_frame(box), min_coverage=min_coverage)
    with quiet():
        step, significant_only = drop_insignificant(box, start, alpha=alpha)
    trajectory = trajectory_frame(box)
    trajectory["origin"] = ["peel" if i < peeled else "dropped" for i in range(len(trajectory))]
    trajectory.loc[step, "chosen"] = True
    lims: pd.DataFrame = box.box_lims[step]
    first: pd.DataFrame = box.box_lims[0]
    qp = box.p_values[step]
    row = trajectory.loc[step]
    rows = []
    for dim in x.columns:
        if dim not in qp:
            continue
        low, high = float(lims.loc[0, dim]), float(lims.loc[1, dim])
        q_low, q_high = _qp_pair(qp, dim)
        prior = bounds.get(dim, (float(first.loc[0, dim]), float(first.loc[1, dim])))
        worst = max(v for v in (q_low, q_high) if not math.isnan(v))
        rows.append({"box": 1, "step": step, "dimension": dim,
                     "low": low if not math.isnan(q_low) else float("nan"),
                     "high": high if not math.isnan(q_high) else float("nan"),
                     "prior_low": float(prior[0]), "prior_high": float(prior[1]),
                     "qp_low": q_low, "qp_high": q_high, "qp": worst,
                     "significant": bool(worst < alpha), "coverage": float(row["coverage"]),
                     "density": float(row["density"]), "mass": float(row["mass"])})
    limits = pd.DataFrame(rows, columns=list(BOXES_COLUMNS))
    return PrimResult(trajectory=trajectory[list(TRAJECTORY_COLUMNS)], step=step,
                      limits=limits, coverage=float(row["coverage"]),
                      density=float(row["density"]), mass=float(row["mass"]),
                      significant_only=significant_only, start=start,
                      min_coverage=min_coverage, alpha=alpha)


# --------------------------------------------------------------------------- CART


def tree_json(model: Any, x: pd.DataFrame, y: np.ndarray) -> dict[str, Any]:
    """A fitted tree as nested mappings, for ``tree.json``.

    A split names its feature and threshold and holds ``le`` (feature ≤ threshold) and
    ``gt``; every node gives its sets, failing sets and density counted on the data (not
    the class-weighted values scikit-learn keeps), a leaf the tree's answer.
    """
    t = model.tree_
    paths = model.decision_path(x.to_numpy(float)).toarray().astype(bool)  # set × node
    features = list(x.columns)
    fails = list(model.classes_).index(True)

    def node(i: int) -> dict[str, Any]:
        inside = paths[:, i]
        total = int(inside.sum())
        failing = int(y[inside].sum())
        base = {"sets": total, "failing": failing,
                "density": failing / total if total else 0.0}
        if t.children_left[i] == t.children_right[i]:
            return {**base, "leaf": True, "fails": bool(np.argmax(t.value[i][0]) == fails)}
        return {**base, "leaf": False, "feature": features[t.feature[i]],
                "threshold": float(t.threshold[i]),
                "le": node(int(t.children_left[i])), "gt": node(int(t.children_right[i]))}

    return node(0)


def tree_result(x: pd.DataFrame, y: np.ndarray, *, depth: int = TREE_DEPTH,
                seed: int = 0) -> TreeResult:
    """Fit the CART tree (scikit-learn) and give its rules as text and JSON.

    Leaves hold at least 5 % of the sets (and 3); cost-complexity pruning
    (:data:`TREE_CCP_ALPHA`) removes splits that change little. The classes are weighted
    by their inverse frequency (``class_weight="balanced"``): failures are often rare, and
    an unweighted tree would then answer "does not fail" in every leaf.
    """
    with quiet():
        from sklearn.tree import DecisionTreeClassifier, export_text

        leaf = max(3, math.ceil(0.05 * len(x)))
        model = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf,
                                       ccp_alpha=TREE_CCP_ALPHA, class_weight="balanced",
                                       random_state=seed)
        model.fit(x.to_numpy(float), y)
        text = export_text(model, feature_names=list(x.columns), decimals=3)
        accuracy = float(model.score(x.to_numpy(float), y))
    nodes = tree_json(model, x, y)
    root = None if nodes["leaf"] else (nodes["feature"], nodes["threshold"])
    return TreeResult(text=text, nodes=nodes, root=root, depth=depth, seed=seed,
                      accuracy=accuracy, model=model)


# --------------------------------------------------------------------------- both


def discover(x: pd.DataFrame, y: Sequence[bool] | np.ndarray, *,
             bounds: Mapping[str, tuple[float, float]] | None = None,
             min_coverage: float = MIN_COVERAGE, alpha: float = ALPHA,
             depth: int = TREE_DEPTH, seed: int = 0) -> Discovery:
    """Find where the case of interest lies: PRIM's box and the CART tree.

    Args:
        x: One row per parameter set, one numeric column per uncertain parameter.
        y: True where the design fails (the case of interest).
        bounds: Each parameter's prior range; the sampled range when missing.
        min_coverage: Least coverage of PRIM's chosen box, in (0, 1].
        alpha: Significance level of the box's limits (quasi-p), in (0, 1).
        depth: Maximum depth of the CART tree, ≥ 1.
        seed: ``random_state`` of the tree.

    Returns:
        The :class:`Discovery`.

    Raises:
        ConfigError: For bad data (:func:`check_data`) or settings out of range.
    """
    if not 0 < min_coverage <= 1:
        raise ConfigError("--min-coverage", f"must be in (0, 1] (got {min_coverage})")
    if not 0 < alpha < 1:
        raise ConfigError("alpha", f"must be in (0, 1) (got {alpha})")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ConfigError("depth", f"must be a whole number ≥ 1 (got {depth!r})")
    values, target = check_data(x, y)
    given = dict(bounds or {})
    ranges = {c: tuple(map(float, given[c])) if c in given
              else (float(values[c].min()), float(values[c].max())) for c in values.columns}
    prim = prim_result(values, target, ranges, min_coverage=min_coverage, alpha=alpha)
    tree = tree_result(values, target, depth=depth, seed=seed)
    return Discovery(x=values, y=target, bounds=ranges, prim=prim, tree=tree)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- words


def fmt_value(value: float) -> str:
    """A limit for people: three significant digits (``0.812``, ``12.4``, ``3``)."""
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}"


def percent(share: float) -> str:
    """A share as a whole percentage (``72 %``)."""
    return f"{share * 100:.0f} %"


def short_name(path: str) -> str:
    """A parameter's path without the ``design.institutions.`` prefix."""
    from sim.priors import INSTITUTION_PREFIX

    return path[len(INSTITUTION_PREFIX):] if path.startswith(INSTITUTION_PREFIX) else path


def conditions(limits: pd.DataFrame, lang: str) -> list[str]:
    """Each restricted dimension of a box as a condition (``visits < 0.8``), in ``lang``.

    An insignificant limit is marked as such.
    """
    t = TEXT[lang]
    out = []
    for r in limits.itertuples(index=False):
        name = short_name(str(r.dimension))
        has_low, has_high = not math.isnan(r.low), not math.isnan(r.high)
        if has_low and has_high:
            text = t["between"].format(name=name, low=fmt_value(r.low), high=fmt_value(r.high))
        elif has_high:
            text = t["below"].format(name=name, value=fmt_value(r.high))
        else:
            text = t["above"].format(name=name, value=fmt_value(r.low))
        if not r.significant:
            text += t["not_significant"].format(qp=f"{r.qp:.2f}")
        out.append(text)
    return out


def reading(found: Discovery, lang: str, *, subject: str) -> str:
    """The plain-language reading of a discovery, in ``lang``.

    Args:
        found: The discovery.
        lang: ``"zh"`` or ``"en"``.
        subject: What the case of interest is, as a clause ("nanan_131 fails to beat
            baseline on condition"), in ``lang``.

    Returns:
        One paragraph: how often the case holds, PRIM's box as conditions with its
        coverage and density (or, when none of its limits is significant, that PRIM found
        no significant region: a box of noise is not read out as conditions), and the
        tree's first split.
    """
    t = TEXT[lang]
    p = found.prim
    n, k = len(found.y), found.cases
    parts = [t["how_often"].format(subject=subject, k=k, n=n, share=percent(k / n))]
    joined = t["and"].join(conditions(p.limits, lang))
    if not joined:
        parts.append(t["no_box"])
    elif p.significant_only:
        parts.append(t["box"].format(conditions=joined, coverage=percent(p.coverage),
                                     density=percent(p.density), mass=percent(p.mass)))
    else:  # a box of noise is not named as conditions
        parts.append(t["weak_box"].format(alpha=p.alpha, dims=len(p.limits),
                                          coverage=percent(p.coverage),
                                          density=percent(p.density)))
    root = found.tree.root
    if root is None:
        parts.append(t["no_tree"])
    else:
        nodes = found.tree.nodes
        parts.append(t["tree"].format(name=short_name(root[0]), value=fmt_value(root[1]),
                                      below=percent(nodes["le"]["density"]),
                                      above=percent(nodes["gt"]["density"]),
                                      accuracy=percent(found.tree.accuracy)))
    return "".join(parts)


# --------------------------------------------------------------------------- files


def write_tables(found: Discovery, folder: Path) -> list[Path]:
    """Write ``boxes.csv``, ``trajectory.csv``, ``tree.json`` and ``tree.txt`` into ``folder``."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    boxes = folder / "boxes.csv"
    found.prim.limits.to_csv(boxes, index=False)
    trajectory = folder / "trajectory.csv"
    found.prim.trajectory.to_csv(trajectory, index=False)
    tree = folder / "tree.json"
    tree.write_text(json.dumps({"depth": found.tree.depth, "seed": found.tree.seed,
                                "ccp_alpha": TREE_CCP_ALPHA, "accuracy": found.tree.accuracy,
                                "features": list(found.x.columns), "root": found.tree.nodes},
                               ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    text = folder / "tree.txt"
    text.write_text(found.tree.text, encoding="utf-8")
    return [boxes, trajectory, tree, text]


def _figure(width: float, height: float) -> Figure:
    """A figure drawn off screen (no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _font(lang: str) -> None:
    """Set up the CJK font for Chinese figures (English ones do without)."""
    from sim.fonts import CJKFontError, use_cjk_font

    try:
        use_cjk_font()
    except CJKFontError:
        if lang == "zh":
            raise


def plot_trajectory(found: Discovery, lang: str, path: Path, dpi: int = 110) -> Path:
    """Draw PRIM's trade-off: coverage against density of every box on the trajectory.

    Points are coloured by the number of restricted dimensions; boxes reached by dropping
    insignificant limits are diamonds; the chosen box is ringed and the least coverage asked
    for is a dotted line.
    """
    from matplotlib.ticker import MaxNLocator

    t = TEXT[lang]
    _font(lang)
    traj = found.prim.trajectory
    peel = traj[traj["origin"] == "peel"]
    dropped = traj[traj["origin"] == "dropped"]
    fig = _figure(6.0, 4.4)
    ax = fig.add_subplot()
    top = max(int(traj["res_dim"].max()), 1)
    points = ax.scatter(peel["coverage"], peel["density"], c=peel["res_dim"], cmap="viridis",
                        vmin=0, vmax=top, s=22, zorder=2)
    ax.plot(peel["coverage"], peel["density"], color="#999999", linewidth=0.8, zorder=1)
    if len(dropped):
        ax.scatter(dropped["coverage"], dropped["density"], c=dropped["res_dim"],
                   cmap="viridis", vmin=0, vmax=top, marker="D", s=30, zorder=2,
                   label=t["dropped"])
    chosen = traj.loc[found.prim.step]
    ax.scatter([chosen["coverage"]], [chosen["density"]], s=160, facecolors="none",
               edgecolors="#d62728", linewidths=2, zorder=3, label=t["chosen"])
    ax.axvline(found.prim.min_coverage, color="#d62728", linestyle=":", linewidth=1)
    ax.set_xlabel(t["coverage"])
    ax.set_ylabel(t["density"])
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3, linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    bar = fig.colorbar(points, ax=ax)
    bar.set_label(t["res_dim"])
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    ax.legend(loc="lower left", frameon=False, fontsize=9)
    ax.set_title(t["trajectory_title"], fontsize=12)
    fig.savefig(path, dpi=dpi)
    return path


def plot_limits(found: Discovery, lang: str, path: Path, dpi: int = 110) -> Path:
    """The chosen box's limits against each restricted parameter's prior range (scaled to 0–1).

    Only the restricted parameters are drawn (a comparison has a hundred uncertain ones);
    a box without restriction is drawn as the first parameter's whole range.
    """
    t = TEXT[lang]
    _font(lang)
    limits = found.prim.limits
    names = list(limits["dimension"]) or list(found.x.columns[:1])
    fig = _figure(6.4, 1.4 + 0.5 * len(names))
    ax = fig.add_subplot()
    by_dim = {r.dimension: r for r in limits.itertuples(index=False)}
    for i, name in enumerate(names):
        lo, hi = found.bounds[name]
        span = (hi - lo) or 1.0
        ax.plot([0, 1], [i, i], color="#cccccc", linewidth=6, solid_capstyle="butt")
        ax.text(0, i + 0.22, fmt_value(lo), ha="left", va="top", fontsize=7, color="#888888")
        ax.text(1, i + 0.22, fmt_value(hi), ha="right", va="top", fontsize=7, color="#888888")
        r = by_dim.get(name)
        if r is None:
            continue
        a = 0.0 if math.isnan(r.low) else (r.low - lo) / span
        b = 1.0 if math.isnan(r.high) else (r.high - lo) / span
        colour = "#d62728" if r.significant else "#ff9896"
        ax.plot([a, b], [i, i], color=colour, linewidth=6, solid_capstyle="butt")
        for end, value in ((a, r.low), (b, r.high)):
            if not math.isnan(value):
                ax.text(end, i - 0.2, fmt_value(value), ha="center", va="bottom", fontsize=8,
                        color=colour)
    ax.set_yticks(range(len(names)), [short_name(n) for n in names], fontsize=8)
    ax.set_ylim(-0.7, len(names) - 0.4)
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.02)
    ax.set_xticks([0, 1], [t["prior_low"], t["prior_high"]], fontsize=8)
    ax.spines[["top", "right", "left"]].set_visible(False)
    title = t["limits_title"] + "\n" + t["limits_stats"].format(
        coverage=percent(found.prim.coverage), density=percent(found.prim.density))
    ax.set_title(title, fontsize=10)
    fig.savefig(path, dpi=dpi)
    return path


def plot_tree(found: Discovery, lang: str, path: Path, dpi: int = 100) -> Path:
    """The CART tree as scikit-learn draws it (``sklearn.tree.plot_tree``)."""
    t = TEXT[lang]
    _font(lang)
    depth = max(found.tree.model.get_depth(), 1)
    fig = _figure(max(6.0, 2.6 * 2 ** min(depth, 3) / 1.6), 1.6 + 1.5 * depth)
    ax = fig.add_subplot()
    with quiet():
        from sklearn.tree import plot_tree

        plot_tree(found.tree.model, ax=ax, feature_names=[short_name(c) for c in found.x.columns],
                  class_names=[t["holds_not"], t["holds"]], filled=True, impurity=False,
                  proportion=False, rounded=True, fontsize=7)
    ax.set_title(t["tree_title"], fontsize=11)
    fig.savefig(path, dpi=dpi)
    return path


FIGURE_FILES = ("trajectory.png", "limits.png", "tree.png")
"""The figures of a discovery, in ``figures/``."""


def write_figures(found: Discovery, lang: str, folder: Path) -> list[Path]:
    """Draw the three figures (:data:`FIGURE_FILES`) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    draw = (plot_trajectory, plot_limits, plot_tree)
    return [f(found, lang, folder / name) for f, name in zip(draw, FIGURE_FILES, strict=True)]
