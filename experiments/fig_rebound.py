"""Pattern 1, rebound (整治 → 反弹): condition of the compounds renovated at month 24.

Baseline design on Heping Road, 120 months. In every seed the compounds whose condition
jumped by more than 0.15 in the first campaign month (24) are followed from month 0 to 120
(mean over those compounds), next to the compounds not renovated then; a second panel shows
community dependence on government (等靠要). Lines are means over seeds with their 95 % t
interval. Writes <out>/rebound.png. Checked by tests/test_patterns.py (pattern 1).
"""

from __future__ import annotations

import time

import _common as c
import matplotlib.pyplot as plt
import numpy as np

import sim
from sim.metrics import label

MONTH = 24


def run(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Condition of renovated and other compounds, dependence, and the campaign months."""
    scn = sim.load_config(c.config("baseline")).override({"community": "heping_road"})
    model = sim.CompoundModel(scn, rng=seed)
    model.run(120)
    q = model.compound_dataframe().pivot(index="month", columns="compound", values="condition")
    chosen = (q.loc[MONTH] - q.loc[MONTH - 1]) > 0.15
    camp = scn.model_dump()["design"]["institutions"]["renovation_campaign"]
    months = list(range(camp["first"], 121, camp["interval"]))
    dep = model.datacollector.get_model_vars_dataframe()["dependence"].to_numpy()
    return q.loc[:, chosen].mean(axis=1).to_numpy(), q.loc[:, ~chosen].mean(axis=1).to_numpy(), \
        dep, months


def main(argv: list[str] | None = None) -> None:
    """Run the baseline over the seeds and draw condition and dependence."""
    args = c.parser(__doc__).parse_args(argv)
    started = time.perf_counter()
    lang = args.lang
    c.setup(lang)
    runs = [run(s) for s in range(args.seeds)]
    renovated = np.array([r[0] for r in runs])
    others = np.array([r[1] for r in runs])
    dep = np.array([r[2] for r in runs])
    campaigns = runs[0][3]
    months = np.arange(renovated.shape[1])
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(8, 6.5), sharex=True,
                                  gridspec_kw={"height_ratios": [2.2, 1]})
    c.band(ax, months, renovated, c.tr(lang, "compounds renovated at month 24",
                                       "第 24 月整治的小区"), lw=2)
    c.band(ax, months, others, c.tr(lang, "other compounds", "其他小区"), lw=1.5, ls="--")
    c.band(ax2, months, dep, label("dependence", lang), lw=2, color="tab:red")
    for a in (ax, ax2):
        for m in campaigns:
            a.axvline(m, color="grey", ls=":", lw=1)
        a.grid(alpha=0.3)
    ax.text(campaigns[0] + 1, 0.02, c.tr(lang, "renovation campaigns", "运动式整治"),
            color="grey", transform=ax.get_xaxis_transform())
    ax.set_ylabel(c.tr(lang, "condition Q (share 0–1)", "小区环境状况 Q（0–1）"))
    ax2.set_ylabel(c.tr(lang, "dependence (0–1)", "等靠要依赖（0–1）"))
    ax2.set_xlabel(c.tr(lang, "month", "月份"))
    ax.legend(loc="upper right", frameon=False)
    ax2.legend(loc="lower right", frameon=False)
    ax.set_title(c.tr(
        lang,
        f"Pattern 1: rebound after renovation — baseline, Heping Road\n"
        f"mean and 95 % t interval over {args.seeds} seeds; dotted lines: campaign months",
        f"模式 1：整治后反弹——行政主导基线，和平路社区\n"
        f"{args.seeds} 个种子的均值及 95 % t 区间；虚线为整治月份"))
    c.save(fig, args.out, "rebound", started)


if __name__ == "__main__":
    main()
