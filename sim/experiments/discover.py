"""``sim discover DESIGN --vs REF``: where in the priors a design fails to beat its reference.

A comparison under parameter uncertainty (``sim compare --uncertainty N``) says how often a
design beats the reference over the priors; this command says *where* it does not, by
scenario discovery (:mod:`sim.experiments.discovery`: the EMA Workbench's PRIM and a CART
tree) on the comparison's parameter sets:

1. the comparison: without ``--from``, ``REF`` and ``DESIGN`` are compared on the community
   with ``--uncertainty`` parameter sets × ``--seeds`` seeds
   (:func:`sim.experiments.compare.compare`) into ``DIR/comparison/`` (a whole ``sim
   compare`` directory: its report, runs and manifest; ``--resume`` continues it); with
   ``--from CMP``, an existing ``sim compare --uncertainty`` directory is read;
2. per parameter set ``k``, the case of interest ``y_k`` ("the design fails"): with
   ``d_k`` the mean over seeds of the paired differences design − reference of
   ``--outcome``'s window mean (the comparison's own statistics,
   :func:`sim.experiments.report.load_comparison`), the design fails in set ``k`` when
   ``d_k`` is not in the outcome's better direction
   (:func:`sim.experiments.comparison.better_sign`; a tie is a failure to beat, as
   ``p_better`` counts it); with ``--threshold V``, when the design's mean over seeds in set
   ``k`` does not meet ``V`` (≥ V where more is better, ≤ V where less is: the rule of
   ``meets_threshold`` in ``summary.csv``);
3. ``x``: the parameter sets' values of the uncertain parameters that act on the design or
   the reference (a prior of an institution neither has changes neither, and is left out);
4. PRIM's box and the CART tree on ``(x, y)``, written as ``boxes.csv``, ``trajectory.csv``,
   ``tree.json``, ``tree.txt``, ``figures/*.png``, a self-contained ``discover.html``
   (template ``sim/templates/discover.html.j2``) and ``discover.json`` (what was asked,
   what was found, versions).

The discovery's files are written into a hidden directory beside ``DIR`` and moved into
place only when all are complete, so a failed or refused discovery leaves no half-written
file; the comparison it ran stays in ``DIR/comparison/`` (``--from`` reads it again).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError
from sim.text import section
from sim.versions import versions

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from sim.experiments.comparison import Comparison
    from sim.experiments.discovery import Discovery

COMMAND = "discover"
"""The command recorded in ``discover.json``."""

COMPARISON_DIR = "comparison"
"""Where, inside ``DIR``, the comparison is run without ``--from``."""

HTML = "discover.html"
JSON = "discover.json"
FIGURES = "figures"
TABLES = ("boxes.csv", "trajectory.csv", "tree.json", "tree.txt")
OUTPUT_FILES = (HTML, *TABLES, f"{FIGURES}/", JSON)
"""What a discovery writes into ``DIR``, in the order messages list them."""

DEFAULT_UNCERTAINTY = 64
DEFAULT_SEEDS = 4
DEFAULT_OUTCOME = "condition"

MESSAGES: dict[str, dict[str, str]] = section("discover")
"""Messages and the page's text, by language."""

DESCRIPTION = """\
Where does a design fail? Scenario discovery over the parameters' priors.
在什么条件下失效？在参数先验范围内寻找治理模式不如参照模式的区域（情景发现）。

Compares DESIGN with REF under parameter uncertainty (or reads such a comparison with
--from) and finds the region of the priors where DESIGN fails to beat REF on --outcome
(or, with --threshold, fails to meet it): a PRIM box (EMA Workbench) and a CART tree.
在参数不确定性下比较 DESIGN 与 REF（或用 --from 读取已有的比较），用 PRIM 与分类树（CART）
找出 DESIGN 在 --outcome 上不如 REF（或达不到 --threshold）的参数区域。
"""

