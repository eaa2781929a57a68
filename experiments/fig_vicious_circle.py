"""Pattern 2, vicious circle (无钱管 → 弃管 → 上访), aligned on the month a firm exits.

Baseline design on Heping Road, 120 months. Every firm exit (a compound whose firm is present
one month and gone the next) is an event; the compound's collection rate, condition,
grievance and petitions per 100 households are read from 24 months before to 24 months after
it (months outside the run are left out). Events are averaged within a seed, then the lines
are means over seeds with their 95 % t interval. Writes <out>/vicious_circle.png. Checked by
tests/test_patterns.py (pattern 2).
"""

from __future__ import annotations

import time

import _common as c
import matplotlib.pyplot as plt
import numpy as np

import sim

WINDOW = 24
COLUMNS = ("contribution_rate", "condition", "grievance", "petitions")


def events(seed: int) -> tuple[dict[str, np.ndarray], int]:
    """Per column, the mean event-time series over this seed's exits; and the exit count."""
    scn = sim.load_config(c.config("baseline")).override({"community": "heping_road"})
    model = sim.CompoundModel(scn, rng=seed)
    model.run(120)
    frame = model.compound_dataframe()
    wide = {col: frame.pivot(index="month", columns="compound", values=col).to_numpy()
            for col in ("firm_present_share", *COLUMNS)}
    hh = model.compounds.households.astype(float)
    firm = wide["firm_present_share"]
    last = firm.shape[0] - 1
    rows: dict[str, list[np.ndarray]] = {col: [] for col in COLUMNS}
    for k in range(firm.shape[1]):
        f = firm[:, k]
        for e in np.flatnonzero((f[:-1] == 1) & (f[1:] == 0)) + 1:
            for col in COLUMNS:
                series = np.full(2 * WINDOW + 1, np.nan)
                lo, hi = max(0, e - WINDOW), min(last, e + WINDOW)
                values = wide[col][lo:hi + 1, k]
                if col == "petitions":
                    values = values / hh[k] * 100
                series[lo - (e - WINDOW):hi - (e - WINDOW) + 1] = values
                rows[col].append(series)
    n = len(rows[COLUMNS[0]])
    if n == 0:
        return {col: np.full(2 * WINDOW + 1, np.nan) for col in COLUMNS}, 0
    return {col: np.nanmean(np.array(v), axis=0) for col, v in rows.items()}, n


def main(argv: list[str] | None = None) -> None:
    """Collect the exit events over the seeds and draw the event-time panels."""
    args = c.parser(__doc__).parse_args(argv)
    started = time.perf_counter()
    lang = args.lang
    c.setup(lang)
    per_seed = [events(s) for s in range(args.seeds)]
    n_events = sum(n for _, n in per_seed)
    with_exit = [d for d, n in per_seed if n]
    x = np.arange(-WINDOW, WINDOW + 1)
    data = {col: np.array([d[col] for d in with_exit]) for col in COLUMNS}
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.3))
    c.band(axes[0], x, data["contribution_rate"],
           c.tr(lang, "contribution rate (fee collection)", "缴费/出资率（物业费收缴）"), lw=2)
    c.band(axes[1], x, data["condition"], c.tr(lang, "condition Q", "环境状况 Q"), lw=2)
    c.band(axes[1], x, data["grievance"], c.tr(lang, "grievance", "不满情绪"), lw=2,
           color="tab:red")
    c.band(axes[2], x, data["petitions"],
           c.tr(lang, "petitions per 100 households", "每百户上访户数"), lw=2, color="tab:purple")
    ylabels = (c.tr(lang, "share of households paying (0–1)", "缴费户比例（0–1）"),
               c.tr(lang, "share (0–1)", "比例（0–1）"),
               c.tr(lang, "petitioning households per 100 per month", "每月每百户上访户数"))
    titles = (c.tr(lang, "(a) collection falls before the exit", "(a) 弃管前收缴率下降"),
              c.tr(lang, "(b) condition falls, grievance rises", "(b) 环境变差，不满上升"),
              c.tr(lang, "(c) petitions rise after", "(c) 弃管后上访增加"))
    axes[2].set_ylim(bottom=0)
    for ax, yl, t in zip(axes, ylabels, titles, strict=True):
        ax.axvline(0, color="grey", ls=":", lw=1)
        ax.set_xlabel(c.tr(lang, "months from firm exit", "距物业撤出的月数"))
        ax.set_ylabel(yl)
        ax.set_title(t)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", frameon=False)
    fig.suptitle(c.tr(
        lang,
        f"Pattern 2: the vicious circle around a firm exit — baseline, Heping Road\n"
        f"{n_events} exits in {len(with_exit)} of {args.seeds} seeds; mean over exits per "
        f"seed, then mean and 95 % t interval over seeds",
        f"模式 2：物业撤出前后的恶性循环——行政主导基线，和平路社区\n"
        f"{args.seeds} 个种子中 {len(with_exit)} 个有撤出，共 {n_events} 次；先按种子平均，"
        f"再取种子间均值及 95 % t 区间"), y=1.04)
    fig.tight_layout()
    c.save(fig, args.out, "vicious_circle", started)


if __name__ == "__main__":
    main()
