"""Pattern 6, integration beats stacking: condition against the number of bodies.

Heping Road, 120 months. Base (government service, renovation campaign) → + party branch
and owners' committee (2 bodies) → + six more bodies (deliberation council, supervisory
committee, social organisation, co-building council, co-building units, stairwell leaders;
8 bodies) → the same 8 bodies joined by the six-party linkage hub. Outcome: mean condition of
the last 24 months. Points: mean over seeds with their 95 % t interval. Writes
<out>/stacking.png. Checked by tests/test_patterns_designs.py (pattern 6).
"""

from __future__ import annotations

import time

import _common as c
import matplotlib.pyplot as plt
import numpy as np

from sim.patterns import STACKS, stacked_condition


def main(argv: list[str] | None = None) -> None:
    """Run the four stacks over the seeds and draw condition against bodies."""
    args = c.parser(__doc__).parse_args(argv)
    started = time.perf_counter()
    lang = args.lang
    c.setup(lang)
    res = {name: c.mean_ci(stacked_condition(inst, range(args.seeds)))
           for name, inst in STACKS.items()}
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    xs = [0, 2, 8]
    mean = np.array([float(res[k][0]) for k in ("base", "few", "many")])
    err = np.array([[float(res[k][0] - res[k][1]) for k in ("base", "few", "many")],
                    [float(res[k][2] - res[k][0]) for k in ("base", "few", "many")]])
    ax.errorbar(xs, mean, yerr=err, marker="o", capsize=5, lw=2,
                label=c.tr(lang, "bodies stacked, no hub", "机构叠加，无枢纽"))
    hm, hl, hh = (float(v) for v in res["hub"])
    ax.errorbar([8], [hm], yerr=[[hm - hl], [hh - hm]], marker="*", ms=14, capsize=5,
                color="tab:red", ls="none",
                label=c.tr(lang, "same 8 bodies + six-party linkage hub",
                           "同样 8 个机构 + 六方联动枢纽"))
    names = (c.tr(lang, "base", "基础"), c.tr(lang, "+ branch,\ncommittee", "+ 党支部、业委会"),
             c.tr(lang, "+ 6 more", "+ 另外 6 个"))
    for x, m, t in zip(xs, mean, names, strict=True):
        ax.annotate(f"{t}\n{m:.3f}", (x, m), textcoords="offset points", xytext=(0, -38),
                    ha="center", fontsize=9)
    ax.annotate(f"{hm:.3f}", (8, hm), textcoords="offset points", xytext=(12, 0),
                va="center", color="tab:red")
    ax.set_xticks(range(0, 9))
    ax.set_xlim(-0.8, 9)
    lo = min(mean.min(), hm) - 0.06
    ax.set_ylim(lo, max(mean.max(), hm) + 0.03)
    ax.set_xlabel(c.tr(lang, "bodies added to the base (number)", "在基础上增加的机构数（个）"))
    ax.set_ylabel(c.tr(lang, "condition Q, months 97–120 (share 0–1)",
                       "小区环境状况 Q，第 97–120 月（0–1）"))
    ax.legend(loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    ax.set_title(c.tr(
        lang,
        f"Pattern 6: integration beats stacking — Heping Road, 120 months\n"
        f"mean and 95 % t interval over {args.seeds} seeds",
        f"模式 6：整合胜于叠加——和平路社区，120 个月\n{args.seeds} 个种子的均值及 95 % t 区间"))
    c.save(fig, args.out, "stacking", started)


if __name__ == "__main__":
    main()
