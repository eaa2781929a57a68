"""Pattern 3 and overview: condition and petitions under the five designs on Heping Road.

Each of the five seed designs (configs/designs/) runs 120 months on Heping Road with the same
seeds (paired: a seed gives every design the same households and network). Lines are means
over seeds with their 95 % t interval; petitions are smoothed over 12 months. Writes
<out>/designs.png. Checked by tests/test_patterns_designs.py (pattern 3 and
test_five_designs_run_on_heping_road_and_differ).
"""

from __future__ import annotations

import time

import _common as c
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import sim


def run(design: str, seed: int) -> tuple[pd.DataFrame, int, int]:
    """Monthly community frame of one design and seed; households and compounds."""
    scn = sim.load_config(c.config(design)).override({"community": "heping_road"})
    model = sim.CompoundModel(scn, rng=seed)
    model.run(120)
    return model.datacollector.get_model_vars_dataframe(), model.population.n, model.n_compounds


def main(argv: list[str] | None = None) -> None:
    """Run the five designs over the seeds and draw condition and petitions."""
    args = c.parser(__doc__).parse_args(argv)
    started = time.perf_counter()
    lang = args.lang
    c.setup(lang)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13, 4.8))
    totals = {}
    for design in c.DESIGNS:
        runs = [run(design, s) for s in range(args.seeds)]
        frames = [r[0] for r in runs]
        size = runs[0][1:]
        months = np.arange(len(frames[0]))
        cond = np.array([f["condition"].to_numpy() for f in frames])
        pet = np.array([f["petitions"].rolling(12, min_periods=1).mean().to_numpy()
                        for f in frames])
        totals[design] = np.mean([f["petitions"].sum() for f in frames])
        c.band(ax, months, cond, c.design_label(design, lang), lw=1.8)
        c.band(ax2, months, pet, f"{c.design_label(design, lang)}: "
               + c.tr(lang, f"{totals[design]:,.0f} in 10 years",
                      f"十年共 {totals[design]:,.0f}"), lw=1.8)
    ax.set_ylabel(c.tr(lang, "condition Q (share 0–1)", "小区环境状况 Q（0–1）"))
    ax2.set_ylabel(c.tr(lang, "petitioning households per month (12-month mean)",
                        "每月上访户数（12 个月滑动平均）"))
    ax.set_title(c.tr(lang, "(a) condition", "(a) 环境状况"))
    ax2.set_title(c.tr(lang, "(b) petitions", "(b) 上访"))
    for a in (ax, ax2):
        a.set_xlabel(c.tr(lang, "month", "月份"))
        a.grid(alpha=0.3)
    ax2.legend(loc="upper left", frameon=False, fontsize=9,
               title=c.tr(lang, "design (both panels)", "治理模式（两图通用）"), title_fontsize=9)
    fig.suptitle(c.tr(
        lang,
        f"Five governance designs on Heping Road ({size[0]:,} households, {size[1]} compounds)\n"
        f"mean and 95 % t interval over {args.seeds} seeds, paired by seed",
        f"和平路社区五种治理模式比较（{size[0]:,} 户，{size[1]} 个小区）\n"
        f"{args.seeds} 个种子（按种子配对）的均值及 95 % t 区间"), y=1.03)
    fig.tight_layout()
    c.save(fig, args.out, "designs", started)


if __name__ == "__main__":
    main()
