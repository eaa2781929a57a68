"""Pattern 5, competition: readiness-based allocation against need-based and equal.

Heping Road, 120 months; government service, endogenous owners' committees, covenant and a
renovation campaign whose ``allocation`` alone differs (same budget). Panels: (a) share of
compounds with an owners' committee at month 23, (b) participation rate before the first
campaign (months 1–23), (c) share of the month-24 lift in condition still there 47 months
later, over the compounds whose condition jumped by more than 0.15 at month 24 (as in the
test; a seed without such a compound is left out and the bar says how many remain).
Bars: mean over seeds with its 95 % t interval. Writes <out>/competition.png. Checked by
tests/test_patterns_designs.py (pattern 5).
"""

from __future__ import annotations

import time

import _common as c
import matplotlib.pyplot as plt
import numpy as np

from sim.patterns import allocation_run

ALLOCATIONS = ("competition", "need", "equal")
FIELDS = ("committees", "participation", "retained")


def runs(allocation: str, seeds: int) -> dict[str, np.ndarray]:
    """Per seed: committees at month 23, participation in months 1–23, retained share."""
    rows = [allocation_run(allocation, seed) for seed in range(seeds)]
    return {k: np.array([row[k] for row in rows]) for k in FIELDS}


def main(argv: list[str] | None = None) -> None:
    """Run the three allocation rules over the seeds and draw the three panels."""
    args = c.parser(__doc__).parse_args(argv)
    started = time.perf_counter()
    lang = args.lang
    c.setup(lang)
    data = {a: runs(a, args.seeds) for a in ALLOCATIONS}
    names = {"competition": c.tr(lang, "competition\n(readiness)", "竞争性分配\n（按准备度）"),
             "need": c.tr(lang, "need", "按需分配"), "equal": c.tr(lang, "equal", "平均分配")}
    panels = (
        ("committees", c.tr(lang, "(a) committees before the money",
                            "(a) 资金到位前成立业委会"),
         c.tr(lang, "share of compounds with a committee\nat month 23 (0–1)",
              "第 23 月有业委会的小区比例（0–1）")),
        ("participation", c.tr(lang, "(b) participation before month 24",
                               "(b) 第 24 月前的议事参与"),
         c.tr(lang, "participation rate, months 1–23\n(share of households, 0–1)",
              "第 1–23 月议事参与率（户比例，0–1）")),
        ("retained", c.tr(lang, "(c) lift kept 47 months after renovation",
                          "(c) 整治 47 个月后保留的提升"),
         c.tr(lang, "retained share of the month-24 lift\n(0–1)",
              "第 24 月整治提升的保留比例（0–1）")),
    )
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.6))
    for ax, (key, title, ylabel) in zip(axes, panels, strict=True):
        for i, a in enumerate(ALLOCATIONS):
            values = data[a][key]
            if np.isnan(values).all():
                ax.text(i, 0.02, c.tr(lang, "none renovated\nin full", "无小区\n获得完整整治"),
                        ha="center", va="bottom", fontsize=9, color="grey")
                continue
            mean, low, high = c.mean_ci(values)
            ax.bar(i, mean, width=0.6, color=f"C{i}", alpha=0.8,
                   yerr=[[mean - low], [high - mean]], capsize=6)
            n = int(np.sum(~np.isnan(values)))
            text = f"{mean:.2f}" if n == len(values) else f"{mean:.2f}\n(n = {n} seeds)"
            ax.annotate(text, (i, high), textcoords="offset points", xytext=(0, 4),
                        ha="center")
        ax.set_xticks(range(len(ALLOCATIONS)), [names[a] for a in ALLOCATIONS])
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.axhline(0, color="grey", lw=0.8)
        ax.margins(y=0.12)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(c.tr(
        lang,
        f"Pattern 5: competition by readiness — same budget, Heping Road\n"
        f"mean and 95 % t interval over {args.seeds} seeds (paired by seed)",
        f"模式 5：按准备度竞争性分配——同样预算，和平路社区\n"
        f"{args.seeds} 个种子（配对）的均值及 95 % t 区间"), y=1.03)
    fig.tight_layout()
    c.save(fig, args.out, "competition", started)


if __name__ == "__main__":
    main()