EPILOG = """\
how the answer is made / 计算方法:
  1. the comparison: REF and DESIGN with the same --uncertainty parameter sets (scrambled
     Sobol' from the priors, sim.priors) and the same --seeds seeds, into DIR/comparison/;
     参照与待考察模式使用相同的参数组与随机种子；
  2. per parameter set: the mean over seeds of the paired difference DESIGN − REF of the
     outcome's window mean; the set is a failure when it is not in the better direction
     (with --threshold: when DESIGN's mean does not meet the threshold);
     每组参数：按种子配对的差值的平均；不在"更好"方向上即为失效；
  3. PRIM peels a box of parameter limits that holds the failures: from the densest box
     with coverage ≥ --min-coverage, limits with quasi-p ≥ 0.05 are dropped one by one;
     coverage = share of failing sets inside it, density = share of its sets that fail;
     PRIM 找出失效集中的参数区域（覆盖率、密度、拟 p 值）；
  4. a CART tree (depth ≤ 3, seeded) as a second view. 分类树作为第二种视角。

examples / 示例:
  sim discover nanan_131 --vs baseline --community heping_road
  sim discover nanan_131 --vs baseline --community heping_road --uncertainty 64 --seeds 4 \\
      --outcome petitions --lang en
  sim discover nanan_131 --vs baseline --from out/compare-heping_road --outcome condition
  sim discover nanan_131 --vs baseline --from out/cmp --threshold 0.6

outputs in DIR / 输出文件:
  discover.html    the report: question, reading, box, figures, tree (self-contained) / 报告
  boxes.csv        the chosen box: per restricted parameter its limits, prior range,
                   quasi-p values, coverage, density, mass / 选定区域
  trajectory.csv   PRIM's peeling trajectory: coverage, density, mass, restricted
                   parameters per step, the chosen one marked / 剥离轨迹
  tree.json, tree.txt   the CART tree as JSON and as rules / 分类树
  figures/*.png    trade-off (coverage vs density), box limits vs priors, tree / 图
  discover.json    what was asked and found, the comparison read, versions / 说明
  comparison/      without --from: the comparison itself (a sim compare directory) / 比较结果

--force, --resume / 覆盖与续算:
  --force replaces the discovery (and, without --from, its comparison) in DIR; a
  directory with other files is refused, listing them. --resume continues a comparison
  in DIR/comparison/ that was killed and then writes the discovery.

exit status / 退出码: 0 done; 2 invalid input — an unknown outcome, --vs equal to DESIGN,
  a comparison without --uncertainty, no failing parameter set (or no set that does not
  fail) — reported on one line 'sim: error: FIELD: message' with no discovery file
  written (a comparison that was run is kept in DIR/comparison/).
"""


# --------------------------------------------------------------------------- the question


def judged_outcomes() -> list[str]:
    """The outcomes that have a better direction, in column order (the others can't fail)."""
    from sim.experiments.comparison import better_sign
    from sim.metrics import COLUMNS

    return [name for name in COLUMNS if better_sign(name) != 0]


def check_outcome(outcome: str) -> int:
    """Return the better direction of ``outcome`` (+1 or −1).

    Raises:
        ConfigError: (field ``--outcome``) for an unknown outcome, or one with no better
            direction (government spending, matters resolved), naming those allowed.
    """
    from sim.experiments.comparison import better_sign
    from sim.metrics import COLUMNS

    allowed = ", ".join(judged_outcomes())
    if outcome not in COLUMNS:
        import difflib

        near = difflib.get_close_matches(outcome, list(COLUMNS), n=1, cutoff=0.6)
        hint = f"; did you mean '{near[0]}'?" if near else ""
        raise ConfigError("--outcome", f"unknown outcome '{outcome}'{hint} (allowed: "
                                       f"{allowed})")
    sign = better_sign(outcome)
    if sign == 0:
        raise ConfigError("--outcome", f"'{outcome}' has no better direction, so a design "
                                       f"cannot fail on it; choose one of {allowed}")
    return sign


def check_pair(design: str, reference: str) -> None:
    """Refuse a reference that is the design itself.

    Raises:
        ConfigError: (field ``--vs``).
    """
    from sim.experiments.compare import _design_key

    if _design_key(design) == _design_key(reference):
        raise ConfigError("--vs", f"'{reference}' is DESIGN itself; compare {design} with "
                                  "another design (e.g. --vs baseline)")


