"""Shared helpers of the figure scripts: command line, language, intervals, saving.

Every ``fig_<name>.py`` script in this folder imports this module (it sits next to them,
so ``python experiments/fig_<name>.py`` finds it) and uses the same options: ``--seeds``,
``--lang`` and ``--out``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from sim.fonts import use_cjk_font

ROOT = Path(__file__).resolve().parent.parent
"""The project folder (configs/ and docs/ are found from here, whatever the cwd)."""

DESIGNS = ("baseline", "nanan_131", "huli_six_party", "chongchuan_plus", "kunming_red_courtyard")
"""The five seed designs, baseline first."""

DESIGN_LABELS = {
    "baseline": ("Baseline (administrative)", "行政主导基线"),
    "nanan_131": ("Nan'an 131", "南岸131"),
    "huli_six_party": ("Huli six-party linkage", "湖里六方联动"),
    "chongchuan_plus": ("Chongchuan plus", "崇川小区治理+"),
    "kunming_red_courtyard": ("Kunming red courtyard", "昆明红色楼院"),
}
"""Short legend labels of the designs, as (English, Chinese)."""


def parser(doc: str, seeds: int = 20) -> argparse.ArgumentParser:
    """Return the command-line parser shared by the figure scripts.

    Args:
        doc: The script's docstring (shown by ``--help``).
        seeds: Default number of seeds (seeds are 0 … N−1, as in the pattern tests).
    """
    p = argparse.ArgumentParser(description=doc,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=seeds,
                   help=f"number of seeds 0..N-1 (default {seeds})")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the figure text (default en, as in the docs)")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "figures",
                   help="output folder (default docs/figures)")
    return p


def setup(lang: str) -> None:
    """Prepare matplotlib: a CJK font for Chinese text, readable default sizes."""
    plt.rcParams.update({"font.size": 10, "axes.titlesize": 11, "figure.dpi": 110,
                         "axes.spines.top": False, "axes.spines.right": False})
    if lang == "zh":
        use_cjk_font()


def tr(lang: str, en: str, zh: str) -> str:
    """Pick the English or Chinese text."""
    return zh if lang == "zh" else en


def design_label(design: str, lang: str) -> str:
    """Short legend label of a seed design."""
    en, zh = DESIGN_LABELS[design]
    return tr(lang, en, zh)


def config(name: str) -> Path:
    """Path of a design file under configs/designs/."""
    return ROOT / "configs" / "designs" / f"{name}.yaml"


def mean_ci(values: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over seeds and its 95 % t interval (NaNs ignored).

    Args:
        values: Per-seed values, seeds along ``axis``.
        axis: The seed axis.

    Returns:
        ``(mean, low, high)``.
    """
    values = np.asarray(values, dtype=float)
    n = np.sum(~np.isnan(values), axis=axis)
    mean = np.nanmean(values, axis=axis)
    sd = np.nanstd(values, axis=axis, ddof=1) if values.shape[axis] > 1 else np.zeros_like(mean)
    half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1))
    half = np.where(n > 1, half, 0.0)
    return mean, mean - half, mean + half


def band(ax: plt.Axes, x: np.ndarray, values: np.ndarray, label: str, **kw: object) -> None:
    """Draw the mean over seeds (rows of ``values``) with its shaded 95 % interval."""
    mean, low, high = mean_ci(values)
    (line,) = ax.plot(x, mean, label=label, **kw)
    ax.fill_between(x, low, high, color=line.get_color(), alpha=0.2, linewidth=0)


def save(fig: plt.Figure, out: Path, name: str, started: float) -> Path:
    """Write ``<out>/<name>.png`` and report the path and the run time."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path} in {time.perf_counter() - started:.1f} s")
    return path
