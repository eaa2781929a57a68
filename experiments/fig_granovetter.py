"""Granovetter's riot (1978): cascade size over months on the complete graph of 100.

The threshold preset (configs/presets/threshold.yaml) reduces the decision rule to the
linear threshold rule. With thresholds k/99 (k = 0 … 99) on the complete graph of 100
households everyone ends up acting, one more each month; move the threshold of the
household with threshold 1/99 to 2/99 and only the instigator acts. The runs are
deterministic (noise 0), so every seed gives the same line; the figure draws the mean.
Writes <out>/granovetter.png. Checked by tests/test_threshold.py.
"""

from __future__ import annotations

import time

import _common as c
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

import sim

MONTHS = 110


def cascade(thresholds: list[float], seed: int) -> np.ndarray:
    """Households acting (contributing) in months 0 … MONTHS."""
    scn = sim.load_config(c.ROOT / "configs" / "presets" / "threshold.yaml").override(
        {"behaviour.threshold": thresholds, "initial.committed": 0})
    model = sim.CompoundModel(scn, rng=seed, network=nx.complete_graph(100))
    model.run(MONTHS)
    return model.datacollector.get_model_vars_dataframe()["contribution_rate"].to_numpy() * 100


def main(argv: list[str] | None = None) -> None:
    """Run both threshold lists over the seeds and draw the two cascades."""
    args = c.parser(__doc__).parse_args(argv)
    started = time.perf_counter()
    c.setup(args.lang)
    lang = args.lang
    uniform = [k / 99 for k in range(100)]
    moved = list(uniform)
    moved[1] = 2 / 99
    seeds = range(args.seeds)
    a = np.array([cascade(uniform, s) for s in seeds])
    b = np.array([cascade(moved, s) for s in seeds])
    months = np.arange(a.shape[1])
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(months, a.mean(axis=0), lw=2.2,
            label=c.tr(lang, f"thresholds k/99, k = 0…99: {a[:, -1].mean():.0f} act",
                       f"阈值 k/99，k = 0…99：最终 {a[:, -1].mean():.0f} 户行动"))
    ax.plot(months, b.mean(axis=0), lw=2.2, ls="--",
            label=c.tr(lang, f"threshold 1/99 moved to 2/99: only {b[:, -1].mean():.0f} "
                             "(the instigator) acts",
                       f"把阈值 1/99 改为 2/99：仅 {b[:, -1].mean():.0f} 户（发起者）行动"))
    ax.set_xlabel(c.tr(lang, "month", "月份"))
    ax.set_ylabel(c.tr(lang, "households acting (of 100)", "行动户数（共 100 户）"))
    ax.set_ylim(-3, 105)
    ax.set_title(c.tr(
        lang,
        f"Granovetter's riot on the complete graph of 100 households\n"
        f"threshold preset, {args.seeds} seeds (deterministic: all seeds identical)",
        f"Granovetter 阈值模型：100 户完全图上的行动级联\n"
        f"阈值预设，{args.seeds} 个种子（确定性：各种子结果相同）"))
    ax.legend(loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    c.save(fig, args.out, "granovetter", started)


if __name__ == "__main__":
    main()