def _arm_key(comp: Comparison, config: str, field: str) -> str:
    """The key of the comparison's design given as ``config`` (a key, preset or file)."""
    from sim.experiments.compare import _design_key

    keys = [arm.key for arm in comp.arms]
    for candidate in (config, _design_key(config)):
        if candidate in keys:
            return candidate
    for arm in comp.arms:
        if arm.config == config:
            return arm.key
    raise ConfigError(field, f"'{config}' is not one of the compared designs ({', '.join(keys)})")


def parameter_frame(comp: Comparison, keys: Sequence[str]) -> tuple[pd.DataFrame,
                                                                      dict[str, tuple[float,
                                                                                      float]]]:
    """``x``: one row per parameter set, one column per uncertain parameter acting on ``keys``.

    A prior of an institution that none of the designs ``keys`` has changes none of them
    (:func:`sim.priors.apply` skips it), so it is left out; so is a parameter that every one
    of them holds as a lever (``uncertainty.held`` of the manifest, :func:`sim.priors.held`).

    Returns:
        The frame (index: the parameter set's number) and each column's prior range.
    """
    import pandas as pd

    unc = comp.uncertainty or {}
    present = {name for arm in comp.arms if arm.key in keys
               for name in arm.scenario.design.institutions}
    held = unc.get("held") or {}
    everywhere = set.intersection(*(set(held.get(k, ())) for k in keys)) if keys else set()
    params = [p for p in unc.get("parameters", [])
              if (not p.get("institution") or p["institution"] in present)
              and p["path"] not in everywhere]
    columns = [p["path"] for p in params]
    x = pd.DataFrame([{c: values[c] for c in columns} for values in comp.param_sets],
                     columns=columns)
    bounds = {p["path"]: (float(p["low"]), float(p["high"])) for p in params}
    return x.astype(float), bounds


def failing_sets(comp: Comparison, design: str, reference: str, outcome: str,
                 threshold: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``y``: whether ``design`` fails in each parameter set, and the per-set values.

    Args:
        comp: A comparison under uncertainty.
        design: The key of the design examined.
        reference: The key of the reference.
        outcome: A judged outcome (:func:`check_outcome`).
        threshold: With a value: failing is missing it; without: failing to beat the
            reference.

    Returns:
        ``y`` (one bool per parameter set, in number order) and the values it was judged
        on (``d_k``, or the design's per-set mean with a threshold).
    """
    from sim.experiments.comparison import _cube, better_sign

    arms = {arm.key: arm for arm in comp.arms}
    cube = _cube(comp.runs, [arms[reference], arms[design]], outcome)  # 2 × set × seed
    sign = better_sign(outcome)
    if threshold is None:
        values = (cube[1] - cube[0]).mean(axis=1)
        return ~(sign * values > 0), values
    values = cube[1].mean(axis=1)
    return ~(sign * (values - threshold) >= 0), values


# --------------------------------------------------------------------------- the directory


def _own(out: Path) -> tuple[list[str], list[str]]:
    """Entries of ``out`` this command writes, and the others (``notes.txt``).

    ``comparison/`` is the command's too (it runs its comparison there), also when a
    discovery reads it back with ``--from DIR/comparison``.
    """
    own_names = {HTML, *TABLES, JSON, FIGURES, COMPARISON_DIR}
    own, other = [], []
    for path in sorted(out.iterdir()):
        name = path.name
        if name in own_names and (path.is_dir() == (name in (FIGURES, COMPARISON_DIR))):
            if name == FIGURES and any(not p.name.endswith(".png") or p.is_dir()
                                       for p in path.iterdir()):
                other.append(f"{FIGURES}/")
                continue
            own.append(name)
        else:
            other.append(name + ("/" if path.is_dir() else ""))
    return own, other


def check_out(out: Path, *, force: bool, resume: bool, with_comparison: bool) -> None:
    """Check, before anything runs, that the discovery may be written to ``out``.

    ``out`` must be new or empty; or hold only an earlier discovery's files (and, without
    ``--from``, its ``comparison/``), which ``--force`` replaces and ``--resume`` continues.

    Raises:
        ConfigError: (field ``--out``, ``--force`` or ``--resume``) when it may not.
    """
    from sim.output import Output, check_outdir, clean_stale, listed

    if force and resume:
        raise ConfigError("--force", "cannot be combined with --resume: --resume finishes the "
                                     "comparison in DIR, --force replaces it")
    if resume and not with_comparison:
        raise ConfigError("--resume", "continues the comparison in DIR/comparison/; with "
                                      "--from there is none to continue (leave --resume out)")
    target = Path(os.path.abspath(out))
    clean_stale(target, COMMAND)
    if not out.is_dir() or out.is_symlink() or not any(out.iterdir()):
        check_outdir(out, output=Output(COMMAND, ()))
        if resume:
            raise ConfigError("--resume", f"{out} holds no comparison to continue; leave "
                                          "--resume out")
        return
    own, other = _own(out)
    if other:
        raise ConfigError("--out", f"{out} holds files that 'sim discover' does not write "
                                   f"({listed(other)}); move them elsewhere or choose another "
                                   "directory")
    if resume:
        if COMPARISON_DIR not in own:
            raise ConfigError("--resume", f"{out} holds no {COMPARISON_DIR}/ to continue; "
                                          "leave --resume out")
        return
    if not force:
        raise ConfigError("--out", f"{out} already exists; choose another directory or pass "
                                   "--force")


def publish(out: Path, write: Callable[[Path], object]) -> Path:
    """Write the discovery's files with ``write`` into a hidden directory, then move them in.

    The hidden directory is beside ``out`` and named as :func:`sim.output.clean_stale`
    knows, so one left by a killed process is removed by the next discovery into ``out``.
    Earlier discovery files in ``out`` are replaced; ``comparison/`` is left alone.

    Raises:
        ConfigError: (field ``--out``) for a full disk or a permission problem, with no
            discovery file written.
    """
    from sim.output import _make_parents, _remove_empty, _tmp_prefix, refused_write

    target = Path(os.path.abspath(out))
    try:
        created = _make_parents(target)
    except OSError as exc:
        raise ConfigError("--out", f"cannot create {out}: {exc.strerror or exc}") from None
    tmp: Path | None = None
    try:
        try:
            tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(target.name, "tmp", COMMAND),
                                        dir=target.parent))
            write(tmp)
            os.chmod(tmp, 0o777 & ~_umask())
            if not target.exists():
                os.replace(tmp, target)
                tmp = None
            else:
                for path in sorted(tmp.iterdir(), key=lambda p: p.name == JSON):
                    dest = target / path.name
                    if dest.is_dir() and not dest.is_symlink():
                        shutil.rmtree(dest)
                    elif dest.exists() or dest.is_symlink():
                        dest.unlink()
                    os.replace(path, dest)
        except OSError as exc:
            raise refused_write(exc, out, "no discovery file was written") from None
    except BaseException:
        _remove_empty(created)
        raise
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def _umask() -> int:
    """The process umask (``mkdtemp`` makes 0700 directories; outputs are shared)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- the page


def subject(comp: Comparison, design: str, reference: str, outcome: str,
            threshold: float | None, lang: str, *, keys: bool = False) -> str:
    """The case of interest as a clause in ``lang`` ("南岸"131"在环境状况上不如基线").

    With ``keys``, designs and outcome are named by their keys (for one-line errors).
    """
    from sim.experiments.comparison import better_sign
    from sim.metrics import label

    t = MESSAGES[lang]
    arms = {arm.key: arm for arm in comp.arms}

    def name(key: str) -> str:
        return key if keys else arms[key].label(lang)

    what = outcome if keys else label(outcome, lang)
    if threshold is None:
        return t["subject_vs"].format(design=name(design), reference=name(reference),
                                      outcome=what)
    key = "subject_below" if better_sign(outcome) > 0 else "subject_above"
    return t[key].format(design=name(design), outcome=what, threshold=f"{threshold:g}")


def page_context(found: Discovery, comp: Comparison, *, design: str, reference: str,
                 outcome: str, threshold: float | None, lang: str, source: str,
                 command: str, reading: str, figures: Sequence[Path],
                 ties: int = 0) -> dict[str, Any]:
    """Everything ``discover.html.j2`` shows, formatted in ``lang``.

    ``ties``: failing sets whose difference is exactly 0 (the designs did the same).
    """
    import base64
    import math

    from markupsafe import Markup

    from sim.experiments.discovery import TEXT as DTEXT
    from sim.experiments.discovery import fmt_value, percent, short_name
    from sim.metrics import label
    from sim.posterior import describe

    t = MESSAGES[lang]
    arms = {arm.key: arm for arm in comp.arms}
    captions = (t["fig_trajectory"], t["fig_limits"], t["fig_tree"])
    figs = [{"src": Markup("data:image/png;base64,"
                           + base64.b64encode(path.read_bytes()).decode("ascii")),
             "caption": caption} for path, caption in zip(figures, captions, strict=True)]

    def num(v: float) -> str:
        return "" if isinstance(v, float) and math.isnan(v) else fmt_value(float(v))

    def qp(v: float) -> str:
        return "" if math.isnan(v) else (f"{v:.1e}" if v < 0.001 else f"{v:.3f}")

    limits = [{"name": short_name(str(r.dimension)), "path": str(r.dimension),
               "low": num(r.low), "high": num(r.high),
               "prior": f"{fmt_value(r.prior_low)} – {fmt_value(r.prior_high)}",
               "qp_low": qp(r.qp_low), "qp_high": qp(r.qp_high),
               "significant": t["yes"] if r.significant else t["no"]}
              for r in found.prim.limits.itertuples(index=False)]
    trajectory = [{"step": int(r.step), "coverage": percent(r.coverage),
                   "density": percent(r.density), "mass": percent(r.mass),
                   "res_dim": int(r.res_dim), "chosen": bool(r.chosen)}
                  for r in found.prim.trajectory.itertuples(index=False)]
    question = [
        (t["q_design"], arms[design].label(lang)),
        (t["q_reference"], arms[reference].label(lang)),
        (t["q_outcome"], label(outcome, lang)),
        (t["q_case"], subject(comp, design, reference, outcome, threshold, lang)),
        (t["q_sets"], t["q_sets_value"].format(n=len(found.y), seeds=len(comp.seeds),
                                               k=found.cases)),
        *([(t["q_ties"], t["q_ties_value"].format(ties=ties))] if ties else []),
        (t["q_params"], ", ".join(short_name(c) for c in found.x.columns)),
        (t["q_source"], source),
    ]
    method = [t["m_case_vs"] if threshold is None else t["m_case_threshold"],
              t["m_prim"].format(min_coverage=percent(found.prim.min_coverage),
                                 alpha=found.prim.alpha),
              t["m_tree"].format(depth=found.tree.depth, seed=found.tree.seed),
              *([describe(comp.uncertainty["posterior"], lang)]
                if (comp.uncertainty or {}).get("posterior") else []),
              t["m_caveat"]]
    return {
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "title": t["title"].format(design=arms[design].label(lang),
                                   reference=arms[reference].label(lang)),
        "subtitle": t["subtitle"].format(community=_community_label(comp, lang),
                                         outcome=label(outcome, lang)),
        "text": t, "dtext": DTEXT[lang], "reading": reading, "question": question,
        "box": {"note": t["box_note"].format(step=found.prim.step,
                                             coverage=percent(found.prim.coverage),
                                             density=percent(found.prim.density),
                                             mass=percent(found.prim.mass)),
                "limits": limits},
        "trajectory": trajectory, "figures": figs, "tree_text": found.tree.text,
        "method": method, "command": command,
        "files": ", ".join(OUTPUT_FILES),
    }


def _community_label(comp: Comparison, lang: str) -> str:
    """The comparison's community by name in ``lang``."""
    c = comp.reference.scenario.community
    return (c.label_en if lang == "en" else c.label_zh) or c.label_en or c.label_zh or c.name


def render_page(context: dict[str, Any]) -> str:
    """Render ``discover.html.j2``.

    With the comparison report's Jinja2 environment: autoescape, strict undefined, the
    same templates folder and style sheet.
    """
    from sim.experiments.compare_report import environment

    return environment().get_template("discover.html.j2").render(**context)


# --------------------------------------------------------------------------- the command


def run_discovery(design: str, reference: str, *, source: Path | None, out: Path,
                  community: str | None = None, uncertainty: int = DEFAULT_UNCERTAINTY,
                  seeds: int = DEFAULT_SEEDS, steps: int | None = None,
                  outcome: str = DEFAULT_OUTCOME, threshold: float | None = None,
                  min_coverage: float | None = None, lang: str = "zh",
                  workers: int | None = None, scheduler: str | None = None,
                  resume: bool = False, force: bool = False, progress: bool = True,
                  command: str = "", posterior: str | Path | None = None
                  ) -> tuple[Discovery, str]:
    """Compare (or read a comparison), discover, and write every file into ``out``.

    With ``posterior`` (a ``sim calibrate`` directory; ``--posterior``) the comparison draws
    the parameters it calibrated from its posterior (:func:`sim.posterior.parameter_sets`);
    a comparison read with ``--from`` keeps what it was drawn from, and the page says so.

    Returns:
        The discovery and its plain-language reading.

    Raises:
        ConfigError: For bad input (checked before anything runs), a comparison that was not
            made with ``--uncertainty`` or lacks a design, or a case of interest that holds in
            no parameter set, in all, or in (or outside) fewer than
            :data:`~sim.experiments.discovery.MIN_CASES` (nothing to find: said plainly, no
            file written).
    """
    from sim.experiments.discovery import (
        MIN_CASES,
        MIN_COVERAGE,
        MIN_SETS,
        discover,
        reading,
        write_figures,
    )
    from sim.experiments.discovery import write_tables as write_discovery_tables
    from sim.experiments.report import load_comparison

    check_pair(design, reference)
    check_outcome(outcome)
    if threshold is not None and not (threshold == threshold and abs(threshold) != float("inf")):
        raise ConfigError("--threshold", f"must be a finite number (got {threshold})")
    coverage = MIN_COVERAGE if min_coverage is None else min_coverage
    if not 0 < coverage <= 1:
        raise ConfigError("--min-coverage", f"must be in (0, 1] (got {coverage})")
    with_comparison = source is None
    if source is None and uncertainty < MIN_SETS:
        raise ConfigError("--uncertainty", f"must be at least {MIN_SETS} parameter sets for a "
                                           f"discovery (got {uncertainty}); 64 or more give "
                                           "limits that can be significant")
    if source is not None:
        for option, value in (("--community", community), ("--steps", steps),
                              ("--posterior", posterior)):
            if value is not None:
                raise ConfigError(option, "applies to the comparison that discover runs; with "
                                          "--from the comparison is read as it is (leave it "
                                          "out)")
    check_out(out, force=force, resume=resume, with_comparison=with_comparison)
    if lang == "zh":
        from sim.fonts import use_cjk_font

        use_cjk_font()  # fail before the runs, not after them
    if source is None:
        from sim.experiments.compare import compare

        cmp_dir = out / COMPARISON_DIR
        comp = compare([reference, design], community=community, seeds=range(seeds),
                       steps=steps, workers=workers, scheduler=scheduler, progress=progress,
                       lang=lang, out=cmp_dir, resume=resume, force=force,
                       uncertainty=uncertainty, posterior=posterior)
        where = f"{cmp_dir}"
    else:
        comp = load_comparison(source, lang)
        where = str(source)
    if not comp.uncertainty:
        raise ConfigError("--from", f"{source} is a comparison without parameter "
                                    "uncertainty; run sim compare with --uncertainty N (or "
                                    "leave --from out)")
    d_key = _arm_key(comp, design, "DESIGN")
    r_key = _arm_key(comp, reference, "--vs")
    if d_key == r_key:
        raise ConfigError("--vs", f"'{reference}' is DESIGN itself; compare with another design")
    x, bounds = parameter_frame(comp, (d_key, r_key))
    if x.shape[1] == 0:
        raise ConfigError("--from", f"none of the uncertain parameters of {where} acts on "
                                    f"{d_key} or {r_key}")
    if len(x) < MIN_SETS:
        raise ConfigError("--from", f"{where} has {len(x)} parameter sets; a discovery needs "
                                    f"at least {MIN_SETS} (sim compare --uncertainty N)")
    y, values = failing_sets(comp, d_key, r_key, outcome, threshold)
    what = subject(comp, d_key, r_key, outcome, threshold, lang)
    k, n = int(y.sum()), int(y.size)
    if min(k, n - k) < MIN_CASES:
        t = MESSAGES["en"]
        key = "none_fail" if k == 0 else "all_fail" if k == n else "too_few"
        kept = (t["kept"].format(where=where) if source is None else "")
        clause = subject(comp, d_key, r_key, outcome, threshold, "en", keys=True)
        raise ConfigError("--threshold" if threshold is not None else "--outcome",
                          t[key].format(subject=clause, n=n, k=k, least=MIN_CASES) + kept)
    ties = int((values == 0).sum()) if threshold is None else 0
    found = discover(x, y, bounds=bounds, min_coverage=coverage)
    text = reading(found, lang, subject=what)
    record = {
        "command": COMMAND, "command_line": command, "design": d_key, "reference": r_key,
        "outcome": outcome, "threshold": threshold, "comparison": os.path.abspath(where),
        "comparison_command": comp.command,
        "case": "fails to meet the threshold" if threshold is not None
        else "fails to beat the reference",
        "parameter_sets": n, "seeds": list(comp.seeds), "failing_sets": k, "ties": ties,
        "posterior": comp.uncertainty.get("posterior"),
        "parameters": list(x.columns),
        "prim": {"chosen_step": found.prim.step, "coverage": found.prim.coverage,
                 "density": found.prim.density, "mass": found.prim.mass,
                 "min_coverage": coverage, "alpha": found.prim.alpha,
                 "all_limits_significant": found.prim.significant_only},
        "tree": {"depth": found.tree.depth, "seed": found.tree.seed,
                 "root": list(found.tree.root) if found.tree.root else None,
                 "accuracy": found.tree.accuracy},
        "per_set": [{"param_set": i, "value": float(v), "fails": bool(f)}
                    for i, (v, f) in enumerate(zip(values, y, strict=True))],
        "reading": text, "lang": lang, "versions": versions(("ema_workbench", "scikit-learn")),
        "files": list(OUTPUT_FILES),
    }

    def write(tmp: Path) -> None:
        write_discovery_tables(found, tmp)
        figures = write_figures(found, lang, tmp / FIGURES)
        context = page_context(found, comp, design=d_key, reference=r_key, outcome=outcome,
                               threshold=threshold, lang=lang, source=where, command=command,
                               reading=text, figures=figures, ties=ties)
        (tmp / HTML).write_text(render_page(context), encoding="utf-8")
        (tmp / JSON).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")

    publish(out, write)
    return found, text


def default_out(design: str, reference: str) -> Path:
    """``out/discover-<design>-vs-<reference>``, made safe as a folder name."""
    from sim.experiments.compare import _design_key

    name = f"discover-{_design_key(design)}-vs-{_design_key(reference)}"
    return Path("out") / (re.sub(r"[^\w.-]+", "_", name).strip("._") or "discover")


def command_line(args: argparse.Namespace) -> str:
    """A ``sim discover`` command line that gives the same answer (``--workers`` left out)."""
    parts = ["sim", "discover", args.design, "--vs", args.vs]
    if args.source is not None:
        parts += ["--from", args.source]
    else:
        if args.community is not None:
            parts += ["--community", args.community]
        parts += ["--uncertainty", str(args.uncertainty), "--seeds", str(args.seeds)]
        if args.posterior is not None:
            parts += ["--posterior", args.posterior]
        if args.steps is not None:
            parts += ["--steps", str(args.steps)]
    parts += ["--outcome", args.outcome]
    if args.threshold is not None:
        parts += ["--threshold", f"{args.threshold:g}"]
    if args.min_coverage is not None:
        parts += ["--min-coverage", f"{args.min_coverage:g}"]
    parts += ["--lang", args.lang]
    if args.out is not None:
        parts += ["--out", args.out]
    return shlex.join(parts)


def discover_command(args: argparse.Namespace) -> int:
    """Run ``sim discover``: check, compare (or read), discover, write, say where."""
    if args.uncertainty < 1:
        raise ConfigError("--uncertainty", f"must be at least 1 (got {args.uncertainty})")
    if args.seeds < 1:
        raise ConfigError("--seeds", f"must be at least 1 (got {args.seeds})")
    if args.workers is not None and args.workers < 1:
        raise ConfigError("--workers", f"must be at least 1 (got {args.workers})")
    if args.workers is not None and args.scheduler is not None:
        raise ConfigError("--workers", "cannot be combined with --scheduler: the cluster's "
                                       "workers run the comparison")
    source = Path(args.source) if args.source is not None else None
    out = Path(args.out) if args.out is not None else default_out(args.design, args.vs)
    _, text = run_discovery(
        args.design, args.vs, source=source, out=out, community=args.community,
        uncertainty=args.uncertainty, seeds=args.seeds, steps=args.steps,
        outcome=args.outcome, threshold=args.threshold, min_coverage=args.min_coverage,
        lang=args.lang, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
        force=args.force, progress=not args.quiet, command=command_line(args),
        posterior=args.posterior)
    if args.quiet:
        print(out)
        return 0
    t = MESSAGES[args.lang]
    print(text)
    files = [*OUTPUT_FILES, *([f"{COMPARISON_DIR}/"] if source is None else [])]
    print(t["wrote"].format(out=out, files=("、" if args.lang == "zh" else ", ").join(files)))
    print(t["open"].format(report=out / HTML))
    return 0


def add_command(subparsers: Any) -> None:
    """Add ``sim discover``."""
    from sim.cli_base import (
        REPORT_LANG_HELP,
        HelpFormatter,
        add_executor_options,
        add_output_options,
    )

    parser = subparsers.add_parser(
        "discover", help="where a design fails: scenario discovery over the priors / "
                         "在什么条件下失效",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=HelpFormatter,
        allow_abbrev=False)
    parser.add_argument("design", metavar="DESIGN",
                        help="the design examined: a preset name or a design YAML file "
                             "(required). 待考察的治理模式")
    parser.add_argument("--vs", metavar="REF", required=True,
                        help="the reference it should beat: a preset name or a design file "
                             "(required). 参照模式")
    parser.add_argument("--community", metavar="NAME",
                        help="community of the comparison: a preset or a community file "
                             "(default: the designs' own). 社区")
    parser.add_argument("--uncertainty", metavar="N", type=int, default=DEFAULT_UNCERTAINTY,
                        help="parameter sets drawn from the priors (default: "
                             f"{DEFAULT_UNCERTAINTY}). 参数组数")
    parser.add_argument("--seeds", metavar="K", type=int, default=DEFAULT_SEEDS,
                        help=f"seeds per parameter set (default: {DEFAULT_SEEDS}). "
                             "每组参数的种子数")
    parser.add_argument("--steps", metavar="N", type=int,
                        help="months per run (default: the designs' run.steps, 120). 模拟月数")
    parser.add_argument("--outcome", metavar="NAME", default=DEFAULT_OUTCOME,
                        help="the outcome the design should do better on (default: "
                             f"{DEFAULT_OUTCOME}). 考察的指标")
    parser.add_argument("--threshold", metavar="VALUE", type=float,
                        help="instead of beating REF: the value DESIGN's outcome should meet "
                             "(≥ where more is better, ≤ where less is) (default: none). 目标值")
    parser.add_argument("--min-coverage", metavar="C", type=float,
                        help="least coverage of the PRIM box chosen, in (0, 1] (default: 0.5). "
                             "最小覆盖率")
    parser.add_argument("--from", dest="source", metavar="DIR",
                        help="read an existing 'sim compare --uncertainty' directory instead of "
                             "running a comparison (default: run one). 读取已有的比较结果")
    parser.add_argument("--posterior", metavar="DIR",
                        help="the comparison draws the parameters that the 'sim calibrate' in "
                             "DIR calibrated from its posterior, the others from their priors "
                             "(not with --from) (default: the priors alone). "
                             "从校准后验抽取已校准参数")
    add_executor_options(
        parser, resume_help="continue the comparison in DIR/comparison/ after it was killed, "
                            "then discover (default: off). 继续被中断的比较")
    add_output_options(
        parser, "out/discover-<DESIGN>-vs-<REF>", lang_help=REPORT_LANG_HELP,
        force_help="replace an earlier discovery in DIR (and its comparison/); a directory "
                   "with other files is refused (default: off). 覆盖旧结果")
    parser.set_defaults(handler=discover_command)
